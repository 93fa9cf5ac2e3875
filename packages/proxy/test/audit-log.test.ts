import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { DestinationStream } from 'pino';
import { AuditLog, isoTimeField, type ExchangeAuditRecord } from '../src/observability/audit-log.js';

// AuditLog writes exchange events itself (one JSON.stringify of the record) instead of through
// pino's key-by-key serialiser: the line must be the one pino would have written.
function capture(): DestinationStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

function record(overrides: Partial<ExchangeAuditRecord> = {}): ExchangeAuditRecord {
  return {
    requestId: 'b1a3b2d3-a15e-44e8-b2bd-9aae5a55083f',
    listener: 'inbound',
    method: 'POST',
    host: 'app.example:8080',
    // Client-supplied text with every kind of character JSON must escape.
    path: '/a "quoted" \\ path\twith\u0001control\u2028and é€ and \ud800 lone',
    status: 200,
    policy: { name: 'shop', revision: 'a5026055483f' },
    mode: 'enforce',
    rules: { request: 'uploads', response: 'default' },
    action: 'redact',
    outcome: 'redacted',
    direction: 'both',
    detectors: [
      { detector: 'payment_card', direction: 'request', action: 'redact', count: 2, confidence: 'high', fingerprints: ['ea8f1cf8ad2a108e', '0123456789abcdef'], masked: ['**** **** **** 1111'], locations: ['/0/card', '/1/"card"'] },
      { detector: 'us_ssn', direction: 'response', action: 'log', count: 1, confidence: 'medium', fingerprints: ['fedcba9876543210'] },
    ],
    durationMs: 1.234,
    ...overrides,
  };
}

function withoutTime(line: string): { keys: string[]; value: Record<string, unknown> } {
  t.ok(line.endsWith('}\n'), 'one line, newline-terminated');
  t.equal(line.indexOf('\n'), line.length - 1, 'no newline inside the line');
  const value = JSON.parse(line) as Record<string, unknown>;
  t.match(value.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  delete value.time;
  return { keys: Object.keys(value), value };
}

const cases: Array<[string, ExchangeAuditRecord, 'info' | 'warn' | 'error', string]> = [
  ['finding', record(), 'info', 'leakguard.finding'],
  ['block', record({ action: 'block', outcome: 'blocked', detectors: [{ ...record().detectors[0]!, action: 'block' }] }), 'warn', 'leakguard.block'],
  ['error', record({ action: null, outcome: 'upstream-error', direction: 'none', detectors: [], status: 502, error: { code: 'LG_ERR_UPSTREAM_UNREACHABLE', message: 'upstream "x" refused' } }), 'error', 'leakguard.error'],
];

for (const [name, rec, level, event] of cases) {
  t.test(`a ${name} event is the line pino writes for the same fields`, async (t) => {
    const ours = capture();
    const audit = new AuditLog({ destination: ours, pod: 'web-7d9f', namespace: 'pay"ments' });
    if (event === 'leakguard.error') audit.exchangeError(rec);
    else audit.exchange(rec);
    audit.writePending();
    t.equal(ours.lines.length, 1);

    const theirs = capture();
    const reference = new AuditLog({ destination: theirs, pod: 'web-7d9f', namespace: 'pay"ments' });
    const expectedMessage = JSON.parse(ours.lines[0] as string).msg as string;
    reference.logger[level]({ event, ...rec }, expectedMessage);

    const a = withoutTime(ours.lines[0] as string);
    const b = withoutTime(theirs.lines[0] as string);
    t.same(a.keys, b.keys, 'same fields in the same order');
    t.same(a.value, b.value, 'same values');
    t.equal(a.value.level, level);
    t.equal(a.value.event, event);
  });
}

t.test('exchange events respect the log level', async (t) => {
  const out = capture();
  const audit = new AuditLog({ destination: out, level: 'error' });
  audit.exchange(record());
  audit.writePending();
  t.equal(out.lines.length, 0, 'an info event is not written at level error');
  audit.exchangeError(record({ error: { code: 'LG_ERR_UPSTREAM_TIMEOUT', message: 'timed out' } }));
  audit.writePending();
  t.equal(out.lines.length, 1, 'an error event is');
});

t.test('with workers sharing stdout, a line gives up detail to stay one atomic write', async (t) => {
  const out = Object.assign(capture(), { maxLineBytes: 4096 });
  const audit = new AuditLog({ destination: out });
  const many = Array.from({ length: 20 }, (_, k) => `${k}`.padStart(16, 'f'));
  const detector = { ...record().detectors[0]!, fingerprints: many, locations: Array.from({ length: 10 }, (_, k) => `/items/${k}/${'x'.repeat(200)}`) };
  audit.exchange(record({ path: `/${'p'.repeat(6000)}`, detectors: [detector, { ...detector, direction: 'response' }] }));
  audit.exchange(record());
  audit.writePending();
  const [long, usual] = out.lines as [string, string];
  t.ok(Buffer.byteLength(long) <= 4096, `the long line fits (${Buffer.byteLength(long)} bytes)`);
  const parsed = JSON.parse(long) as ExchangeAuditRecord;
  t.equal(parsed.truncated, true, 'and says it was cut');
  t.equal(parsed.detectors.length, 2, 'every detector is still there');
  t.equal(parsed.detectors[0]?.count, detector.count, 'with its count');
  t.equal((JSON.parse(usual) as ExchangeAuditRecord).truncated, undefined, 'a usual line is untouched');
  const single = capture();
  const alone = new AuditLog({ destination: single });
  alone.exchange(record({ path: `/${'p'.repeat(6000)}` }));
  alone.writePending();
  t.ok((single.lines[0] as string).length > 6000, 'a process alone on stdout keeps the whole line');
});

t.test('messages summarise counts and blocking detectors', async (t) => {
  const out = capture();
  const audit = new AuditLog({ destination: out });
  audit.exchange(record());
  audit.exchange(record({ action: 'block', outcome: 'cut', direction: 'response', detectors: [{ ...record().detectors[1]!, action: 'block' }] }));
  audit.writePending();
  t.equal(JSON.parse(out.lines[0] as string).msg, '3 finding(s), redacted');
  t.equal(JSON.parse(out.lines[1] as string).msg, 'response blocked: us_ssn');
});

t.test('the time field is the one pino.stdTimeFunctions.isoTime writes', async (t) => {
  // Every millisecond of two seconds, across a year boundary, and a leap day.
  const bases = [Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2028, 1, 29, 12, 0, 0)];
  let differing = 0;
  for (const base of bases) {
    for (let ms = 0; ms < 2000; ms++) {
      const now = base + ms;
      if (isoTimeField(now) !== `,"time":"${new Date(now).toISOString()}"`) differing++;
    }
  }
  t.equal(differing, 0);
  t.equal(isoTimeField(Date.UTC(2026, 10, 27, 10, 4, 16, 7)), ',"time":"2026-11-27T10:04:16.007Z"');
});

