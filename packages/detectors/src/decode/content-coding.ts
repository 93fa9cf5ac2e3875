/**
 * `Content-Encoding` values: the codings of a body in the order they were applied
 * (`gzip, br` means gzip first, then br; decoding undoes br first).
 */
import { DecodeError } from '../errors.js';

/** Codings the engine can undo and redo. */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

const CODINGS: Record<string, ContentCoding | null> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  identity: null,
};

/** IANA-registered codings the engine cannot undo: the only unsupported values an error names. */
const KNOWN_UNSUPPORTED: ReadonlySet<string> = new Set(['compress', 'x-compress', 'zstd', 'dcb', 'dcz', 'aes128gcm', 'exi', 'pack200-gzip']);

/**
 * Parses a `Content-Encoding` header value into the codings applied, in application order.
 * `identity` and empty items are dropped; anything else unknown (`zstd`, `compress`) is a
 * `DecodeError`: a body the engine cannot read must not pass as if it had been inspected.
 */
export function parseContentEncoding(header: string | undefined): ContentCoding[] {
  if (!header) return [];
  const codings: ContentCoding[] = [];
  for (const item of header.split(',')) {
    const name = item.trim().toLowerCase();
    if (name === '') continue;
    const coding = CODINGS[name];
    if (coding === undefined) {
      // The header is client text and is not inspected: only a registered coding name is echoed.
      const shown = KNOWN_UNSUPPORTED.has(name) ? `"${name}"` : '(not a registered coding)';
      throw new DecodeError(`unsupported content-encoding ${shown}; supported: gzip, deflate, br, identity`);
    }
    if (coding !== null) codings.push(coding);
  }
  return codings;
}

/** The header value for a list of codings (`identity` when there are none). */
export function formatContentEncoding(codings: readonly ContentCoding[]): string {
  return codings.length === 0 ? 'identity' : codings.join(', ');
}
