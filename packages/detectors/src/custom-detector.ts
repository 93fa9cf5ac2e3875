import RE2 from 're2';
import type { DetectorDefinition } from './builtins/definition.js';
import { DetectorConfigError } from './errors.js';
import { measurePattern } from './pattern-bound.js';
import type { Confidence, DetectorSettings, ValidatorName } from './types.js';
import { luhnValid, mod11Valid } from './validators.js';

/** Longest custom match the engine accepts: it sizes every stream's hold-back window. */
export const MAX_CUSTOM_LENGTH = 4096;

const ID_SYNTAX = /^[a-z][a-z0-9_]{0,62}$/;
const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];
// Check-digit validators read the digits of a match, so `LC-1234…` checks `1234…`.
const VALIDATORS: Readonly<Record<ValidatorName, (canonical: string) => boolean>> = {
  luhn: (canonical) => {
    const digits = canonical.replace(/[A-Z]/g, '');
    return digits.length > 1 && luhnValid(digits);
  },
  mod11: (canonical) => mod11Valid(canonical.replace(/[A-Z]/g, '')),
  none: () => true,
};

/** A compiled custom detector: its definition plus what the engine needs to confirm a match. */
export interface CustomDetector extends DetectorDefinition {
  /** Sticky RE2 used to test whether the pattern matches at a given position. */
  readonly sticky: RE2;
  /** The pattern source, grouped so that its flags stay local when joined with others. */
  readonly source: string;
}

/**
 * Compiles a custom detector declared in a policy. Throws `DetectorConfigError` naming the
 * detector and field when the id, pattern, bound, validator or keywords are invalid.
 */
export function compileCustomDetector(id: string, settings: DetectorSettings): CustomDetector {
  if (!ID_SYNTAX.test(id)) {
    throw new DetectorConfigError(id, 'id', 'must be lower-case letters, digits and "_", starting with a letter (at most 63)');
  }
  const pattern = settings.pattern;
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new DetectorConfigError(id, 'pattern', 'is required for a custom detector (an RE2 regular expression)');
  }
  let compiled: RE2;
  try {
    compiled = new RE2(pattern, 'y');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DetectorConfigError(id, 'pattern', `RE2 cannot compile it: ${reason}`);
  }
  const maxLength = settings.maxLength;
  if (maxLength === undefined) {
    throw new DetectorConfigError(id, 'maxLength', 'is required: the longest match in bytes, which bounds the streaming window');
  }
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_CUSTOM_LENGTH) {
    throw new DetectorConfigError(id, 'maxLength', `must be an integer from 1 to ${MAX_CUSTOM_LENGTH}`);
  }
  const bound = measurePattern(pattern);
  if (!Number.isFinite(bound.maxChars)) {
    throw new DetectorConfigError(id, 'pattern', 'is unbounded (uses *, + or {n,}); use a bounded repetition such as {1,20}');
  }
  if (bound.maxChars > maxLength) {
    throw new DetectorConfigError(id, 'maxLength', `is ${maxLength} but the pattern can match up to ${bound.maxChars} characters`);
  }
  if (new RE2(`^(?:${pattern})$`).test('')) {
    throw new DetectorConfigError(id, 'pattern', 'matches the empty string');
  }
  const validatorName = settings.validator ?? 'none';
  const validator = VALIDATORS[validatorName];
  if (validator === undefined) {
    throw new DetectorConfigError(id, 'validator', 'must be one of luhn, mod11, none');
  }
  const keywords = settings.keywords ?? [];
  if (!Array.isArray(keywords) || keywords.some((k) => typeof k !== 'string' || k.trim() === '')) {
    throw new DetectorConfigError(id, 'keywords', 'must be a list of non-empty strings');
  }
  const base = settings.baseConfidence ?? 'medium';
  if (!CONFIDENCES.includes(base)) {
    throw new DetectorConfigError(id, 'baseConfidence', 'must be one of low, medium, high');
  }
  return {
    id,
    shapes: [],
    weakShapes: [],
    source: `(?:${pattern})`,
    sticky: compiled,
    // A wide atom may match a 4-byte UTF-8 character.
    maxLength: bound.wide ? maxLength * 4 : maxLength,
    keywords,
    evaluate(_text, canonical) {
      return validator(canonical) ? base : null;
    },
  };
}