// Exchange events are serialised in batches (4 events or 10 ms): never lost, never reordered.
t.test('exchange events are written in batches of 4, or within 10 ms, in order', async (t) => {
  const out = capture();
  const audit = new AuditLog({ destination: out });
  for (let i = 0; i < 7; i++) audit.exchange(record({ status: 200 + i }));
  t.equal(out.lines.length, 4, 'the 4th event wrote the first batch; 3 wait');
  audit.exchange(record({ status: 207 }));
  t.equal(out.lines.length, 8, 'the 8th writes the second');
  audit.exchange(record({ status: 208 }));
  t.equal(out.lines.length, 8, 'the next one waits');
  const started = Date.now();
  while (out.lines.length === 8 && Date.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 2));
  t.equal(out.lines.length, 9, 'and is written without a flush');
  t.same(out.lines.map((line) => JSON.parse(line).status), Array.from({ length: 9 }, (_, i) => 200 + i), 'in the order of the events');
});

t.test('a pending exchange event keeps the time it happened', async (t) => {
  const out = capture();
  const audit = new AuditLog({ destination: out });
  const before = Date.now();
  audit.exchange(record());
  await new Promise((resolve) => setTimeout(resolve, 40));
  audit.writePending();
  const time = Date.parse(JSON.parse(out.lines[0] as string).time as string);
  t.ok(time >= before - 1 && time < before + 30, 'stamped when the event happened, not when it was written');
});

t.test('policy, lifecycle and error lines come after the exchange events before them', async (t) => {
  const out = capture();
  const audit = new AuditLog({ destination: out });
  audit.exchange(record({ status: 201 }));
  audit.lifecycle('draining');
  audit.exchange(record({ status: 202 }));
  audit.error('LG_ERR_CLIENT_PARSE', 'bad request line');
  audit.exchange(record({ status: 203 }));
  await audit.flush();
  t.same(
    out.lines.map((line) => {
      const value = JSON.parse(line) as { event: string; status?: number };
      return value.status ?? value.event;
    }),
    [201, 'leakguard.lifecycle', 202, 'leakguard.error', 203],
  );
});

t.test('exchange events still pending when the process exits are written', async (t) => {
  const module = fileURLToPath(new URL('../src/observability/audit-log.ts', import.meta.url));
  const script = `
    const { AuditLog } = await import(${JSON.stringify(module)});
    const audit = new AuditLog();
    for (let i = 0; i < 22; i++) audit.exchange({ requestId: String(i), listener: 'inbound', method: 'GET', host: 'h', path: '/', status: 200,
      policy: { name: 'p', revision: 'r' }, mode: 'enforce', rules: { request: 'default', response: 'default' }, action: 'log',
      outcome: 'forwarded', direction: 'response', detectors: [], durationMs: 1 });
  `;
  const child = spawnSync(process.execPath, ['--import=tsx', '--conditions=leakguard-source', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  t.equal(child.status, 0, child.stderr);
  const ids = child.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { requestId: string }).requestId);
  t.same(ids, Array.from({ length: 22 }, (_, i) => String(i)), 'all 22, in order (20 written in batches, 2 at exit)');
});
