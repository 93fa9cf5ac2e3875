// Kubernetes resource quantities ("100m", "128Mi", "1.5Gi", "2e3"): parsed exactly (BigInt
// nano-units, rounded up like the API server does below 1n) and printed in the API server's
// canonical form, so an injected container is already what the API server would store and a
// reinvocation finds nothing to change.
import { QuantityError } from './errors.js';

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value × 10⁹, rounded up. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIX_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const QUANTITY_PATTERN = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE])([+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;

function pow(base: bigint, exp: number): bigint {
  let out = 1n;
  for (let i = 0; i < exp; i++) out *= base;
  return out;
}

/** `numerator / denominator`, rounded away from zero (the API server rounds up). */
function divideRoundingUp(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  return q * denominator === numerator ? q : q + (numerator > 0n ? 1n : -1n);
}

export function parseQuantity(text: string): Quantity {
  const m = QUANTITY_PATTERN.exec(text.trim() === text ? text : '');
  if (!m) throw new QuantityError(`"${text.slice(0, 40)}" is not a Kubernetes quantity (e.g. 100m, 0.5, 128Mi, 1Gi)`);
  const [, sign, number, binarySuffix, exponentMark, exponent, decimalSuffix] = m;
  const [intPart, fracPart = ''] = number.split('.');
  // digits as an integer scaled by 10^-fracPart.length
  let numerator = BigInt((intPart || '0') + fracPart);
  let denominator = pow(10n, fracPart.length);
  let format: QuantityFormat = 'DecimalSI';
  if (binarySuffix) {
    numerator *= pow(1024n, BINARY_SUFFIX_POWER[binarySuffix]);
    format = 'BinarySI';
  } else {
    const exp = exponentMark ? Number(exponent) : DECIMAL_SUFFIX_EXPONENT[decimalSuffix ?? ''];
    if (exponentMark) format = 'DecimalExponent';
    if (Math.abs(exp) > 40) throw new QuantityError(`"${text.slice(0, 40)}" is out of range`);
    if (exp >= 0) numerator *= pow(10n, exp);
    else denominator *= pow(10n, -exp);
  }
  let nanos = divideRoundingUp(numerator * NANO, denominator);
  if (sign === '-') nanos = -nanos;
  return { nanos, format };
}

function decimalSuffix(exp: number, format: QuantityFormat): string {
  if (format === 'DecimalExponent') return exp === 0 ? '' : `e${exp}`;
  const entry = Object.entries(DECIMAL_SUFFIX_EXPONENT).find(([, e]) => e === exp);
  return entry ? entry[0] : `e${exp}`;
}

/** The API server's canonical spelling ("1000m" → "1", "1024Mi" → "1Gi", "0.5" → "500m"). */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    const integral = abs % NANO === 0n;
    if (!integral || abs < 1024n * NANO) format = 'DecimalSI';
    else {
      let mantissa = abs / NANO;
      let power = 0;
      while (power < 6 && mantissa % 1024n === 0n) {
        mantissa /= 1024n;
        power++;
      }
      return `${sign}${mantissa}${BINARY_SUFFIXES[power]}`;
    }
  }
  let mantissa = abs;
  let exp = -9;
  while (exp < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp += 3;
  }
  return `${sign}${mantissa}${decimalSuffix(exp, format)}`;
}

export function canonicalQuantity(text: string): string {
  return formatQuantity(parseQuantity(text));
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos === b.nanos ? 0 : a.nanos < b.nanos ? -1 : 1;
}
