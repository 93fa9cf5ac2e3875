import { ssnIssuable } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

/** A Beneficiary Identification Code as printed after a separated number (`A`, `B1`, `HA`; any case). */
const BIC = '[A-Za-z][A-Za-z0-9]?';
/**
 * After a bare nine-digit number, upper case only: `123456789a` is far more often a hash, a
 * quantity (`536870912n` nanocores) or a unit (`…Ki`, `…ns`) than a claim number.
 */
const BARE_BIC = '[A-Z][A-Z0-9]?';

/**
 * Legacy Medicare Health Insurance Claim Number. SSA form: an SSN-shaped number plus a
 * Beneficiary Identification Code (`123-45-6789A`, `123456789B1`). Railroad Retirement Board
 * form: a 1–3 letter prefix and 6 or 9 digits (`WA123456789`). Only the separated SSA form is
 * `medium` without a keyword: nine digits and a letter are also ISBN-10s (`…089X`), Kubernetes
 * quantities (`…M`), byte sizes (`…B`) and hashes, and the RRB form is generic.
 */
export const usHicn: DetectorDefinition = {
  id: 'us_hicn',
  shapes: grouped(['\\d{3}', '\\d{2}', `\\d{4}${BIC}`]),
  weakShapes: [`\\d{9}${BARE_BIC}`, '[A-Z]{1,3}(?:\\d{9}|\\d{6})'],
  maxLength: 13,
  keywords: ['hicn', 'hic no', 'hic#', 'hic number', 'health insurance claim', 'claim number', 'medicare', 'railroad'],
  evaluate(text, canonical) {
    const first = text.charCodeAt(0);
    if (first >= 48 && first <= 57) {
      if (!ssnIssuable(canonical.slice(0, 9))) return null;
      return text.charCodeAt(3) === 0x2d || text.charCodeAt(3) === 0x20 ? 'medium' : 'low';
    }
    return 'low';
  },
};
