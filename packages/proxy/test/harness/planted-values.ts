/**
 * The values tests plant in traffic: synthetic, valid for the detectors, and listed here so the
 * leak check knows exactly what must never appear in a log line or an error body.
 */
import { TEST_CARD_NUMBERS, syntheticMbi, syntheticNhsNumber, syntheticSsn } from '../../src/demo/synthetic-records.js';

export const PLANTED = {
  ssn: syntheticSsn(11),
  ssn2: syntheticSsn(12),
  card: TEST_CARD_NUMBERS[0] as string,
  cardBare: (TEST_CARD_NUMBERS[1] as string).replace(/ /g, ''),
  cardDashed: (TEST_CARD_NUMBERS[4] as string).replace(/ /g, '-'),
  mbi: syntheticMbi(11),
  nhs: syntheticNhsNumber(11),
} as const;

/** Every planted value, plus its separator-free form. */
export function plantedVariants(): string[] {
  const values = new Set<string>();
  for (const value of [...Object.values(PLANTED), ...TEST_CARD_NUMBERS]) {
    values.add(value);
    values.add(value.replace(/[ -]/g, ''));
  }
  return [...values];
}
