import { type DetectorDefinition } from './definition.js';

// Letters of an MBI exclude S, L, O, I, B, Z (CMS MBI format specification). Case-insensitive.
const L = '[AC-HJKMNP-RT-Yac-hjkmnp-rt-y]';
const LD = '[AC-HJKMNP-RT-Yac-hjkmnp-rt-y0-9]';
const D = '\\d';
const PART1 = `[1-9]${L}${LD}${D}`;
const PART2 = `${L}${LD}${D}`;
const PART3 = `${L}${L}${D}${D}`;

/**
 * Medicare Beneficiary Identifier: 11 characters, `1EG4-TE5-MK73` or `1EG4TE5MK73`.
 * The format is specific but has no check digit, so context (`medicare`, `mbi`…) raises it to `high`.
 */
export const usMbi: DetectorDefinition = {
  id: 'us_mbi',
  shapes: [`${PART1}-${PART2}-${PART3}`, `${PART1}${PART2}${PART3}`],
  weakShapes: [],
  maxLength: 13,
  keywords: ['medicare', 'mbi', 'beneficiary', 'cms', 'medicare number', 'medicare id'],
  evaluate() {
    return 'medium';
  },
};
