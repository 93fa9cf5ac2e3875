import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import t from 'tap';
import { runScanCommand } from '@leakguard/detectors';
import { card, npi } from './fixtures/identifiers.js';

const PAN = card('4', 16);
const SSN = '536-22-1234';
const PLANTED = [PAN, SSN, SSN.replace(/-/g, ''), '1EG4TE5MK73', '1EG4-TE5-MK73'];

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runScanCommand(argv, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr });
  return { code, out, err };
}

function leaks(text: string): boolean {
  return PLANTED.some((v) => text.includes(v));
}

const dir = mkdtempSync(join(tmpdir(), 'leakguard-scan-'));
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'clean.txt'), 'nothing here 12345\n');
writeFileSync(join(dir, 'sub', 'leak.json'), `{\n  "name": "x",\n  "pan": "${PAN}",\n  "ssn": "${SSN}"\n}\n`);

t.test('text output: file:line:col detector confidence masked; exit 1 on findings', async (t) => {
  const r = await run([dir]);
  t.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0] ?? '', /sub\/leak\.json:3:11 payment_card (medium|high) \*{16}$/);
  t.match(lines[1] ?? '', /sub\/leak\.json:4:11 us_ssn high \*\*\*-\*\*-\*\*\*\*$/);
  t.notOk(leaks(r.out + r.err), 'no value in the output');
});

t.test('exit 0 when clean; exit 2 on errors', async (t) => {
  t.equal((await run([join(dir, 'clean.txt')])).code, 0);
  const missing = await run([join(dir, 'absent.txt')]);
  t.equal(missing.code, 2);
  t.match(missing.err, /ENOENT/);
  t.equal((await run(['--format', 'xml', dir])).code, 2);
  t.equal((await run(['--bogus'])).code, 2);
});

t.test('json output and stdin', async (t) => {
  const r = await run(['--format', 'json', '-'], `pan ${PAN}`);
  t.equal(r.code, 1);
  const doc = JSON.parse(r.out) as { files: number; findings: Array<Record<string, unknown>> };
  t.equal(doc.files, 1);
  t.equal(doc.findings[0]?.file, '<stdin>');
  t.equal(doc.findings[0]?.detector, 'payment_card');
  t.equal(doc.findings[0]?.start, 4);
  t.notOk(leaks(r.out));
});

t.test('--reveal adds the canonical value', async (t) => {
  const r = await run(['--format', 'json', '--reveal', '-'], `pan ${PAN}`);
  const doc = JSON.parse(r.out) as { findings: Array<Record<string, unknown>> };
  t.ok(doc.findings[0]?.value === PAN, 'value present only with --reveal');
});

t.test('--min-confidence and --policy', async (t) => {
  const text = `tel ${npi('123456789')}`;
  t.equal((await run(['-'], text)).code, 0, 'NPI without keyword is low: not reported by default');
  t.equal((await run(['--min-confidence', 'low', '-'], text)).code, 1, 'reported at low');
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: leakguard.io/v1alpha1\nkind: DlpPolicy\nmetadata: {name: t}\nspec:\n  detectors:\n    us_npi: {minConfidence: low}\n    payment_card: {enabled: false}\n');
  t.equal((await run(['--policy', policy, '-'], text)).code, 1, 'policy minConfidence applies');
  t.equal((await run(['--policy', policy, '-'], `pan ${PAN}`)).code, 0, 'policy can disable a detector');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'spec:\n  detectors:\n    employee_id: {pattern: "EMP-[0-9]+", maxLength: 10}\n');
  const r = await run(['--policy', bad, '-'], 'x');
  t.equal(r.code, 2);
  t.match(r.err, /spec\.detectors\.employee_id\.pattern: .*unbounded/, 'the error names the field');
});

t.test('--ndjson: records, chunks, base64, errors per line', async (t) => {
  const records = [
    JSON.stringify({ id: 'a', body: `{"pan":"${PAN}"}`, content_type: 'application/json' }),
    JSON.stringify({ id: 'b', chunks: ['ssn 536-2', '2-1234 end'] }),
    JSON.stringify({ id: 'c', body_b64: Buffer.from(`x ${PAN}`).toString('base64') }),
    `{"id": "d", "body": "${PAN}`,
    JSON.stringify({ id: 'e', body: 'clean' }),
    JSON.stringify({ id: 'f' }),
    JSON.stringify({ id: 'g', chunks: ['a', 'b'], body: 'xyz' }),
  ].join('\n');
  const r = await run(['--ndjson', '-'], records);
  const out = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(out.length, 7, 'one line per record');
  t.same(out.map((o) => o.id), ['a', 'b', 'c', null, 'e', 'f', 'g']);
  t.equal((out[0]?.findings as unknown[]).length, 1, 'body');
  t.equal((out[1]?.findings as Array<{ start: number }>)[0]?.start, 4, 'chunks are fed as separate writes and joined');
  t.equal((out[2]?.findings as unknown[]).length, 1, 'body_b64');
  t.equal((out[3]?.error as { code: string }).code, 'LG_ERR_BAD_RECORD', 'malformed line gets an error line');
  t.same(out[4]?.findings, [], 'clean record');
  t.ok(out[5]?.error, 'a record with no body is an error');
  t.ok(out[6]?.error, 'chunks that do not join to body are an error');
  t.equal(r.code, 2, 'the run goes on, and exits 2 because some records failed');
  t.notOk(leaks(r.out + r.err), 'no value anywhere, not even from the malformed line');
});
