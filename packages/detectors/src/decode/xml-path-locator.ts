/**
 * XML paths of offsets: `/records/patient/ssn` for text inside that element (CDATA
 * included), `/records/patient/@id` inside an attribute value. One pass over the markup up
 * to the last offset, jumping from `<` to `<` with `indexOf`; element names are kept as
 * spans and a path is only built for an offset. The walk checks what a location depends
 * on (every end tag closes the open element of the same name, markup is terminated, no
 * text outside the root); a prefix that fails gives no locations. HTML is no XML here.
 */
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

class XmlSyntaxError extends Error {}

/** Index one past `sequence` at or after `from`; the markup must be terminated. */
function after(units: CodeUnits, from: number, sequence: number[]): number {
  for (let at = units.indexOf(sequence[0], from); at >= 0; at = units.indexOf(sequence[0], at + 1)) {
    if (startsWith(units, at, sequence)) return at + sequence.length;
  }
  throw new XmlSyntaxError();
}

function isSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d;
}

function isNameEnd(unit: number): boolean {
  return isSpace(unit) || unit === 0x2f || unit === 0x3e || unit === 0x3d;
}

/** Open elements as name spans, and the path text built from them on demand. */
class ElementStack {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  constructor(private readonly units: CodeUnits) {}
  path(): string | undefined {
    let text = '';
    for (let d = 0; d < this.starts.length; d++) text += '/' + unitsText(this.units, this.starts[d], this.ends[d]);
    return text === '' ? undefined : text;
  }
  /** Pops the element an end tag names; the names must match. */
  close(nameStart: number, nameEnd: number): void {
    const top = this.starts.length - 1;
    if (top < 0 || this.ends[top] - this.starts[top] !== nameEnd - nameStart) throw new XmlSyntaxError();
    for (let k = 0; k < nameEnd - nameStart; k++) if (this.units[this.starts[top] + k] !== this.units[nameStart + k]) throw new XmlSyntaxError();
    this.starts.pop();
    this.ends.pop();
  }
}

export function locateInXml(units: CodeUnits, start: number, located: LocatedOffsets): Array<string | undefined> {
  try {
    walk(units, start, located);
    return located.locations;
  } catch (error) {
    if (error instanceof XmlSyntaxError) return located.clear();
    throw error;
  }
}

function walk(units: CodeUnits, start: number, located: LocatedOffsets): void {
  const n = units.length;
  const stack = new ElementStack(units);
  let seenRoot = false;
  let i = start;
  /** Offsets below `end` get the current element's path. */
  const assign = (end: number) => {
    if (located.nextOffset < end) located.assignBelow(end, stack.path());
  };
  while (i < n && !located.done) {
    const lt = units.indexOf(0x3c, i);
    const textEnd = lt < 0 ? n : lt;
    if (stack.starts.length === 0) {
      for (let k = i; k < textEnd; k++) if (!isSpace(units[k])) throw new XmlSyntaxError();
    }
    assign(textEnd);
    if (lt < 0) break;
    if (startsWith(units, lt, COMMENT_OPEN)) {
      i = after(units, lt + 4, COMMENT_CLOSE);
    } else if (startsWith(units, lt, CDATA_OPEN)) {
      if (stack.starts.length === 0) throw new XmlSyntaxError();
      i = after(units, lt + 9, CDATA_CLOSE);
    } else if (units[lt + 1] === 0x3f) {
      i = after(units, lt + 2, PI_CLOSE);
    } else if (units[lt + 1] === 0x21) {
      if (seenRoot) throw new XmlSyntaxError();
      i = afterDeclaration(units, lt);
    } else if (units[lt + 1] === 0x2f) {
      let nameEnd = lt + 2;
      while (nameEnd < n && !isNameEnd(units[nameEnd])) nameEnd++;
      const gt = units.indexOf(0x3e, nameEnd);
      if (gt < 0) throw new XmlSyntaxError();
      assign(gt + 1);
      stack.close(lt + 2, nameEnd);
      i = gt + 1;
      continue;
    } else {
      if (seenRoot && stack.starts.length === 0) throw new XmlSyntaxError();
      seenRoot = true;
      i = startTag(units, lt, stack, located);
      continue;
    }
    assign(i);
  }
  if (!located.done || i >= n) {
    if (stack.starts.length > 0 || !seenRoot) throw new XmlSyntaxError();
  }
}

/** `<!DOCTYPE …>`, with an internal subset in brackets. */
function afterDeclaration(units: CodeUnits, lt: number): number {
  let depth = 0;
  for (let j = lt + 2; j < units.length; j++) {
    if (units[j] === 0x5b) depth++;
    else if (units[j] === 0x5d) depth--;
    else if (units[j] === 0x3e && depth <= 0) return j + 1;
  }
  throw new XmlSyntaxError();
}

/** Reads a start tag, locating offsets in it; pushes its name unless it closes itself. Returns the index after it. */
function startTag(units: CodeUnits, lt: number, stack: ElementStack, located: LocatedOffsets): number {
  const n = units.length;
  let j = lt + 1;
  while (j < n && !isNameEnd(units[j])) j++;
  if (j === lt + 1) throw new XmlSyntaxError();
  stack.starts.push(lt + 1);
  stack.ends.push(j);
  for (;;) {
    while (j < n && isSpace(units[j])) j++;
    if (j >= n) throw new XmlSyntaxError();
    if (units[j] === 0x3e) {
      if (located.nextOffset <= j) located.assignBelow(j + 1, stack.path());
      return j + 1;
    }
    if (units[j] === 0x2f) {
      if (units[j + 1] !== 0x3e) throw new XmlSyntaxError();
      if (located.nextOffset <= j + 1) located.assignBelow(j + 2, stack.path());
      stack.starts.pop();
      stack.ends.pop();
      return j + 2;
    }
    const nameStart = j;
    while (j < n && !isNameEnd(units[j])) j++;
    const nameEnd = j;
    while (j < n && isSpace(units[j])) j++;
    if (units[j] !== 0x3d || nameEnd === nameStart) throw new XmlSyntaxError();
    j++;
    while (j < n && isSpace(units[j])) j++;
    const quote = units[j];
    if (quote !== 0x22 && quote !== 0x27) throw new XmlSyntaxError();
    const valueEnd = units.indexOf(quote, j + 1);
    if (valueEnd < 0) throw new XmlSyntaxError();
    if (located.nextOffset <= j) located.assignBelow(j + 1, stack.path());
    if (located.nextOffset < valueEnd) located.assignBelow(valueEnd, `${stack.path()}/@${unitsText(units, nameStart, nameEnd)}`);
    j = valueEnd + 1;
  }
}
