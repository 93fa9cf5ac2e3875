import { cardValid } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

// Contiguous forms, already narrowed to plausible IIN/length pairs so that timestamps, epoch
// millis and order ids rarely become candidates (each candidate costs a validation): 16–19
// digits, and Amex's 15.
const CONTIGUOUS = '4(?:\\d{18}|\\d{15})|(?:5[1-5]|2[2-7])\\d{14}|3[47]\\d{13}|3\\d{15,18}|(?:5[06-9]|6\\d)\\d{14,17}';
// Contiguous 12–15 digit forms (Visa 13, Diners 14–15, Maestro 12–15): SKUs, EAN-13 barcodes and
// counters of these lengths pass Luhn one time in ten, so they need a card keyword nearby.
const SHORT_CONTIGUOUS = '4\\d{12}|3[0-35689]\\d{12,13}|(?:5[06-9]|6\\d)\\d{10,13}';
const FIRST = '[2-6]\\d{3}';

/**
 * Payment card PAN (12–19 digits): contiguous or grouped by single spaces or dashes
 * (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3, 4-4-4, and the short last groups of 13–15 and 17–18
 * digit numbers). Valid only with a known IIN range for its length and a passing Luhn check.
 * `medium` without a keyword, except contiguous runs of 12–15 digits other than Amex and
 * 12 digits in three groups: `low`.
 */
export const paymentCard: DetectorDefinition = {
  id: 'payment_card',
  shapes: [
    // Longest groupings first: leftmost-first matching prefers them, and a 19-digit
    // candidate that fails validation is retried as its 16-digit prefix by the engine.
    ...grouped([FIRST, '\\d{4}', '\\d{4}', '\\d{4}', '\\d{1,3}']),
    ...grouped([FIRST, '\\d{4}', '\\d{4}', '\\d{1,4}']),
    ...grouped([FIRST, '\\d{6}', '\\d{4,5}']),
    CONTIGUOUS,
  ],
  // 12-digit numbers (Maestro) in three groups of four are also reference and order numbers.
  weakShapes: [SHORT_CONTIGUOUS, ...grouped([FIRST, '\\d{4}', '\\d{4}'])],
  maxLength: 23,
  keywords: [
    'card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb', 'diners',
    'unionpay', 'maestro', 'pan', 'ccn', 'cc#', 'cc', 'cardnumber', 'card number', 'creditcard', 'payment', 'account number',
  ],
  evaluate(text, canonical) {
    if (!cardValid(canonical)) return null;
    // Grouped (13 digits or more), 16 digits or more, or Amex: a card as printed. Shorter runs
    // and three groups of four: maybe an id.
    const amex = text.length === 15 && text.charCodeAt(0) === 0x33 && (text.charCodeAt(1) === 0x34 || text.charCodeAt(1) === 0x37);
    const separated = text.length !== canonical.length;
    return (separated && canonical.length > 12) || canonical.length >= 16 || amex ? 'medium' : 'low';
  },
};
