/**
 * Redaction in the encoding a value was sent in: each encoded character is overwritten by a
 * mask character written the same way and in the same number of bytes, so a JSON string
 * stays a JSON string, an XML text node stays well-formed and a form stays a form.
 *
 * `%31` → `%2A`, `\u0031` → `\u002A`, `&#49;` → `&#42;`, `&#x31;` → `&#x2A;`; a full-width
 * character gets the full-width mask `＊`: `１` → `＊`, `%EF%BC%91` → `%EF%BC%8A`,
 * `&#65297;` → `&#65290;`. Where the original form cannot hold the mask in its length (a
 * two-byte `é`, `&amp;`, `\"`), the span is filled with ASCII `*` (or `%2A` runs), which
 * is valid in every one of these documents.
 */
import {
  EncodedChar,
  readEncodedChar,
  FLAG_UTF16,
  KIND_LITERAL,
  KIND_PERCENT,
  KIND_JSON_UNICODE,
  KIND_ENTITY_DECIMAL,
  KIND_ENTITY_HEX,
  KIND_CDATA_OPEN,
  KIND_CDATA_CLOSE,
  type CodeUnits,
} from './encoded-char.js';
import { ASCII_MASK, FULLWIDTH_MASK, REMOVED, foldCodePoint, isFullWidth } from './fold.js';

/** How the raw bytes form code units. */
export interface RawTextLayout {
  /** 1 for ASCII-compatible text, 2 for UTF-16. */
  unitSize: 1 | 2;
  bigEndian: boolean;
  /** `encoded-char` flags (form body, …) that were in force when the text was read. */
  flags: number;
}

/**
 * Masks every character encoded in `raw[offset, offset + length)`. Zero-width characters and
 * CDATA markers inside the span are left as they are: they carry no part of the value.
 */
export function maskEncodedChars(raw: Buffer, offset: number, length: number, layout: RawTextLayout): void {
  const units = readUnits(raw, offset, length, layout);
  const flags = layout.flags | (layout.unitSize === 2 ? FLAG_UTF16 : 0);
  const char = new EncodedChar();
  let i = 0;
  while (i < units.length) {
    readEncodedChar(units, i, units.length, true, flags, char);
    const end = i + char.length;
    if (char.kind !== KIND_CDATA_OPEN && char.kind !== KIND_CDATA_CLOSE && foldCodePoint(char.codePoint) !== REMOVED) {
      writeMask(units, i, end, char, layout.unitSize);
    }
    i = end;
  }
  writeUnits(raw, offset, units, layout);
}

function readUnits(raw: Buffer, offset: number, length: number, layout: RawTextLayout): CodeUnits {
  if (layout.unitSize === 1) return Uint8Array.prototype.slice.call(raw, offset, offset + length);
  const units = new Uint16Array(length >> 1);
  for (let k = 0; k < units.length; k++) {
    const at = offset + 2 * k;
    units[k] = layout.bigEndian ? (raw[at] << 8) | raw[at + 1] : raw[at] | (raw[at + 1] << 8);
  }
  return units;
}

function writeUnits(raw: Buffer, offset: number, units: CodeUnits, layout: RawTextLayout): void {
  if (layout.unitSize === 1) {
    raw.set(units, offset);
    return;
  }
  for (let k = 0; k < units.length; k++) {
    const at = offset + 2 * k;
    const hi = units[k] >> 8;
    const lo = units[k] & 0xff;
    raw[at] = layout.bigEndian ? hi : lo;
    raw[at + 1] = layout.bigEndian ? lo : hi;
  }
}

function writeMask(u: CodeUnits, start: number, end: number, char: EncodedChar, unitSize: 1 | 2): void {
  const mask = isFullWidth(char.codePoint) ? FULLWIDTH_MASK : ASCII_MASK;
  const lower = hasLowerHexLetter(u, start, end);
  let text: string | undefined;
  switch (char.kind) {
    case KIND_LITERAL:
      if (unitSize === 2 && end - start === 1) {
        u[start] = mask;
        return;
      }
      if (unitSize === 1 && mask === FULLWIDTH_MASK && end - start === 3) {
        u.set(UTF8_FULLWIDTH_MASK, start);
        return;
      }
      break;
    case KIND_PERCENT:
      text = percentEncodeUtf8(mask, lower);
      if (text.length !== end - start) text = '%2A'.repeat((end - start) / 3);
      break;
    case KIND_JSON_UNICODE:
      text = end - start === 6 ? '\\u' + hex(mask, 4, lower) : '\\u002A'.repeat((end - start) / 6);
      break;
    case KIND_ENTITY_DECIMAL:
    case KIND_ENTITY_HEX:
      text = numericReference(mask, end - start, char.kind === KIND_ENTITY_HEX, u[start + 2], lower);
      break;
  }
  if (text !== undefined && text.length === end - start) {
    for (let k = 0; k < text.length; k++) u[start + k] = text.charCodeAt(k);
    return;
  }
  u.fill(ASCII_MASK, start, end);
}

const UTF8_FULLWIDTH_MASK = Uint8Array.of(0xef, 0xbc, 0x8a);

function hex(value: number, digits: number, lower: boolean): string {
  const s = value.toString(16).padStart(digits, '0');
  return lower ? s : s.toUpperCase();
}

function hasLowerHexLetter(u: CodeUnits, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (u[k] >= 0x61 && u[k] <= 0x66) return true;
  return false;
}

function percentEncodeUtf8(cp: number, lower: boolean): string {
  let text = '';
  for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) text += '%' + hex(byte, 2, lower);
  return text;
}

/** `&#…;` of the same length in the original's radix, else in the other radix; `undefined` when neither fits. */
function numericReference(cp: number, length: number, hexForm: boolean, marker: number, lower: boolean): string | undefined {
  const decimal = (digits: number) => {
    const s = String(cp).padStart(digits, '0');
    return s.length === digits ? `&#${s};` : undefined;
  };
  const hexadecimal = (digits: number, x: string) => {
    const s = hex(cp, digits, lower);
    return digits > 0 && s.length === digits ? `&#${x}${s};` : undefined;
  };
  if (hexForm) return hexadecimal(length - 4, String.fromCharCode(marker)) ?? decimal(length - 3);
  return decimal(length - 3) ?? hexadecimal(length - 4, 'x');
}

