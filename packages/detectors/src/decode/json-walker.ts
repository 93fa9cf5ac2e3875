/**
 * A one-pass JSON tokenizer that reports each key and scalar value with its span (in code
 * units) and its JSON pointer (RFC 6901), without building a tree. Used to locate findings
 * and to keep redacted numbers valid JSON.
 */
import type { CodeUnits } from './encoded-char.js';
import { isJsonWhitespace, unitsText } from './located-offsets.js';

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal';

/** Called for each key and scalar value, in document order; `pointer()` builds the pointer of the member or element. */
export type JsonTokenVisitor = (kind: JsonTokenKind, start: number, end: number, pointer: () => string | undefined) => void;

/** Parser states: what may come next. */
const VALUE = 0;
const ARRAY_FIRST = 1; // a value or `]`
const KEY_FIRST = 2; // a key or `}`
const KEY = 3;
const COLON = 4;
const AFTER_VALUE = 5; // `,` or the container's close

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

class JsonSyntaxError extends Error {}

/** Walks the JSON document in `units` from `start`; returns `false` (after visiting a prefix) when it is not valid JSON. */
export function walkJson(units: CodeUnits, start: number, visit: JsonTokenVisitor): boolean {
  try {
    walk(units, start, visit);
    return true;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
}

function walk(units: CodeUnits, start: number, visit: JsonTokenVisitor): void {
  const n = units.length;
  /** One segment per open container: the member key (escaped) or the element index. */
  const path: string[] = [];
  const inArray: boolean[] = [];
  const pointer = () => (path.length === 0 ? undefined : '/' + path.join('/'));
  let state = VALUE;
  let i = start;
  const close = (c: number) => {
    if (inArray.length === 0 || inArray[inArray.length - 1] !== (c === 0x5d)) throw new JsonSyntaxError();
    path.pop();
    inArray.pop();
    i++;
    state = AFTER_VALUE;
  };
  while (!(state === AFTER_VALUE && path.length === 0)) {
    while (i < n && isJsonWhitespace(units[i])) i++;
    if (i >= n) throw new JsonSyntaxError();
    const c = units[i];
    if ((state === KEY_FIRST && c === 0x7d) || (state === ARRAY_FIRST && c === 0x5d)) {
      close(c);
    } else if (state === KEY_FIRST || state === KEY) {
      if (c !== 0x22) throw new JsonSyntaxError();
      const end = stringEnd(units, i);
      path[path.length - 1] = escapeSegment(decodeString(units, i, end));
      visit('key', i, end, pointer);
      i = end;
      state = COLON;
    } else if (state === COLON) {
      if (c !== 0x3a) throw new JsonSyntaxError();
      i++;
      state = VALUE;
    } else if (state === AFTER_VALUE) {
      if (c === 0x7d || c === 0x5d) {
        close(c);
      } else if (c === 0x2c) {
        const array = inArray[inArray.length - 1];
        if (array) path[path.length - 1] = String(Number(path[path.length - 1]) + 1);
        state = array ? VALUE : KEY;
        i++;
      } else {
        throw new JsonSyntaxError();
      }
    } else if (c === 0x7b || c === 0x5b) {
      inArray.push(c === 0x5b);
      path.push(c === 0x5b ? '0' : '');
      state = c === 0x5b ? ARRAY_FIRST : KEY_FIRST;
      i++;
    } else {
      let end: number;
      let kind: JsonTokenKind = 'string';
      if (c === 0x22) {
        end = stringEnd(units, i);
      } else {
        end = i;
        while (end < n && !isJsonWhitespace(units[end]) && units[end] !== 0x2c && units[end] !== 0x5d && units[end] !== 0x7d) end++;
        const token = unitsText(units, i, end);
        if (LITERALS.includes(token)) kind = 'literal';
        else if (NUMBER.test(token)) kind = 'number';
        else throw new JsonSyntaxError();
      }
      visit(kind, i, end, pointer);
      i = end;
      state = AFTER_VALUE;
    }
  }
  while (i < n && isJsonWhitespace(units[i])) i++;
  if (i < n) throw new JsonSyntaxError();
}

/** Index one past the closing quote of the string that opens at `i`. */
function stringEnd(units: CodeUnits, i: number): number {
  const n = units.length;
  let j = i + 1;
  while (j < n) {
    const u = units[j];
    if (u === 0x22) return j + 1;
    if (u === 0x5c) j += 2;
    else if (u < 0x20) throw new JsonSyntaxError();
    else j++;
  }
  throw new JsonSyntaxError();
}

function decodeString(units: CodeUnits, start: number, end: number): string {
  try {
    return JSON.parse(unitsText(units, start, end)) as string;
  } catch {
    throw new JsonSyntaxError();
  }
}
