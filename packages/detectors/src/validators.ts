/**
 * Check-digit and issuer validators. They take the canonical value (ASCII digits and
 * upper-case letters only) and never throw.
 */
import luhn from 'luhn';

/** Luhn (mod 10) check over a string of ASCII digits, through the `luhn` package. */
export function luhnValid(digits: string): boolean {
  return luhn.validate(digits);
}

/**
 * NPI check: the tenth digit is a Luhn check digit over the prefix `80840` followed by the
 * first nine digits (CMS, "Check digit for the NPI").
 */
export function npiValid(digits: string): boolean {
  return digits.length === 10 && (digits[0] === '1' || digits[0] === '2') && luhn.validate('80840' + digits);
}

/**
 * Weighted mod-11 check: weights from `length` down to 2 on all digits but the last;
 * `11 - (sum mod 11)` is the check digit, 11 becomes 0 and 10 is invalid. For 10 digits this
 * is exactly the NHS number rule (weights 10..2).
 */
export function mod11Valid(digits: string): boolean {
  const n = digits.length;
  if (n < 2) return false;
  let sum = 0;
  for (let i = 0; i < n - 1; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * (n - i);
  }
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === digits.charCodeAt(n - 1) - 48;
}

/** NHS number: 10 digits passing the mod-11 check. */
export function nhsValid(digits: string): boolean {
  return digits.length === 10 && mod11Valid(digits);
}

/** Published sample SSNs that were never assigned to a person (SSA). */
const SAMPLE_SSNS = new Set(['078051120', '219099999', '123456789']);

/** SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. */
export function ssnIssuable(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (digits.slice(3, 5) === '00') return false;
  if (digits.slice(5) === '0000') return false;
  return true;
}

/** An SSN that could be a real one: issuable and not a well-known published sample. */
export function ssnValid(digits: string): boolean {
  return ssnIssuable(digits) && !SAMPLE_SSNS.has(digits);
}

interface CardBrandRule {
  brand: string;
  /** Inclusive numeric ranges of the leading `prefixLength` digits. */
  prefixLength: number;
  from: number;
  to: number;
  minLength: number;
  maxLength: number;
  lengths?: readonly number[];
}

/** IIN ranges and lengths from detector-rules.md (ISO/IEC 7812 as the networks publish them). */
const CARD_RULES: readonly CardBrandRule[] = [
  { brand: 'visa', prefixLength: 1, from: 4, to: 4, minLength: 13, maxLength: 19, lengths: [13, 16, 19] },
  { brand: 'mastercard', prefixLength: 2, from: 51, to: 55, minLength: 16, maxLength: 16 },
  { brand: 'mastercard', prefixLength: 4, from: 2221, to: 2720, minLength: 16, maxLength: 16 },
  { brand: 'amex', prefixLength: 2, from: 34, to: 34, minLength: 15, maxLength: 15 },
  { brand: 'amex', prefixLength: 2, from: 37, to: 37, minLength: 15, maxLength: 15 },
  { brand: 'discover', prefixLength: 4, from: 6011, to: 6011, minLength: 16, maxLength: 19 },
  { brand: 'discover', prefixLength: 3, from: 644, to: 649, minLength: 16, maxLength: 19 },
  { brand: 'discover', prefixLength: 2, from: 65, to: 65, minLength: 16, maxLength: 19 },
  { brand: 'discover', prefixLength: 6, from: 622126, to: 622925, minLength: 16, maxLength: 19 },
  { brand: 'jcb', prefixLength: 4, from: 3528, to: 3589, minLength: 16, maxLength: 19 },
  { brand: 'diners', prefixLength: 3, from: 300, to: 305, minLength: 14, maxLength: 19 },
  { brand: 'diners', prefixLength: 2, from: 36, to: 36, minLength: 14, maxLength: 19 },
  { brand: 'diners', prefixLength: 2, from: 38, to: 39, minLength: 14, maxLength: 19 },
  { brand: 'unionpay', prefixLength: 2, from: 62, to: 62, minLength: 16, maxLength: 19 },
  { brand: 'maestro', prefixLength: 2, from: 50, to: 50, minLength: 12, maxLength: 19 },
  { brand: 'maestro', prefixLength: 2, from: 56, to: 69, minLength: 12, maxLength: 19 },
];

/** The card network whose IIN range and length fit `digits`, or `null`. Does not check Luhn. */
export function cardBrand(digits: string): string | null {
  const len = digits.length;
  if (len < 12 || len > 19) return null;
  // Leading-digit prefixes as numbers, computed once (this runs for every card-shaped candidate).
  let prefix = 0;
  const prefixes = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 6; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    prefix = prefix * 10 + d;
    prefixes[i + 1] = prefix;
  }
  for (const rule of CARD_RULES) {
    if (len < rule.minLength || len > rule.maxLength) continue;
    if (rule.lengths && !rule.lengths.includes(len)) continue;
    const p = prefixes[rule.prefixLength] as number;
    if (p >= rule.from && p <= rule.to) return rule.brand;
  }
  return null;
}

/** A primary account number: a known IIN range and length, and a passing Luhn check. */
export function cardValid(digits: string): boolean {
  return cardBrand(digits) !== null && luhnValid(digits);
}
