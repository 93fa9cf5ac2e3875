/**
 * Reads one encoded character of raw text: a literal (ASCII, a UTF-8 sequence, a UTF-16
 * unit or surrogate pair), a percent-escape (one `%XX`, or the `%XX` run of one UTF-8
 * sequence), a JSON escape (`\uXXXX`, a surrogate pair of them, or `\n`-style), an XML/HTML
 * character reference (`&#49;`, `&#x31;`, `&amp;`), a form `+`, or a CDATA marker.
 *
 * The input is an array of code units: bytes for ASCII-compatible text, 16-bit units for
 * UTF-16. Escape syntax is ASCII either way. The reader is pure: the caller keeps the
 * state (form body, inside CDATA) and passes it in `flags`.
 *
 * Chunk independence rests on one rule: when the units seen so far cannot decide what the
 * character is, `readEncodedChar` returns `false` (unless `final`), and the caller retries
 * from the same unit once more input arrived. With `final`, a sequence cut by the end of
 * input is read as literal text, exactly as it would be if more (non-matching) input followed.
 */
import { namedEntityCodePoint, MAX_ENTITY_NAME_LENGTH } from './named-entities.js';

/** How the character was written; decides how redaction rewrites it. */
export const KIND_LITERAL = 0;
export const KIND_PERCENT = 1;
export const KIND_JSON_UNICODE = 2;
export const KIND_JSON_SHORT = 3;
export const KIND_ENTITY_DECIMAL = 4;
export const KIND_ENTITY_HEX = 5;
export const KIND_ENTITY_NAMED = 6;
export const KIND_FORM_PLUS = 7;
export const KIND_CDATA_OPEN = 8;
export const KIND_CDATA_CLOSE = 9;

/** `flags` bits. */
export const FLAG_UTF16 = 1;
export const FLAG_FORM = 2;
export const FLAG_IN_CDATA = 4;

/** Code point given to malformed sequences (lone surrogates, bad UTF-8, out-of-range references). */
export const INVALID_CODE_POINT = 0xfffd;

/** The longest encoded character, in units (`&` + the longest entity name + `;`); bounds what a decoder holds back. */
export const MAX_ENCODED_CHAR_UNITS = MAX_ENTITY_NAME_LENGTH + 2;

/** Most digits read in a numeric character reference (leading zeros included). */
const MAX_REFERENCE_DIGITS = 8;

export type CodeUnits = Uint8Array | Uint16Array;

/** Output of `readEncodedChar`; one instance is reused to keep the hot loop allocation-free. */
export class EncodedChar {
  codePoint = 0;
  /** Length in code units. */
  length = 0;
  kind = KIND_LITERAL;
}

/**
 * The view byte of each ASCII unit that is a whole character by itself (itself, or a space
 * for `+` in forms), or -1 for a unit that may start an escape. One table per combination
 * of `FLAG_FORM`, `FLAG_IN_CDATA` and "no `;` ahead" (then `&` cannot start a reference).
 * In a form body `&` separates fields and `<` arrives percent-encoded, so neither starts an
 * entity or a CDATA section there.
 */
export const PLAIN_VIEW_BYTE: readonly Int16Array[] = [0, 1, 2, 3, 4, 5, 6, 7].map((variant) => {
  const table = new Int16Array(128);
  for (let c = 0; c < 128; c++) table[c] = c;
  table[0x25] = -1; // %
  table[0x5c] = -1; // \
  if (variant & 1) {
    table[0x2b] = 0x20; // + is a space in forms
  } else {
    if (!(variant & 4)) table[0x26] = -1; // &
    if (variant & 2) table[0x5d] = -1; // ] may close CDATA
    else table[0x3c] = -1; // < may open CDATA
  }
  return table;
});

/** Index into `PLAIN_VIEW_BYTE` for a set of flags, and whether a `;` may still follow. */
export function plainTableIndex(flags: number, semicolonAhead = true): number {
  return (flags & FLAG_FORM ? 1 : 0) | (flags & FLAG_IN_CDATA ? 2 : 0) | (semicolonAhead ? 0 : 4);
}

/** Value of an ASCII hex digit, -1 for any other unit below 0x80. */
export const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX_VALUE[0x30 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX_VALUE[0x41 + d] = 10 + d;
  HEX_VALUE[0x61 + d] = 10 + d;
}

function hexDigit(unit: number): number {
  return unit < 0x80 ? HEX_VALUE[unit] : -1;
}

/** Value of the `count` hex digits at `at`, or -1. The caller guarantees they are in range. */
function hexValue(u: CodeUnits, at: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = hexDigit(u[at + k]);
    if (d < 0) return -1;
    value = (value << 4) | d;
  }
  return value;
}

/** Number of continuation bytes a UTF-8 lead byte announces, or -1 for a byte that cannot lead. */
function utf8ContinuationCount(lead: number): number {
  if (lead < 0x80) return 0;
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return -1;
}

const UTF8_MIN_CODE_POINT = [0, 0x80, 0x800, 0x10000];

