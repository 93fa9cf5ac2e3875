import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { createEngine, ScanBlockedError } from '@leakguard/detectors';
import type { ActionedFinding } from '@leakguard/detectors';
import { card } from './fixtures/identifiers.js';
import { TEST_KEY } from './fixtures/engine-fixtures.js';

const PAN = card('4', 16);

async function collect(stream: NodeJS.ReadWriteStream, chunks: Buffer[]): Promise<{ out: Buffer; error: Error | null }> {
  const out: Buffer[] = [];
  let error: Error | null = null;
  try {
    await pipeline(Readable.from(chunks), stream, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
  } catch (e) {
    error = e as Error;
  }
  return { out: Buffer.concat(out), error };
}

t.test('block destroys the stream before any byte of the value leaves', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'block' } } });
  const body = Buffer.from(`${'a'.repeat(40000)} card ${PAN} tail`);
  for (const size of [1, 7, 4096, 16384]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
    const stream = engine.createStream();
    const { out, error } = await collect(stream, chunks);
    t.ok(error instanceof ScanBlockedError, `chunks of ${size}: ScanBlockedError`);
    t.same((error as ScanBlockedError).detectors, ['payment_card'], 'names the detector');
    t.equal((error as ScanBlockedError).code, 'LG_ERR_BLOCKED');
    t.ok(!out.includes(PAN.slice(0, 4)), `chunks of ${size}: not even the first digits left`);
    t.ok(!(error as Error).message.includes(PAN), 'the error message holds no value');
  }
});

t.test('monitor mode reports and changes nothing', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'block' }, us_ssn: { action: 'redact' } } });
  const body = Buffer.from(`x ${PAN} ssn 536-22-1234 y`);
  const stream = engine.createStream({ monitor: true });
  const { out, error } = await collect(stream, [body]);
  t.equal(error, null, 'not blocked');
  t.ok(out.equals(body), 'bytes unchanged');
  t.same(stream.findings.map((f) => f.action), ['block', 'redact'], 'the decided actions are reported');
  t.equal(stream.action, 'block', 'strongest action');
});

t.test('redaction keeps length and keepLast; overrides apply per stream', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'redact', redaction: { keepLast: 4 } } } });
  const body = Buffer.from(`{"pan":"${PAN}"}`);
  const { out } = await collect(engine.createStream(), [body]);
  t.equal(out.length, body.length, 'same length');
  t.equal(out.toString(), `{"pan":"************${PAN.slice(-4)}"}`, 'masked with the last 4 kept');
  const logged = await collect(engine.createStream({ overrides: { payment_card: { action: 'log' } } }), [body]);
  t.ok(logged.out.equals(body), 'a route override to log forwards unchanged');
  const events: ActionedFinding[] = [];
  const s = engine.createStream();
  s.on('finding', (f: ActionedFinding) => events.push(f));
  await collect(s, [body]);
  t.equal(events.length, 1, 'finding events are emitted');
  t.same(Object.keys(events[0] as object).sort(), ['action', 'confidence', 'detector', 'end', 'fingerprint', 'masked', 'start'], 'a finding has no value field');
});

t.test('fingerprints: keyed, canonical', async (t) => {
  const a = createEngine({ fingerprintKey: 'key-a' });
  const b = createEngine({ fingerprintKey: 'key-b' });
  const spaced = a.scan(`card ${PAN.slice(0, 4)} ${PAN.slice(4, 8)}-${PAN.slice(8, 12)} ${PAN.slice(12)}`);
  const grouped = a.scan(`card ${PAN.slice(0, 4)} ${PAN.slice(4, 8)} ${PAN.slice(8, 12)} ${PAN.slice(12)}`);
  const bare = a.scan(`card ${PAN}`);
  t.equal(spaced.length, 0, 'mixed separators are not a card');
  t.equal(grouped[0]?.fingerprint, bare[0]?.fingerprint, 'grouped and contiguous share a fingerprint');
  t.match(bare[0]?.fingerprint ?? '', /^[0-9a-f]{16}$/, '16 hex digits');
  t.not(b.scan(`card ${PAN}`)[0]?.fingerprint, bare[0]?.fingerprint, 'another key, another fingerprint');
  t.equal(a.scan('mbi 1eg4te5mk73')[0]?.fingerprint, a.scan('mbi 1EG4-TE5-MK73')[0]?.fingerprint, 'case and dashes fold');
  const envKey = createEngine({});
  t.match(envKey.scan(`card ${PAN}`)[0]?.fingerprint ?? '', /^[0-9a-f]{16}$/, 'a random key when none is configured');
});

