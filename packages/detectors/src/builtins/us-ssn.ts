import { ssnValid } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

/**
 * US Social Security Number: `123-45-6789`, `123 45 6789` or bare `123456789`.
 * Bare nine digits are everywhere (order ids, phone fragments), so they are `low` unless a
 * keyword is near; the separated forms are `medium`.
 */
export const usSsn: DetectorDefinition = {
  id: 'us_ssn',
  shapes: grouped(['\\d{3}', '\\d{2}', '\\d{4}']),
  weakShapes: ['\\d{9}'],
  maxLength: 11,
  keywords: ['ssn', 'ss#', 'ssn#', 'social security', 'social sec', 'socialsecurity', 'taxpayer', 'tin', 'ssa'],
  evaluate(text, canonical) {
    if (!ssnValid(canonical)) return null;
    return text.length === 9 ? 'low' : 'medium';
  },
};