/** Rejects overlong forms, surrogates and values past U+10FFFF, as strict UTF-8 decoders do. */
function validUtf8CodePoint(cp: number, continuation: number): boolean {
  return cp >= UTF8_MIN_CODE_POINT[continuation] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

function setChar(out: EncodedChar, codePoint: number, length: number, kind: number): true {
  out.codePoint = codePoint;
  out.length = length;
  out.kind = kind;
  return true;
}

/**
 * Reads the character starting at `u[i]` (with `i < n`). Returns `false` when the units up
 * to `n` cannot decide it and more input may follow (`final` false); `out` is then untouched.
 */
export function readEncodedChar(u: CodeUnits, i: number, n: number, final: boolean, flags: number, out: EncodedChar): boolean {
  const c = u[i];
  if (c >= 0x80) return flags & FLAG_UTF16 ? readUtf16Literal(u, i, n, final, out) : readUtf8Literal(u, i, n, final, out);
  switch (c) {
    case 0x25:
      return readPercent(u, i, n, final, out);
    case 0x5c:
      return readBackslash(u, i, n, final, out);
    case 0x26:
      if (!(flags & FLAG_FORM)) return readReference(u, i, n, final, out);
      break;
    case 0x3c:
      if (!(flags & (FLAG_IN_CDATA | FLAG_FORM))) return readCdataOpen(u, i, n, final, out);
      break;
    case 0x5d:
      if (flags & FLAG_IN_CDATA) return readCdataClose(u, i, n, final, out);
      break;
    case 0x2b:
      if (flags & FLAG_FORM) return setChar(out, 0x20, 1, KIND_FORM_PLUS);
      break;
  }
  return setChar(out, c, 1, KIND_LITERAL);
}

function readUtf8Literal(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  const lead = u[i];
  const continuation = utf8ContinuationCount(lead);
  if (continuation < 0) return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
  let cp = lead & (0x3f >> continuation);
  for (let k = 1; k <= continuation; k++) {
    if (i + k >= n) {
      if (!final) return false;
      return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
    }
    const b = u[i + k];
    if ((b & 0xc0) !== 0x80) return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
    cp = (cp << 6) | (b & 0x3f);
  }
  if (!validUtf8CodePoint(cp, continuation)) return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
  return setChar(out, cp, continuation + 1, KIND_LITERAL);
}

function readUtf16Literal(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  const c = u[i];
  if (c >= 0xd800 && c <= 0xdbff) {
    if (i + 1 >= n) {
      if (!final) return false;
      return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
    }
    const low = u[i + 1];
    if (low >= 0xdc00 && low <= 0xdfff) return setChar(out, 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00), 2, KIND_LITERAL);
    return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
  }
  if (c >= 0xdc00 && c <= 0xdfff) return setChar(out, INVALID_CODE_POINT, 1, KIND_LITERAL);
  return setChar(out, c, 1, KIND_LITERAL);
}

/** `%XX`, or the `%XX%XX…` run of one UTF-8 sequence (`%EF%BC%91` is one full-width digit). */
function readPercent(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  if (i + 2 >= n) {
    if (!final) return false;
    return setChar(out, 0x25, 1, KIND_LITERAL);
  }
  const lead = hexValue(u, i + 1, 2);
  if (lead < 0) return setChar(out, 0x25, 1, KIND_LITERAL);
  const continuation = utf8ContinuationCount(lead);
  if (continuation === 0) return setChar(out, lead, 3, KIND_PERCENT);
  if (continuation < 0) return setChar(out, INVALID_CODE_POINT, 3, KIND_PERCENT);
  let cp = lead & (0x3f >> continuation);
  for (let k = 1; k <= continuation; k++) {
    const j = i + 3 * k;
    if (j + 2 >= n) {
      if (!final) return false;
      return setChar(out, INVALID_CODE_POINT, 3, KIND_PERCENT);
    }
    const b = u[j] === 0x25 ? hexValue(u, j + 1, 2) : -1;
    if (b < 0 || (b & 0xc0) !== 0x80) return setChar(out, INVALID_CODE_POINT, 3, KIND_PERCENT);
    cp = (cp << 6) | (b & 0x3f);
  }
  if (!validUtf8CodePoint(cp, continuation)) return setChar(out, INVALID_CODE_POINT, 3, KIND_PERCENT);
  return setChar(out, cp, 3 * (continuation + 1), KIND_PERCENT);
}

