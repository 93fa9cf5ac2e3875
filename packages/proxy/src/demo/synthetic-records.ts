/**
 * Synthetic records for the demo app and the tests: every identifier passes the detectors'
 * validation (so the demo shows real decisions) and is obviously fake — payment-processor test
 * card numbers, SSNs in area 555, NHS numbers in the 999 range reserved for testing, MBIs and
 * NPIs built from counters. None belongs to anyone.
 */
import { nhsValid, npiValid } from '@leakguard/detectors';

/** Published payment-processor test numbers (Luhn-valid, never issued to a cardholder). */
export const TEST_CARD_NUMBERS: readonly string[] = [
  '4111 1111 1111 1111',
  '5555 5555 5555 4444',
  '2223 0031 2200 3222',
  '3782 822463 10005',
  '6011 1111 1111 1117',
  '4012 8888 8888 1881',
];

/** Letters an MBI may use (S, L, O, I, B, Z excluded). */
const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** The `n`-th synthetic SSN: area 555, formatted `555-GG-SSSS`. */
export function syntheticSsn(n: number): string {
  return `555-${pad(10 + (n % 89), 2)}-${pad(1000 + (n % 9000), 4)}`;
}

/** The `n`-th synthetic MBI, `1AA0-AA0-AA00`-shaped. */
export function syntheticMbi(n: number): string {
  const letter = (k: number): string => MBI_LETTERS[k % MBI_LETTERS.length] as string;
  return `${1 + (n % 9)}${letter(n)}${letter(n + 3)}${n % 10}-${letter(n + 5)}${letter(n + 7)}${(n + 1) % 10}-${letter(n + 11)}${letter(n + 13)}${pad(n % 100, 2)}`;
}

/** The `n`-th synthetic NPI: `1000000` + n, completed with its check digit. */
export function syntheticNpi(n: number): string {
  const base = `1${pad(n % 100_000_000, 8)}`;
  for (let check = 0; check < 10; check++) if (npiValid(`${base}${check}`)) return `${base}${check}`;
  throw new Error('unreachable: one check digit always fits');
}

/** The `n`-th synthetic NHS number, in the 999 range reserved for testing, `999 NNN NNNN`. */
export function syntheticNhsNumber(n: number): string {
  for (let k = n; ; k++) {
    const digits = `999${pad(k % 1_000_000, 6)}`;
    for (let check = 0; check < 10; check++) {
      const candidate = `${digits}${check}`;
      if (nhsValid(candidate)) return `${candidate.slice(0, 3)} ${candidate.slice(3, 6)} ${candidate.slice(6)}`;
    }
  }
}

/** A test card number, cycling through the list. */
export function syntheticCard(n: number): string {
  return TEST_CARD_NUMBERS[n % TEST_CARD_NUMBERS.length] as string;
}

export interface SyntheticPatient {
  id: number;
  name: string;
  dateOfBirth: string;
  ssn: string;
  mbi: string;
  nhsNumber: string;
  provider: { name: string; npi: string };
  phone: string;
}

export interface SyntheticPayment {
  id: string;
  patientId: number;
  amount: string;
  card: string;
  status: 'settled' | 'pending';
}

export function syntheticPatient(id: number): SyntheticPatient {
  return {
    id,
    name: `Test Patient ${pad(id, 3)}`,
    dateOfBirth: `19${pad(50 + (id % 45), 2)}-${pad(1 + (id % 12), 2)}-${pad(1 + (id % 28), 2)}`,
    ssn: syntheticSsn(id),
    mbi: syntheticMbi(id),
    nhsNumber: syntheticNhsNumber(id),
    provider: { name: `Dr. Example ${pad(id % 7, 2)}`, npi: syntheticNpi(id) },
    phone: `+1-202-555-0${pad(100 + (id % 99), 3)}`,
  };
}

export function syntheticPayment(n: number): SyntheticPayment {
  return {
    id: `pay_${pad(n, 5)}`,
    patientId: 1 + (n % 20),
    amount: `${10 + ((n * 37) % 490)}.${pad((n * 13) % 100, 2)}`,
    card: syntheticCard(n),
    status: n % 3 === 0 ? 'pending' : 'settled',
  };
}
