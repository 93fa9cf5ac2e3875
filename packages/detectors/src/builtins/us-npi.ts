import { npiValid } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

/**
 * US National Provider Identifier: 10 digits starting with 1 or 2, `1234567893` or
 * `1234 567 893`; the last digit is the Luhn check over `80840` + the first nine. Ten-digit
 * numbers are common (phone numbers), so it is `low` without a keyword.
 */
export const usNpi: DetectorDefinition = {
  id: 'us_npi',
  shapes: [],
  weakShapes: [...grouped(['[12]\\d{3}', '\\d{3}', '\\d{3}']), '[12]\\d{9}'],
  maxLength: 12,
  keywords: ['npi', 'provider', 'national provider', 'prescriber', 'physician'],
  // A provider record's phone and fax numbers sit next to "provider" too; one in ten of those
  // starting with 2 passes the NPI check.
  contraryWords: ['phone', 'telephone', 'tel', 'fax', 'mobile', 'cell', 'pager'],
  evaluate(_text, canonical) {
    return npiValid(canonical) ? 'low' : null;
  },
};
