import { nhsValid } from '../validators.js';
import { type DetectorDefinition, grouped } from './definition.js';

/**
 * NHS number (England, Wales, Isle of Man): 10 digits, `943 476 5919`, `943-476-5919` or bare,
 * with the weighted mod-11 check digit. `low` without a keyword.
 */
export const ukNhs: DetectorDefinition = {
  id: 'uk_nhs',
  shapes: [],
  weakShapes: [...grouped(['\\d{3}', '\\d{3}', '\\d{4}']), '\\d{10}'],
  maxLength: 12,
  keywords: ['nhs', 'national health service', 'nhs number', 'nhs no', 'nhsnumber'],
  evaluate(_text, canonical) {
    return nhsValid(canonical) ? 'low' : null;
  },
};
