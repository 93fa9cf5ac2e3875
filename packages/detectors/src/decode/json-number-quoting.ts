/**
 * Masking the digits of a JSON number (`{"ssn": 536221234}`) with `*` would leave invalid
 * JSON. For whole bodies, a redacted number token is rewritten as a string of the same
 * length: `*****1234` becomes `"***1234"` (the two quotes take the place of the first two
 * characters), so the document still parses and the kept trailing digits stay visible.
 */
import { readDocumentText } from './document-locations.js';
import { walkJson } from './json-walker.js';
import { isJsonWhitespace } from './located-offsets.js';

const QUOTE = { 'utf-8': Buffer.from('"'), 'utf-16le': Buffer.from([0x22, 0]), 'utf-16be': Buffer.from([0, 0x22]) };

/**
 * Rewrites, in `output`, each JSON number token of `raw` that overlaps a redacted span
 * (raw byte offsets). Does nothing unless the body is declared JSON and parses as JSON.
 */
export function quoteRedactedJsonNumbers(raw: Buffer, output: Buffer, contentType: string | undefined, redacted: ReadonlyArray<{ start: number; end: number }>): void {
  if (redacted.length === 0 || raw.length !== output.length) return;
  const doc = readDocumentText(raw, contentType, false);
  if (doc.syntax !== 'json') return;
  const size = doc.unitSize;
  // Walking the whole document costs more than the scan itself on large bodies: skip it when
  // no redacted span touches anything shaped like a number token (most values sit in strings).
  if (size === 1 && !redacted.some((span) => touchesNumberLikeRun(raw, doc.start, span.start, span.end))) return;
  const tokens: number[] = [];
  const last = Math.max(...redacted.map((span) => span.end));
  const valid = walkJson(doc.units, doc.start, (kind, start, end) => {
    const byteStart = start * size;
    const byteEnd = end * size;
    if (kind === 'number' && end - start >= 3 && redacted.some((span) => span.start < byteEnd && span.end > byteStart)) tokens.push(byteStart, byteEnd);
    return byteEnd < last;
  }, undefined, doc.jsonSequence);
  if (!valid) return;
  const quote = QUOTE[doc.charset];
  for (let k = 0; k < tokens.length; k += 2) {
    const start = tokens[k];
    const end = tokens[k + 1];
    // The window scanner already quoted `"key": number` members as it redacted them.
    if (output.subarray(start, start + size).equals(quote)) continue;
    output.copyWithin(start + size, start + 2 * size, end);
    quote.copy(output, start);
    quote.copy(output, end - size);
  }
}

/** Bytes a JSON number token is made of. */
function isNumberByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x65 || byte === 0x45;
}

/**
 * A necessary condition for `[start, end)` to overlap a JSON number token of 3 or more bytes
 * (UTF-8 text from `base`): some maximal run of number bytes meeting the span has at least 3
 * bytes, is preceded (past whitespace) by `:`, `,`, `[` or the start of the document, and is
 * followed (past whitespace) by `,`, `]`, `}` or the end. A number token is exactly such a run;
 * digits inside a string fail it at the quote or at a neighbouring word.
 */
function touchesNumberLikeRun(raw: Buffer, base: number, start: number, end: number): boolean {
  let i = Math.max(base, start);
  const stop = Math.min(raw.length, end);
  while (i < stop) {
    if (!isNumberByte(raw[i] as number)) {
      i++;
      continue;
    }
    let runStart = i;
    while (runStart > base && isNumberByte(raw[runStart - 1] as number)) runStart--;
    let runEnd = i + 1;
    while (runEnd < raw.length && isNumberByte(raw[runEnd] as number)) runEnd++;
    if (runEnd - runStart >= 3) {
      let before = runStart - 1;
      while (before >= base && isJsonWhitespace(raw[before] as number)) before--;
      let after = runEnd;
      while (after < raw.length && isJsonWhitespace(raw[after] as number)) after++;
      const opens = before < base || raw[before] === 0x3a || raw[before] === 0x2c || raw[before] === 0x5b;
      const closes = after >= raw.length || raw[after] === 0x2c || raw[after] === 0x5d || raw[after] === 0x7d;
      if (opens && closes) return true;
    }
    i = runEnd;
  }
  return false;
}
