/**
 * What a `Content-Type` header declares that matters to decoding: the document syntax
 * (for `+` in forms and for locations) and the character set (UTF-16 is viewed through a
 * transcoding layer; everything else is read as UTF-8 with single-byte fallback).
 */

/** Document syntaxes the decoders and the locators know. */
export type DocumentSyntax = 'json' | 'xml' | 'form' | 'other';

/** Character encodings of the raw text that change how bytes form characters. */
export type TextCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-16';

export interface DeclaredContentType {
  readonly syntax: DocumentSyntax;
  /** A sequence of JSON documents, one per line or record (NDJSON, JSON Lines, JSON text sequences). */
  readonly jsonSequence: boolean;
  /** `utf-16` means "UTF-16, byte order from the BOM or the content"; `utf-8` covers any ASCII-compatible charset. */
  readonly charset: TextCharset;
  /** Whether the header named a charset at all (a BOM may still override an ASCII-compatible one). */
  readonly charsetDeclared: boolean;
}

const UTF16_NAMES: Record<string, TextCharset> = {
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
  'utf-16be': 'utf-16be',
  utf16be: 'utf-16be',
  'ucs-2': 'utf-16le',
  'iso-10646-ucs-2': 'utf-16le',
};

/** Parses a `Content-Type` value. Unknown or absent types are `other`, read as UTF-8. */
export function parseContentType(contentType: string | undefined): DeclaredContentType {
  if (!contentType) return UNDECLARED;
  // A body's content type is read three times per scan, and a service sends a handful of them.
  let declared = PARSED.get(contentType);
  if (declared === undefined) {
    declared = Object.freeze(parseUncached(contentType));
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
    PARSED.set(contentType, declared);
  }
  return declared;
}

const UNDECLARED: DeclaredContentType = Object.freeze({ syntax: 'other', jsonSequence: false, charset: 'utf-8', charsetDeclared: false });
const PARSED = new Map<string, DeclaredContentType>();
const PARSED_LIMIT = 256;

function parseUncached(contentType: string): DeclaredContentType {
  const parts = contentType.split(';');
  const mediaType = parts[0].trim().toLowerCase();
  let charset: TextCharset = 'utf-8';
  let charsetDeclared = false;
  for (let i = 1; i < parts.length; i++) {
    const eq = parts[i].indexOf('=');
    if (eq < 0) continue;
    if (parts[i].slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = parts[i]
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    charsetDeclared = true;
    charset = UTF16_NAMES[value] ?? 'utf-8';
  }
  return { syntax: syntaxOf(mediaType), jsonSequence: JSON_SEQUENCE_TYPES.has(mediaType), charset, charsetDeclared };
}

/** The JSON types whose body is a sequence of documents (NDJSON, JSON Lines, JSON text sequences). */
const JSON_SEQUENCE_TYPES: ReadonlySet<string> = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonl',
  'application/jsonlines',
  'application/x-jsonlines',
  'application/json-seq',
]);

/**
 * JSON media types besides `*+json`: the older `x-json` names and the sequences, whose records
 * are JSON documents too. A redacted number in them must stay a valid token.
 */
const JSON_TYPES: ReadonlySet<string> = new Set(['application/json', 'text/json', 'application/x-json', 'text/x-json', ...JSON_SEQUENCE_TYPES]);

function syntaxOf(mediaType: string): DocumentSyntax {
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  if (JSON_TYPES.has(mediaType) || mediaType.endsWith('+json')) return 'json';
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) return 'xml';
  return 'other';
}

/** Character encodings raw bytes are read in, once the body's first bytes are known. */
export type RawCharset = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The charset of a body from its declaration and its first two bytes (`undefined` when the
 * body has fewer). A UTF-16 BOM wins over an ASCII-compatible declaration, as in browsers;
 * `charset=utf-16` without a BOM is read in the byte order the zero bytes of ASCII text
 * show, big-endian when they show none (RFC 2781).
 */
export function resolveRawCharset(declared: DeclaredContentType, first: number | undefined, second: number | undefined): RawCharset {
  if (declared.charset === 'utf-16le' || declared.charset === 'utf-16be') return declared.charset;
  if (first === 0xff && second === 0xfe) return 'utf-16le';
  if (first === 0xfe && second === 0xff) return 'utf-16be';
  if (declared.charset !== 'utf-16') return 'utf-8';
  return first !== undefined && first !== 0 && second === 0 ? 'utf-16le' : 'utf-16be';
}
