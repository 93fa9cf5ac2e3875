import fc from 'fast-check';
import t from 'tap';
import type { ActionedFinding, Engine } from '@leakguard/detectors';
import { createEngine } from '@leakguard/detectors';
import { card, group, nhs, npi } from './fixtures/identifiers.js';
import { REDACT_ALL_LOW, TEST_KEY, streamInCuts, type ScanOutcome } from './fixtures/engine-fixtures.js';

// The result of a scan must not depend on how the body is chunked: same findings, same
// redacted bytes, whether the body arrives whole, a byte at a time, or split inside a value.

const ungated: Engine = createEngine({
  detectors: {
    ...REDACT_ALL_LOW,
    employee_id: { pattern: 'EMP-[0-9]{6}', maxLength: 10, action: 'redact' },
  },
  fingerprintKey: TEST_KEY,
});
// Default confidences: bare 9-digit, NPI, NHS and RRB shapes are only searched around keywords.
const gated: Engine = createEngine({
  detectors: {
    payment_card: { action: 'redact', redaction: { keepLast: 4 } },
    us_ssn: { action: 'redact' },
    us_npi: { action: 'redact' },
    uk_nhs: { action: 'redact', minConfidence: 'high' },
    employee_id: { pattern: 'EMP-[0-9]{6}', maxLength: 10, action: 'redact' },
  },
  fingerprintKey: TEST_KEY,
});
let engine: Engine = ungated;

const IDENTIFIERS = [
  '536-22-1234', '536 22 1234', '536221234', card('4', 16), group(card('4', 16), [4, 4, 4, 4], ' '),
  group(card('34', 15), [4, 6, 5], '-'), card('2221', 16), '1EG4-TE5-MK73', '1EG4TE5MK73', '536-22-1234A', 'WA123456789',
  npi('123456789'), '943 476 5919', nhs('401023213') as string, 'EMP-123456', group(card('3589', 19), [4, 4, 4, 4, 3], ' '),
];
const NOISE = [
  ' ', ', ', '\n', '"ssn": "', '{"card":', 'order 1700000000123 ', 'tel 555-123-4567 ', '$12.99 ', 'id=', '-', '12', 'x',
  '550e8400-e29b-41d4-a716-446655440000 ', 'Medicare ', 'NPI ', '2026-11-27T06:38:44Z ', '\u00e9', '9', 'A',
];

const documentArb = fc
  .array(fc.oneof(fc.constantFrom(...IDENTIFIERS), fc.constantFrom(...NOISE), fc.stringMatching(/^[0-9 -]{0,12}$/)), { minLength: 1, maxLength: 40 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

function runWhole(body: Buffer): { findings: ActionedFinding[]; output: Buffer } {
  return engine.process(body);
}

function runChunked(body: Buffer, cuts: number[]): Promise<ScanOutcome> {
  return streamInCuts(engine, body, cuts);
}

function same(a: { findings: ActionedFinding[]; output: Buffer }, b: { findings: ActionedFinding[]; output: Buffer }): boolean {
  return JSON.stringify(a.findings) === JSON.stringify(b.findings) && a.output.equals(b.output);
}

for (const [label, e] of [['ungated', ungated], ['gated', gated]] as const) {
  t.test(label, async (t) => {
    engine = e;
    await t.test('random chunkings give the unchunked result', async (t) => {
      await fc.assert(
        fc.asyncProperty(documentArb, fc.array(fc.nat(), { maxLength: 12 }), async (body, rawCuts) => {
          const cuts = [...new Set(rawCuts.map((c) => c % (body.length + 1)))].sort((x, y) => x - y);
          return same(await runChunked(body, cuts), runWhole(body));
        }),
        { seed: 20261127, numRuns: 300 },
      );
      t.pass('300 random documents and chunkings');
    });

    await t.test('one-byte chunks give the unchunked result', async (t) => {
      await fc.assert(
        fc.asyncProperty(documentArb, async (body) => {
          const cuts = Array.from({ length: body.length }, (_, i) => i);
          return same(await runChunked(body, cuts), runWhole(body));
        }),
        { seed: 7, numRuns: 60 },
      );
      t.pass('60 documents fed a byte at a time');
    });

    await t.test('a split at every offset inside every identifier', async (t) => {
      for (const [index, id] of IDENTIFIERS.entries()) {
        const body = Buffer.from(`{"note": "ssn npi nhs hicn", "v": "${id}", "n": 1}\n`);
        const whole = runWhole(body);
        t.ok(whole.findings.length > 0, `identifier #${index} is found unchunked`);
        let allSame = true;
        for (let cut = 0; cut <= body.length; cut++) {
          if (!same(await runChunked(body, [cut]), whole)) allSame = false;
        }
        t.ok(allSame, `identifier #${index}: every single split gives the unchunked result`);
      }
    });

    await t.test('no byte of a redacted value leaves before it is redacted', async (t) => {
      const value = card('4', 16);
      const body = Buffer.from(`pan=${value}&end=1`);
      for (let cut = 0; cut <= body.length; cut++) {
        const { output } = await runChunked(body, [cut]);
        t.ok(!output.includes(value.slice(0, 8)), `split at ${cut}: the first half never leaves`);
      }
    });
  });
}
