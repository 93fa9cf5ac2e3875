/**
 * Redacted JSON numbers become same-length strings wherever a number token can stand (members,
 * arrays, the whole document, after any whitespace), and digits inside strings are never
 * touched by that rewrite: the output always re-parses. The whole-document walk is skipped
 * when no redacted value is shaped like a number token; these cases pin both sides of that.
 */
import t, { type Test } from 'tap';
import { createEngine } from '@leakguard/detectors';
import { card, group } from './fixtures/identifiers.js';
import { TEST_KEY } from './fixtures/engine-fixtures.js';

const PAN = card('4', 16);
const engine = createEngine({
  fingerprintKey: TEST_KEY,
  detectors: { payment_card: { action: 'redact', redaction: { keepLast: 4 } } },
});

function redactJson(t: Test, text: string): { output: string; findings: number } {
  const result = engine.process(Buffer.from(text), { contentType: 'application/json' });
  t.equal(result.output.length, Buffer.byteLength(text), 'same length');
  return { output: result.output.toString(), findings: result.findings.length };
}

const numberCases: Array<[string, (pan: string) => string]> = [
  ['member', (pan) => `{"card": ${pan}}`],
  ['member, no space', (pan) => `{"card":${pan}}`],
  ['array element', (pan) => `[${pan}, 1]`],
  ['last array element', (pan) => `[1,${pan}]`],
  ['newlines and tabs around', (pan) => `{"a":[\n\t${pan}\n]}`],
  ['whole document', (pan) => `${pan}`],
  ['negative', (pan) => `{"n": -${pan}}`],
  ['with fraction', (pan) => `{"n": ${pan}.5}`],
  ['with exponent', (pan) => `{"n": ${pan}.0e2}`],
  ['after a byte-order mark', (pan) => `\ufeff{"card": ${pan}}`],
];

for (const [name, make] of numberCases) {
  t.test(`a redacted number (${name}) is quoted`, async (t) => {
    const text = make(PAN);
    const { output, findings } = redactJson(t, text);
    t.equal(findings, 1);
    t.notOk(output.includes(PAN), 'value gone');
    t.doesNotThrow(() => JSON.parse(output.replace(/^\ufeff/, '')), 'still JSON');
    t.match(output, /"\**\d{4}[.0-9e]*"/, 'a string of the mask and the kept digits');
  });
}

const stringCases: Array<[string, string]> = [
  ['plain string', `{"card":"${PAN}"}`],
  ['spaced groups', `{"card":"${group(PAN, [4, 4, 4, 4], ' ')}"}`],
  ['dashed groups', `{"card":"${group(PAN, [4, 4, 4, 4], '-')}"}`],
  ['in a sentence', `{"note":"paid with ${group(PAN, [4, 4, 4, 4], ' ')} today"}`],
  ['in an array of strings', `["${PAN}", "x"]`],
];

for (const [name, text] of stringCases) {
  t.test(`a redacted value inside a string (${name}) stays in its string`, async (t) => {
    const { output, findings } = redactJson(t, text);
    t.equal(findings, 1);
    const parsed: unknown = JSON.parse(output);
    t.notOk(JSON.stringify(parsed).includes(PAN.slice(0, 12)), 'value gone');
    t.equal(output.split('"').length, text.split('"').length, 'no quote added or removed');
  });
}

t.test('a number and a string in one body: only the number is quoted', async (t) => {
  const text = `{"a":"${PAN}","b":${PAN},"c":[${PAN}]}`;
  const { output, findings } = redactJson(t, text);
  t.equal(findings, 3);
  const parsed = JSON.parse(output) as { a: string; b: unknown; c: unknown[] };
  t.type(parsed.b, 'string');
  t.type(parsed.c[0], 'string');
  t.notOk(output.includes(PAN));
});
