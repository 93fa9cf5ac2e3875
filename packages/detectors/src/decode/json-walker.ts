/**
 * A one-pass JSON tokenizer that reports each key and scalar value with its span (in code
 * units) and lazily its JSON pointer (RFC 6901), without building a tree or a string per
 * token: strings are skipped by their quotes, and a pointer is only built when asked for.
 * It checks the structure as JSON.parse does, but not what is inside strings (a bad escape
 * there still walks: locations stay useful). Used to locate findings and to keep redacted
 * numbers valid JSON.
 */
import type { CodeUnits } from './encoded-char.js';
import { isJsonWhitespace, unitsText } from './located-offsets.js';

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal';

/**
 * Called for each key and scalar value in document order; `pointer()` builds the pointer of
 * the member or element. Returning `false` stops the walk (the prefix walked is valid).
 */
export type JsonTokenVisitor = (kind: JsonTokenKind, start: number, end: number, pointer: () => string | undefined) => boolean | void;

class JsonSyntaxError extends Error {}

/** Where a visitor's interest starts: tokens ending at or before `from` are not reported. */
export interface JsonWalkInterest {
  from: number;
}

/**
 * Walks the JSON document in `units` from `start`. Returns `false` when the document (or the
 * prefix walked before the visitor stopped) is not JSON; tokens before the error were visited.
 * With `interest`, only tokens that end past `interest.from` are reported (the visitor may
 * move it on), which spares a call per token of a long document. With `sequence`, the body is
 * JSON documents one after another (NDJSON, JSON Lines, RFC 7464 sequences), walked as the
 * elements of one array: the second record's `ssn` is `/1/ssn`.
 */