/** JSON escapes. Decoded in any body: JSON strings travel inside text, forms and logs too. */
function readBackslash(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  if (i + 1 >= n) {
    if (!final) return false;
    return setChar(out, 0x5c, 1, KIND_LITERAL);
  }
  switch (u[i + 1]) {
    case 0x75: // u
      break;
    case 0x22:
      return setChar(out, 0x22, 2, KIND_JSON_SHORT);
    case 0x5c:
      return setChar(out, 0x5c, 2, KIND_JSON_SHORT);
    case 0x2f:
      return setChar(out, 0x2f, 2, KIND_JSON_SHORT);
    case 0x62:
      return setChar(out, 0x08, 2, KIND_JSON_SHORT);
    case 0x66:
      return setChar(out, 0x0c, 2, KIND_JSON_SHORT);
    case 0x6e:
      return setChar(out, 0x0a, 2, KIND_JSON_SHORT);
    case 0x72:
      return setChar(out, 0x0d, 2, KIND_JSON_SHORT);
    case 0x74:
      return setChar(out, 0x09, 2, KIND_JSON_SHORT);
    default:
      return setChar(out, 0x5c, 1, KIND_LITERAL);
  }
  if (i + 5 >= n) {
    if (!final) return false;
    return setChar(out, 0x5c, 1, KIND_LITERAL);
  }
  const unit = hexValue(u, i + 2, 4);
  if (unit < 0) return setChar(out, 0x5c, 1, KIND_LITERAL);
  if (unit >= 0xdc00 && unit <= 0xdfff) return setChar(out, INVALID_CODE_POINT, 6, KIND_JSON_UNICODE);
  if (unit < 0xd800 || unit > 0xdbff) return setChar(out, unit, 6, KIND_JSON_UNICODE);
  // A high surrogate: one character with the `\uXXXX` low surrogate that should follow.
  if (i + 11 >= n) {
    if (!final) return false;
    return setChar(out, INVALID_CODE_POINT, 6, KIND_JSON_UNICODE);
  }
  const low = u[i + 6] === 0x5c && u[i + 7] === 0x75 ? hexValue(u, i + 8, 4) : -1;
  if (low < 0xdc00 || low > 0xdfff) return setChar(out, INVALID_CODE_POINT, 6, KIND_JSON_UNICODE);
  return setChar(out, 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00), 12, KIND_JSON_UNICODE);
}

function isAsciiAlphanumeric(unit: number): boolean {
  return (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a);
}

/** `&#49;`, `&#x31;`, `&name;`. The `;` is required, as XML requires it. */
function readReference(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  if (i + 1 >= n) {
    if (!final) return false;
    return setChar(out, 0x26, 1, KIND_LITERAL);
  }
  const second = u[i + 1];
  if (second === 0x23) return readNumericReference(u, i, n, final, out);
  if (!isAsciiAlphanumeric(second)) return setChar(out, 0x26, 1, KIND_LITERAL);
  let j = i + 1;
  while (j < n && j - i - 1 < MAX_ENTITY_NAME_LENGTH && isAsciiAlphanumeric(u[j])) j++;
  if (j >= n) {
    if (!final) return false;
    return setChar(out, 0x26, 1, KIND_LITERAL);
  }
  if (u[j] !== 0x3b) return setChar(out, 0x26, 1, KIND_LITERAL);
  const cp = namedEntityCodePoint(String.fromCharCode(...u.subarray(i + 1, j)));
  if (cp === undefined) return setChar(out, 0x26, 1, KIND_LITERAL);
  return setChar(out, cp, j + 1 - i, KIND_ENTITY_NAMED);
}

function readNumericReference(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  if (i + 2 >= n) {
    if (!final) return false;
    return setChar(out, 0x26, 1, KIND_LITERAL);
  }
  const hex = u[i + 2] === 0x78 || u[i + 2] === 0x58;
  const digitsStart = hex ? i + 3 : i + 2;
  let value = 0;
  for (let j = digitsStart; ; j++) {
    if (j >= n) {
      if (!final) return false;
      return setChar(out, 0x26, 1, KIND_LITERAL);
    }
    const unit = u[j];
    if (unit === 0x3b && j > digitsStart) {
      const valid = value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff);
      return setChar(out, valid ? value : INVALID_CODE_POINT, j + 1 - i, hex ? KIND_ENTITY_HEX : KIND_ENTITY_DECIMAL);
    }
    const d = hex ? hexDigit(unit) : unit >= 0x30 && unit <= 0x39 ? unit - 0x30 : -1;
    if (d < 0 || j - digitsStart >= MAX_REFERENCE_DIGITS) return setChar(out, 0x26, 1, KIND_LITERAL);
    value = value * (hex ? 16 : 10) + d;
  }
}

const CDATA_OPEN = [0x3c, 0x21, 0x5b, 0x43, 0x44, 0x41, 0x54, 0x41, 0x5b]; // <![CDATA[

function readCdataOpen(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  for (let k = 1; k < CDATA_OPEN.length; k++) {
    if (i + k >= n) {
      if (!final) return false;
      return setChar(out, 0x3c, 1, KIND_LITERAL);
    }
    if (u[i + k] !== CDATA_OPEN[k]) return setChar(out, 0x3c, 1, KIND_LITERAL);
  }
  return setChar(out, -1, CDATA_OPEN.length, KIND_CDATA_OPEN);
}

function readCdataClose(u: CodeUnits, i: number, n: number, final: boolean, out: EncodedChar): boolean {
  if (i + 2 >= n) {
    if (!final) return false;
    return setChar(out, 0x5d, 1, KIND_LITERAL);
  }
  if (u[i + 1] === 0x5d && u[i + 2] === 0x3e) return setChar(out, -1, 3, KIND_CDATA_CLOSE);
  return setChar(out, 0x5d, 1, KIND_LITERAL);
}
