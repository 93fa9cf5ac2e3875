/** Whether a byte is an ASCII letter or digit: the characters a mask replaces. */
export function isAlnumByte(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
}

/** Whether a byte (or char code) is an ASCII upper-case letter. */
export function isUpperByte(b: number): boolean {
  return b >= 65 && b <= 90;
}

/** Whether a byte (or char code) is an ASCII lower-case letter. */
export function isLowerByte(b: number): boolean {
  return b >= 97 && b <= 122;
}

/** Whether a byte (or char code) is an ASCII letter. */
export function isLetterByte(b: number): boolean {
  return isUpperByte(b) || isLowerByte(b);
}

/** Whether a byte is an RE2 `\w` character (ASCII letter, digit or underscore). */
export function isWordByte(b: number): boolean {
  return isAlnumByte(b) || b === 95;
}

/**
 * The canonical form of a matched value: its ASCII letters and digits, upper-cased.
 * `4111 1111-1111 1111` and `4111111111111111` share one canonical form (and fingerprint).
 */
export function canonicalize(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(c - 32);
    else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) out += text[i];
  }
  return out;
}

/**
 * The value with its letters and digits replaced by `*`, separators kept, and the last
 * `keepLast` letters/digits left visible: `***-**-6789`.
 */
export function maskText(text: string, keepLast: number): string {
  let alnum = 0;
  for (let i = 0; i < text.length; i++) if (isAlnumByte(text.charCodeAt(i))) alnum++;
  let seen = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isAlnumByte(c)) {
      seen++;
      out += seen > alnum - keepLast ? text[i] : '*';
    } else {
      out += text[i];
    }
  }
  return out;
}
