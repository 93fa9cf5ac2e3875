import t from 'tap';
import { createEngine, DetectorConfigError, measurePattern } from '@leakguard/detectors';
import { breakCheck, card, luhnComplete } from './fixtures/identifiers.js';

function configError(detectors: Record<string, unknown>): DetectorConfigError | null {
  try {
    createEngine({ detectors: detectors as never, fingerprintKey: 'k' });
    return null;
  } catch (error) {
    return error instanceof DetectorConfigError ? error : null;
  }
}

t.test('patterns RE2 cannot compile are rejected, naming the detector', async (t) => {
  for (const [label, pattern] of [
    ['unbalanced group', 'EMP-([0-9]{6}'],
    ['backreference', '(a)\\1'],
    ['lookahead', 'EMP(?=-)'],
    ['bad escape', 'EMP\\k'],
  ] as const) {
    const error = configError({ employee_id: { pattern, maxLength: 10 } });
    t.ok(error, `${label}: rejected`);
    t.equal(error?.detector, 'employee_id', `${label}: names the detector`);
    t.equal(error?.field, 'pattern', `${label}: names the field`);
    t.equal(error?.code, 'LG_ERR_DETECTOR_CONFIG', `${label}: stable code`);
    t.match(error?.message ?? '', /employee_id/, `${label}: message names the detector`);
  }
});

t.test('unbounded patterns are rejected', async (t) => {
  for (const [label, pattern] of [
    ['star', 'EMP-[0-9]*'],
    ['plus', 'EMP-[0-9]+'],
    ['open range', 'EMP-[0-9]{6,}'],
    ['star inside a group', 'EMP-(?:[0-9]-?)*'],
  ] as const) {
    const error = configError({ employee_id: { pattern, maxLength: 40 } });
    t.equal(error?.field, 'pattern', `${label}: rejected on pattern`);
    t.match(error?.message ?? '', /unbounded/, `${label}: says why`);
  }
  t.equal(configError({ employee_id: { pattern: 'EMP-[0-9]{6}' } })?.field, 'maxLength', 'a missing maxLength is rejected');
  t.equal(configError({ employee_id: { pattern: 'EMP-[0-9]{6}', maxLength: 5 } })?.field, 'maxLength', 'a maxLength below the pattern bound is rejected');
  t.equal(configError({ employee_id: { pattern: 'EMP-[0-9]{6}', maxLength: 1e6 } })?.field, 'maxLength', 'an oversized maxLength is rejected');
  t.equal(configError({ employee_id: { pattern: 'x?', maxLength: 5 } })?.field, 'pattern', 'a pattern matching the empty string is rejected');
  t.equal(configError({ employee_id: { maxLength: 5 } })?.field, 'pattern', 'a custom id without pattern is rejected');
  t.equal(configError({ 'Bad-Id': { pattern: 'x', maxLength: 5 } })?.field, 'id', 'an invalid id is rejected');
  t.equal(configError({ employee_id: { pattern: 'x', maxLength: 5, validator: 'crc' } })?.field, 'validator', 'unknown validators are rejected');
  t.equal(configError({ us_ssn: { pattern: 'x' } })?.field, 'pattern', 'built-ins take no pattern');
  t.equal(configError({ us_ssn: { action: 'delete' } })?.field, 'action', 'unknown actions are rejected');
  t.equal(configError({ us_ssn: { minConfidence: 'certain' } })?.field, 'minConfidence', 'unknown confidences are rejected');
  t.equal(configError({ us_ssn: { redaction: { keepLast: 9 } } })?.field, 'redaction.keepLast', 'keepLast is bounded');
});

t.test('pattern bounds', async (t) => {
  t.equal(measurePattern('EMP-[0-9]{6}').maxChars, 10);
  t.equal(measurePattern('(?i)ab|cde').maxChars, 3);
  t.equal(measurePattern('a{2,5}(?:bc){3}').maxChars, 11);
  t.equal(measurePattern('\\bK\\d{3}\\b').maxChars, 4);
  t.equal(measurePattern('a*').maxChars, Infinity);
  t.equal(measurePattern('[^x]{3}').wide, true, 'a negated class may match multi-byte characters');
  t.equal(measurePattern('[a-z]{3}').wide, false);
});

t.test('custom detectors match, validate and take keywords', async (t) => {
  const engine = createEngine({
    fingerprintKey: 'k',
    detectors: {
      employee_id: { pattern: 'EMP-[0-9]{6}', maxLength: 10, keywords: ['employee'] },
      loyalty_card: { pattern: '\\bLC[0-9]{12}\\b', maxLength: 14, validator: 'luhn' },
      member_no: { pattern: '[0-9]{9}', maxLength: 9, baseConfidence: 'low', keywords: ['member'] },
    },
  });
  const valid = 'LC' + luhnComplete('12345678901');
  const invalid = breakCheck(valid);
  const findings = engine.scan(`x EMP-123456 employee EMP-654321 ${valid} ${invalid}`);
  const ids = findings.map((f) => `${f.detector}:${f.confidence}`);
  t.same(ids, ['employee_id:high', 'employee_id:high', 'loyalty_card:medium'], 'luhn validator filters, keywords raise confidence');
  t.same(engine.scan('ref 987654321').map((f) => f.detector), [], 'low base confidence is filtered by default');
  t.same(engine.scan('member 987654321').map((f) => f.detector), ['member_no'], 'a keyword lifts it');
});

t.test('a custom detector overlapping a built-in does not hide it', async (t) => {
  const engine = createEngine({ fingerprintKey: 'k', detectors: { nine_digits: { pattern: '[0-9]{3}-[0-9]{2}-[0-9]{4}', maxLength: 11 } } });
  t.same(engine.scan('ref 536-22-1234').map((f) => f.detector).sort(), ['nine_digits', 'us_ssn']);
  const cardEngine = createEngine({ fingerprintKey: 'k', detectors: { payment_card: { enabled: false } } });
  t.same(cardEngine.scan(`x ${card('4', 16)}`).length, 0, 'a disabled built-in reports nothing');
});