export function walkJson(
  units: CodeUnits,
  start: number,
  visit: JsonTokenVisitor,
  interest: JsonWalkInterest = { from: -1 },
  sequence = false,
): boolean {
  try {
    walk(units, start, visit, interest, sequence);
    return true;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
}

/**
 * The grammar as straight-line code: each position in it is a place in the loop, not a state
 * variable tested on every byte (the state machine it replaced cost 1.4 ns a byte, most of it
 * re-deciding at each token what the previous one already knew).
 */
function walk(units: CodeUnits, start: number, visit: JsonTokenVisitor, interest: JsonWalkInterest, sequence: boolean): void {
  const n = units.length;
  // Per open container: -1 for an object, else the current element index; objects keep the
  // span of their current key (decoded only when a pointer is built).
  const index: number[] = [];
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  const pointer = () => {
    if (index.length === 0) return undefined;
    let text = '';
    for (let d = 0; d < index.length; d++) text += '/' + (index[d] >= 0 ? String(index[d]) : escapeSegment(decodeKey(units, keyStart[d], keyEnd[d])));
    return text;
  };
  let i = skipWhitespace(units, start, n);
  if (sequence) {
    // The records are the elements of an implicit array that no bracket closes.
    index.push(0);
    keyStart.push(0);
    keyEnd.push(0);
    i = skipRecordSeparators(units, i, n);
    if (i >= n) return;
  }
  for (;;) {
    // A value starts at `i`.
    if (i >= n) throw new JsonSyntaxError();
    let c = units[i];
    let inKey = false;
    if (c === 0x7b || c === 0x5b) {
      const isArray = c === 0x5b;
      index.push(isArray ? 0 : -1);
      keyStart.push(0);
      keyEnd.push(0);
      i = skipWhitespace(units, i + 1, n);
      c = units[i];
      if (c === (isArray ? 0x5d : 0x7d)) {
        index.pop();
        keyStart.pop();
        keyEnd.pop();
        i++;
      } else if (isArray) {
        continue;
      } else {
        inKey = true;
      }
    } else {
      let end: number;
      let kind: JsonTokenKind;
      if (c === 0x22) {
        end = stringEnd(units, i);
        kind = 'string';
      } else {
        end = i;
        while (end < n) {
          const u = units[end];
          if (u === 0x2c || u === 0x5d || u === 0x7d || isJsonWhitespace(u)) break;
          end++;
        }
        kind = scalarKind(units, i, end);
      }
      if (end > interest.from && visit(kind, i, end, pointer) === false) return;
      i = end;
    }
    // After a value (or at a key, when an object just opened): `,`, a close, or the end.
    for (;;) {
      if (!inKey) {
        const top = index.length - 1;
        if (sequence && top === 0) {
          i = skipRecordSeparators(units, i, n);
          if (i >= n) return;
          index[0]++;
          break;
        }
        if (top < 0) {
          if (skipWhitespace(units, i, n) < n) throw new JsonSyntaxError();
          return;
        }
        i = skipWhitespace(units, i, n);
        c = units[i];
        if (c === 0x2c) {
          i = skipWhitespace(units, i + 1, n);
          if (index[top] >= 0) {
            index[top]++;
            break;
          }
        } else if (c === (index[top] >= 0 ? 0x5d : 0x7d)) {
          index.pop();
          keyStart.pop();
          keyEnd.pop();
          i++;
          continue;
        } else {
          throw new JsonSyntaxError();
        }
      }
      // A member: key, colon, then its value.
      inKey = false;
      if (units[i] !== 0x22) throw new JsonSyntaxError();
      const end = stringEnd(units, i);
      const top = keyStart.length - 1;
      keyStart[top] = i;
      keyEnd[top] = end;
      if (end > interest.from && visit('key', i, end, pointer) === false) return;
      i = skipWhitespace(units, end, n);
      if (units[i] !== 0x3a) throw new JsonSyntaxError();
      i = skipWhitespace(units, i + 1, n);
      break;
    }
  }
}

/** Whitespace and RFC 7464's record separator (0x1E) between the records of a sequence. */
function skipRecordSeparators(units: CodeUnits, i: number, n: number): number {
  while (i < n && (isJsonWhitespace(units[i]) || units[i] === 0x1e)) i++;
  return i;
}

function skipWhitespace(units: CodeUnits, i: number, n: number): number {
  while (i < n && isJsonWhitespace(units[i])) i++;
  return i;
}

/** A key as a pointer segment (RFC 6901: `~` is `~0`, `/` is `~1`); most keys have neither. */
function escapeSegment(key: string): string {
  if (!key.includes('~') && !key.includes('/')) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Strings up to this long are searched in JS: a native `indexOf` per string costs more. */
const SHORT_STRING = 64;

/** Index one past the closing quote of the string that opens at `i` (escaped quotes skipped). */
function stringEnd(units: CodeUnits, i: number): number {
  let from = i + 1;
  for (;;) {
    let quote = -1;
    const limit = Math.min(units.length, from + SHORT_STRING);
    for (let k = from; k < limit; k++) {
      if (units[k] === 0x22) {
        quote = k;
        break;
      }
    }
    if (quote < 0 && limit < units.length) quote = units.indexOf(0x22, limit);
    if (quote < 0) throw new JsonSyntaxError();
    let backslashes = 0;
    for (let k = quote - 1; k > i && units[k] === 0x5c; k--) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function matches(units: CodeUnits, start: number, end: number, word: number[]): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (units[start + k] !== word[k]) return false;
  return true;
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** `number` or `literal` for a valid JSON number or literal in `[start, end)`; throws otherwise. */
function scalarKind(units: CodeUnits, start: number, end: number): JsonTokenKind {
  const first = units[start];
  if (first === 0x74 || first === 0x66 || first === 0x6e) {
    if (matches(units, start, end, TRUE) || matches(units, start, end, FALSE) || matches(units, start, end, NULL)) return 'literal';
    throw new JsonSyntaxError();
  }
  let k = start;
  if (units[k] === 0x2d) k++;
  if (units[k] === 0x30) k++;
  else if (isDigit(units[k]) && units[k] !== 0x30) while (k < end && isDigit(units[k])) k++;
  else throw new JsonSyntaxError();
  if (units[k] === 0x2e && k < end) {
    k++;
    if (!isDigit(units[k]) || k >= end) throw new JsonSyntaxError();
    while (k < end && isDigit(units[k])) k++;
  }
  if ((units[k] === 0x65 || units[k] === 0x45) && k < end) {
    k++;
    if ((units[k] === 0x2b || units[k] === 0x2d) && k < end) k++;
    if (!isDigit(units[k]) || k >= end) throw new JsonSyntaxError();
    while (k < end && isDigit(units[k])) k++;
  }
  if (k !== end) throw new JsonSyntaxError();
  return 'number';
}

function decodeKey(units: CodeUnits, start: number, end: number): string {
  const text = unitsText(units, start, end);
  if (!text.includes('\\')) return text.slice(1, -1);
  try {
    return JSON.parse(text) as string;
  } catch {
    // A malformed escape in a key: show the key as written rather than lose the location.
    return text.slice(1, -1);
  }
}
