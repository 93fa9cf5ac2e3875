import { ssnIssuable } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

const BIC = '[A-Za-z][A-Za-z0-9]?';

/**
 * Legacy Medicare Health Insurance Claim Number. SSA form: an SSN-shaped number plus a
 * Beneficiary Identification Code (`123-45-6789A`, `123456789B1`). Railroad Retirement Board
 * form: a 1–3 letter prefix and 6 or 9 digits (`WA123456789`), generic enough that it is
 * `low` without a keyword.
 */
export const usHicn: DetectorDefinition = {
  id: 'us_hicn',
  shapes: [
    ...grouped(['\\d{3}', '\\d{2}', `\\d{4}${BIC}`]),
    `\\d{9}${BIC}`,
  ],
  weakShapes: ['[A-Z]{1,3}(?:\\d{9}|\\d{6})'],
  maxLength: 13,
  keywords: ['hicn', 'hic no', 'hic#', 'hic number', 'health insurance claim', 'claim number', 'medicare', 'railroad'],
  evaluate(text, canonical) {
    const first = text.charCodeAt(0);
    if (first >= 48 && first <= 57) {
      return ssnIssuable(canonical.slice(0, 9)) ? 'medium' : null;
    }
    return 'low';
  },
};
