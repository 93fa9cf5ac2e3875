/**
 * XML paths of offsets: `/records/patient/ssn` for text inside that element (CDATA
 * included), `/records/patient/@id` inside an attribute value. fast-xml-parser decides
 * whether the document is well-formed XML at all (no locations otherwise); the path is
 * then followed in one pass over the markup, which knows where each byte is.
 */
import { XMLValidator } from 'fast-xml-parser';
import type { CodeUnits } from './encoded-char.js';
import { LocatedOffsets, unitsText } from './located-offsets.js';

const COMMENT_OPEN = ascii('<!--');
const COMMENT_CLOSE = ascii('-->');
const CDATA_OPEN = ascii('<![CDATA[');
const CDATA_CLOSE = ascii(']]>');
const PI_CLOSE = ascii('?>');

function ascii(text: string): number[] {
  return [...text].map((ch) => ch.charCodeAt(0));
}

function startsWith(units: CodeUnits, at: number, sequence: number[]): boolean {
  for (let k = 0; k < sequence.length; k++) if (units[at + k] !== sequence[k]) return false;
  return true;
}

/** Index one past `sequence` at or after `from`, or the end of the units. */
function after(units: CodeUnits, from: number, sequence: number[]): number {
  for (let at = units.indexOf(sequence[0], from); at >= 0; at = units.indexOf(sequence[0], at + 1)) {
    if (startsWith(units, at, sequence)) return at + sequence.length;
  }
  return units.length;
}

function isNameEnd(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d || unit === 0x2f || unit === 0x3e || unit === 0x3d;
}

export function locateInXml(units: CodeUnits, start: number, located: LocatedOffsets): Array<string | undefined> {
  if (XMLValidator.validate(unitsText(units, start, units.length)) !== true) return located.clear();
  const n = units.length;
  const stack: string[] = [];
  const path = () => (stack.length === 0 ? undefined : '/' + stack.join('/'));
  let i = start;
  while (i < n && !located.done) {
    const lt = units.indexOf(0x3c, i);
    if (lt < 0) break;
    located.assignBelow(lt, path());
    if (startsWith(units, lt, COMMENT_OPEN)) {
      i = after(units, lt, COMMENT_CLOSE);
    } else if (startsWith(units, lt, CDATA_OPEN)) {
      i = after(units, lt, CDATA_CLOSE);
    } else if (units[lt + 1] === 0x3f) {
      i = after(units, lt, PI_CLOSE);
    } else if (units[lt + 1] === 0x21) {
      i = afterDeclaration(units, lt);
    } else if (units[lt + 1] === 0x2f) {
      i = after(units, lt, [0x3e]);
      located.assignBelow(i, path());
      stack.pop();
      continue;
    } else {
      i = startTag(units, lt, stack, located);
      continue;
    }
    located.assignBelow(i, path());
  }
  return located.locations;
}

/** `<!DOCTYPE …>`, with an internal subset in brackets. */
function afterDeclaration(units: CodeUnits, lt: number): number {
  let depth = 0;
  for (let j = lt + 2; j < units.length; j++) {
    if (units[j] === 0x5b) depth++;
    else if (units[j] === 0x5d) depth--;
    else if (units[j] === 0x3e && depth <= 0) return j + 1;
  }
  return units.length;
}

/** Reads a start tag, locating offsets in it; pushes its name unless it closes itself. Returns the index after it. */
function startTag(units: CodeUnits, lt: number, stack: string[], located: LocatedOffsets): number {
  const n = units.length;
  let j = lt + 1;
  while (j < n && !isNameEnd(units[j])) j++;
  stack.push(unitsText(units, lt + 1, j));
  const path = '/' + stack.join('/');
  for (;;) {
    while (j < n && (units[j] === 0x20 || units[j] === 0x09 || units[j] === 0x0a || units[j] === 0x0d)) j++;
    if (j >= n) return n;
    if (units[j] === 0x3e) {
      located.assignBelow(j + 1, path);
      return j + 1;
    }
    if (units[j] === 0x2f) {
      j = after(units, j, [0x3e]);
      located.assignBelow(j, path);
      stack.pop();
      return j;
    }
    const nameStart = j;
    while (j < n && !isNameEnd(units[j])) j++;
    const name = unitsText(units, nameStart, j);
    while (j < n && units[j] !== 0x22 && units[j] !== 0x27) j++;
    const quote = units[j];
    const valueEnd = units.indexOf(quote, j + 1);
    if (valueEnd < 0) return n;
    located.assignBelow(j + 1, path);
    located.assignBelow(valueEnd, `${path}/@${name}`);
    j = valueEnd + 1;
  }
}
