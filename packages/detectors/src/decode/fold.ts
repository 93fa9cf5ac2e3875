/**
 * How a decoded character appears in the view the detectors match on: one byte per
 * character. ASCII stays itself, full-width forms and Unicode spaces fold to their ASCII
 * twins, zero-width characters vanish, and anything else becomes `OPAQUE_VIEW_BYTE`, which
 * no detector accepts as a digit, letter or separator (so `123é45é6789` is no SSN).
 */

/** The view byte of a non-ASCII character that has no ASCII twin. */
export const OPAQUE_VIEW_BYTE = 0x01;

/** `foldCodePoint` result for characters that are removed from the view. */
export const REMOVED = -1;

/** Mask characters written by redaction: ASCII `*` and its full-width twin `＊`. */
export const ASCII_MASK = 0x2a;
export const FULLWIDTH_MASK = 0xff0a;

/** Maps a code point to its view byte, or `REMOVED` for zero-width characters. */
export function foldCodePoint(cp: number): number {
  if (cp < 0x80) return cp;
  if (cp >= 0xff01 && cp <= 0xff5e) return cp - 0xfee0;
  switch (cp) {
    case 0x00ad: // soft hyphen
    case 0x200b: // zero width space
    case 0x200c: // zero width non-joiner
    case 0x200d: // zero width joiner
    case 0x2060: // word joiner
    case 0xfeff: // zero width no-break space / BOM
      return REMOVED;
    case 0x00a0: // no-break space (what `&nbsp;` decodes to)
    case 0x202f: // narrow no-break space
    case 0x205f: // medium mathematical space
    case 0x3000: // ideographic (full-width) space
      return 0x20;
  }
  if (cp >= 0x2000 && cp <= 0x200a) return 0x20; // en quad … hair space
  return OPAQUE_VIEW_BYTE;
}

/** Whether a character is written with the full-width mask `＊` rather than ASCII `*`. */
export function isFullWidth(cp: number): boolean {
  return (cp >= 0xff01 && cp <= 0xff5e) || cp === 0x3000;
}
