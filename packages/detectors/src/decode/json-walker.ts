/**
 * A one-pass JSON tokenizer that reports each key and scalar value with its span (in code
 * units) and lazily its JSON pointer (RFC 6901), without building a tree or a string per
 * token: strings are skipped with `indexOf`, and a pointer is only built when asked for.
 * Used to locate findings and to keep redacted numbers valid JSON.
 */
import type { CodeUnits } from './encoded-char.js';
import { isJsonWhitespace, unitsText } from './located-offsets.js';

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal';

/**
 * Called for each key and scalar value in document order; `pointer()` builds the pointer of
 * the member or element. Returning `false` stops the walk (the prefix walked is valid).
 */
export type JsonTokenVisitor = (kind: JsonTokenKind, start: number, end: number, pointer: () => string | undefined) => boolean | void;

/** Parser states: what may come next. */
const VALUE = 0;
const ARRAY_FIRST = 1; // a value or `]`
const KEY_FIRST = 2; // a key or `}`
const KEY = 3;
const COLON = 4;
const AFTER_VALUE = 5; // `,` or the container's close

class JsonSyntaxError extends Error {}

/** Where a visitor's interest starts: tokens ending at or before `from` are not reported. */
export interface JsonWalkInterest {
  from: number;
}

/**
 * Walks the JSON document in `units` from `start`. Returns `false` when the document (or the
 * prefix walked before the visitor stopped) is not JSON; tokens before the error were visited.
 * With `interest`, only tokens that end past `interest.from` are reported (the visitor may
 * move it on), which spares a call per token of a long document.
 */
export function walkJson(units: CodeUnits, start: number, visit: JsonTokenVisitor, interest: JsonWalkInterest = { from: -1 }): boolean {
  try {
    walk(units, start, visit, interest);
    return true;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
}

function walk(units: CodeUnits, start: number, visit: JsonTokenVisitor, interest: JsonWalkInterest): void {
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
  let state = VALUE;
  let i = start;
  while (!(state === AFTER_VALUE && index.length === 0)) {
    while (i < n && isJsonWhitespace(units[i])) i++;
    if (i >= n) throw new JsonSyntaxError();
    const c = units[i];
    if ((state === KEY_FIRST && c === 0x7d) || (state === ARRAY_FIRST && c === 0x5d) || (state === AFTER_VALUE && (c === 0x7d || c === 0x5d))) {
      if (index.length === 0 || index[index.length - 1] >= 0 !== (c === 0x5d)) throw new JsonSyntaxError();
      index.pop();
      keyStart.pop();
      keyEnd.pop();
      i++;
      state = AFTER_VALUE;
    } else if (state === KEY_FIRST || state === KEY) {
      if (c !== 0x22) throw new JsonSyntaxError();
      const end = stringEnd(units, i);
      keyStart[keyStart.length - 1] = i;
      keyEnd[keyEnd.length - 1] = end;
      if (end > interest.from && visit('key', i, end, pointer) === false) return;
      i = end;
      state = COLON;
    } else if (state === COLON) {
      if (c !== 0x3a) throw new JsonSyntaxError();
      i++;
      state = VALUE;
    } else if (state === AFTER_VALUE) {
      if (c !== 0x2c) throw new JsonSyntaxError();
      const top = index.length - 1;
      if (index[top] >= 0) {
        index[top]++;
        state = VALUE;
      } else {
        state = KEY;
      }
      i++;
    } else if (c === 0x7b || c === 0x5b) {
      index.push(c === 0x5b ? 0 : -1);
      keyStart.push(0);
      keyEnd.push(0);
      state = c === 0x5b ? ARRAY_FIRST : KEY_FIRST;
      i++;
    } else {
      let end: number;
      let kind: JsonTokenKind;
      if (c === 0x22) {
        end = stringEnd(units, i);
        kind = 'string';
      } else {
        end = i;
        while (end < n && !isJsonWhitespace(units[end]) && units[end] !== 0x2c && units[end] !== 0x5d && units[end] !== 0x7d) end++;
        kind = scalarKind(units, i, end);
      }
      if (end > interest.from && visit(kind, i, end, pointer) === false) return;
      i = end;
      state = AFTER_VALUE;
    }
  }
  while (i < n && isJsonWhitespace(units[i])) i++;
  if (i < n) throw new JsonSyntaxError();
}

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Index one past the closing quote of the string that opens at `i`: quotes are found with `indexOf`, escaped ones skipped. */
/** Strings up to this long are searched in JS: a native `indexOf` per string costs more. */
const SHORT_STRING = 64;

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
  if (matches(units, start, end, TRUE) || matches(units, start, end, FALSE) || matches(units, start, end, NULL)) return 'literal';
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
