/**
 * JSON pointers (RFC 6901) of offsets in a JSON document: `/patients/0/ssn` for a value
 * inside that member, or inside its key. One pass, no tree is built. A document that does
 * not parse gives no locations at all.
 */
import type { CodeUnits } from './encoded-char.js';
import { LocatedOffsets, isJsonWhitespace, unitsText } from './located-offsets.js';

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

export function locateInJson(units: CodeUnits, start: number, located: LocatedOffsets): Array<string | undefined> {
  try {
    walk(units, start, located);
    return located.locations;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return located.clear();
    throw error;
  }
}

function walk(units: CodeUnits, start: number, located: LocatedOffsets): void {
  const n = units.length;
  /** One segment per open container: the member key (escaped) or the element index. */
  const path: string[] = [];
  const inArray: boolean[] = [];
  const pointer = () => (path.length === 0 ? undefined : '/' + path.join('/'));
  let state = VALUE;
  let i = start;
  const close = (c: number) => {
    if (inArray.length === 0 || inArray[inArray.length - 1] !== (c === 0x5d)) throw new JsonSyntaxError();
    located.assignBelow(i + 1, pointer());
    path.pop();
    inArray.pop();
    i++;
    state = AFTER_VALUE;
  };
  while (!(state === AFTER_VALUE && path.length === 0)) {
    while (i < n && isJsonWhitespace(units[i])) i++;
    if (i >= n) throw new JsonSyntaxError();
    const c = units[i];
    located.assignBelow(i, pointer());
    if ((state === KEY_FIRST && c === 0x7d) || (state === ARRAY_FIRST && c === 0x5d)) {
      close(c);
    } else if (state === KEY_FIRST || state === KEY) {
      if (c !== 0x22) throw new JsonSyntaxError();
      const end = stringEnd(units, i);
      path[path.length - 1] = escapeSegment(decodeString(units, i, end));
      located.assignBelow(end, pointer());
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
      located.assignBelow(i + 1, pointer());
      inArray.push(c === 0x5b);
      path.push(c === 0x5b ? '0' : '');
      state = c === 0x5b ? ARRAY_FIRST : KEY_FIRST;
      i++;
    } else {
      let end: number;
      if (c === 0x22) {
        end = stringEnd(units, i);
      } else {
        end = i;
        while (end < n && !isJsonWhitespace(units[end]) && units[end] !== 0x2c && units[end] !== 0x5d && units[end] !== 0x7d) end++;
        const token = unitsText(units, i, end);
        if (!LITERALS.includes(token) && !NUMBER.test(token)) throw new JsonSyntaxError();
      }
      located.assignBelow(end, pointer());
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