t.test('memory stays bounded by the window on a large body', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'redact' } } });
  const chunk = Buffer.from(`{"order": 1700000000123, "tel": "555-123-4567", "note": "${'lorem ipsum '.repeat(1300)}", "pan": "${PAN}"}\n`);
  const total = 48 * 1024 * 1024;
  const count = Math.ceil(total / chunk.length);
  let produced = 0;
  const source = new Readable({
    read() {
      this.push(produced++ < count ? chunk : null);
    },
  });
  const stream = engine.createStream();
  let out = 0;
  let leaked = false;
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  await pipeline(
    source,
    stream,
    new Writable({
      write(c: Buffer, _e, cb) {
        out += c.length;
        if (c.includes(PAN)) leaked = true;
        peak = Math.max(peak, process.memoryUsage().rss);
        cb();
      },
    }),
  );
  t.equal(out, count * chunk.length, 'every byte came out');
  t.equal(stream.findings.length, count, 'one finding per record');
  t.notOk(leaked, 'no value crossed');
  t.ok(peak - before < 48 * 1024 * 1024, `RSS grew by less than the body size (grew ${Math.round((peak - before) / 1048576)} MiB for 48 MiB)`);
});

t.test('a redacted JSON number member stays valid JSON in a stream, at every split', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_ssn: { action: 'redact', redaction: { keepLast: 4 } } } });
  const body = Buffer.from('{"ssn": 536221234, "note": "x \\"ssn\\": 536221235, y", "id":536221236}');
  const whole = engine.process(body, { contentType: 'application/json' }).output;
  let valid = true;
  let same = true;
  for (let cut = 0; cut <= body.length; cut++) {
    const stream = engine.createStream({ contentType: 'application/json; charset=utf-8' });
    const { out } = await collect(stream, [body.subarray(0, cut), body.subarray(cut)]);
    try {
      const doc = JSON.parse(out.toString()) as Record<string, string>;
      if (doc.ssn !== '***1234' || doc.id !== '***1236') valid = false;
    } catch {
      valid = false;
    }
    if (!out.equals(whole)) same = false;
  }
  t.ok(valid, 'parses, members quoted with the last digits kept');
  t.ok(same, 'the stream writes what process() writes');
  t.notOk(whole.includes('536221235'), 'a number inside a string is masked in place');
});

t.test('redacted JSON numbers in arrays and with a sign stay valid JSON in a stream, at every split', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'redact', redaction: { keepLast: 4 } } } });
  const bodies: Array<[string, string]> = [
    ['a member array', `{"cards":[${PAN}]}`],
    ['after numbers of the same array', `{"cards":[1, 2.5e3,${PAN}, -7]}`],
    ['the document array', `[${PAN},${PAN}]`],
    ['a negative member', `{"card":-${PAN}}`],
  ];
  for (const [label, text] of bodies) {
    const body = Buffer.from(text);
    const whole = engine.process(body, { contentType: 'application/json' }).output;
    t.doesNotThrow(() => JSON.parse(whole.toString()), `${label}: process() output parses`);
    let same = true;
    for (let cut = 0; cut <= body.length; cut++) {
      const stream = engine.createStream({ contentType: 'application/json' });
      const { out } = await collect(stream, [body.subarray(0, cut), body.subarray(cut)]);
      if (!out.equals(whole)) same = false;
    }
    t.ok(same, `${label}: the stream writes what process() writes`);
  }
  // Inside a string, an array-looking text is not an array: quoting there would end the string.
  const inString = Buffer.from(`{"note":"cards: [${PAN}]"}`);
  const masked = engine.process(inString, { contentType: 'application/json' }).output.toString();
  t.equal(masked.split('"').length, inString.toString().split('"').length, 'a number in a string is masked in place');
});

t.test('line-delimited JSON types get JSON number quoting', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_ssn: { action: 'redact', redaction: { keepLast: 4 } } } });
  const body = Buffer.from('{"id":1,"ssn":536221234}\n{"id":2,"ssn": 536221235}\n');
  for (const contentType of ['application/x-ndjson', 'application/jsonl', 'application/x-json']) {
    const lines = engine.process(body, { contentType }).output.toString().trim().split('\n');
    const ssns = lines.map((line) => (JSON.parse(line) as { ssn: unknown }).ssn);
    // A comparison, not t.same: a failure must not print what the output still holds.
    t.ok(ssns.length === 2 && ssns[0] === '***1234' && ssns[1] === '***1235', `${contentType}: every record parses, numbers quoted`);
  }
});

t.test('process() searches a plain body once: a clean one comes back as it is, others as a stream gives them', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { payment_card: { action: 'redact' }, us_ssn: { action: 'redact' } } });
  const clean = Buffer.from('{"id":"ord_100001","note":"follow-up visit, no change to medication"}');
  const result = engine.process(clean, { contentType: 'application/json' });
  t.equal(result.output, clean, 'the input itself');
  t.same(result.findings, []);
  const bodies = [
    `${'x'.repeat(300)} card ${PAN} and ssn 536221234 ${'y'.repeat(50)}`,
    `ssn ${'z'.repeat(40)} 536221234`,
    `${'q'.repeat(5000)} ${PAN}`,
  ];
  for (const text of bodies) {
    const body = Buffer.from(text);
    const whole = engine.process(body, { contentType: 'text/plain' });
    const { out } = await collect(engine.createStream({ contentType: 'text/plain' }), [body]);
    t.ok(out.equals(whole.output) && whole.findings.length > 0, 'same bytes as the stream, findings found');
  }
});
