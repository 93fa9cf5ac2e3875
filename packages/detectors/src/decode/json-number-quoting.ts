/**
 * Masking the digits of a JSON number (`{"ssn": 536221234}`) with `*` would leave invalid
 * JSON. For whole bodies, a redacted number token is rewritten as a string of the same
 * length: `*****1234` becomes `"***1234"` (the two quotes take the place of the first two
 * characters), so the document still parses and the kept trailing digits stay visible.
 */
import { readDocumentText } from './document-locations.js';
import { walkJson } from './json-walker.js';

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
  const tokens: number[] = [];
  const last = Math.max(...redacted.map((span) => span.end));
  const valid = walkJson(doc.units, doc.start, (kind, start, end) => {
    const byteStart = start * size;
    const byteEnd = end * size;
    if (kind === 'number' && end - start >= 3 && redacted.some((span) => span.start < byteEnd && span.end > byteStart)) tokens.push(byteStart, byteEnd);
    return byteEnd < last;
  });
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
