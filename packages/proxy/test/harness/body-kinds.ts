/**
 * The body kinds every action is tested on: framing (Content-Length, chunked), content
 * encodings (gzip, br) and content types (form, JSON, XML). Each holds planted values and knows
 * what the body looks like once they are masked.
 */
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createEngine } from '@leakguard/detectors';
import { PLANTED } from './planted-values.js';

export interface BodyKind {
  name: string;
  contentType: string;
  encoding?: 'gzip' | 'br';
  /** Sent without Content-Length (chunked transfer coding). */
  chunked?: boolean;
  /** The body text with the given values in it. */
  text(values: { ssn: string; card: string; mbi: string }): string;
}

const json = (v: { ssn: string; card: string; mbi: string }): string =>
  `{"patient":{"name":"Test Patient 011","ssn":"${v.ssn}","medicare":{"mbi":"${v.mbi}"}},"payment":{"card":"${v.card}","amount":"12.50"},"notes":"${'lorem ipsum '.repeat(20)}"}`;

export const BODY_KINDS: readonly BodyKind[] = [
  { name: 'identity', contentType: 'text/plain; charset=utf-8', text: (v) => `Patient ssn ${v.ssn}\ncard ${v.card}\nmedicare mbi ${v.mbi}\n${'filler line\n'.repeat(10)}` },
  { name: 'chunked', contentType: 'text/plain; charset=utf-8', chunked: true, text: (v) => `ssn: ${v.ssn}; card: ${v.card}; mbi: ${v.mbi}; ${'more text '.repeat(30)}` },
  { name: 'gzip', contentType: 'application/json', encoding: 'gzip', text: json },
  { name: 'br', contentType: 'application/json', encoding: 'br', text: json },
  { name: 'form', contentType: 'application/x-www-form-urlencoded', text: (v) => `name=Test+Patient&ssn=${v.ssn}&card=${v.card.replace(/ /g, '')}&mbi=${v.mbi}&note=hello` },
  { name: 'json', contentType: 'application/json', text: json },
  { name: 'xml', contentType: 'application/xml', text: (v) => `<?xml version="1.0" encoding="UTF-8"?>\n<record>\n  <ssn>${v.ssn}</ssn>\n  <card>${v.card}</card>\n  <medicare><mbi>${v.mbi}</mbi></medicare>\n</record>\n` },
];

export const VALUES = { ssn: PLANTED.ssn, card: PLANTED.card, mbi: PLANTED.mbi };

/** Every letter and digit of a value masked, separators kept: what `redact` (keepLast 0) sends. */
export function masked(value: string): string {
  return value.replace(/[A-Za-z0-9]/g, '*');
}

export const MASKED_VALUES = { ssn: masked(VALUES.ssn), card: masked(VALUES.card), mbi: masked(VALUES.mbi) };

/** The bytes to send for a kind, and the headers that describe them. */
export function encodeBody(kind: BodyKind, text: string): { bytes: Buffer; headers: Record<string, string | number> } {
  let bytes = Buffer.from(text, 'utf8');
  if (kind.encoding === 'gzip') bytes = gzipSync(bytes);
  if (kind.encoding === 'br') bytes = brotliCompressSync(bytes);
  const headers: Record<string, string | number> = { 'content-type': kind.contentType };
  if (kind.encoding) headers['content-encoding'] = kind.encoding;
  if (kind.chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = bytes.length;
  return { bytes, headers };
}

/** Decodes a received body by its Content-Encoding header. */
export function decodeBody(bytes: Buffer, contentEncoding: string | string[] | undefined): Buffer {
  if (contentEncoding === 'gzip') return gunzipSync(bytes);
  if (contentEncoding === 'br') return brotliDecompressSync(bytes);
  return bytes;
}

/** Whether the engine decodes `Content-Encoding` bodies yet (the decoding work lands separately). */
export const ENGINE_DECODES_COMPRESSION = ((): boolean => {
  try {
    createEngine({}).createStream({ contentEncoding: 'gzip' }).destroy();
    return true;
  } catch {
    return false;
  }
})();
