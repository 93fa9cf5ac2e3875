// A value split across TCP writes at every offset, in both directions, with nothing held
// (maxBufferBytes 0): the engine's hold-back window alone must keep every byte of a value from
// leaving before it is decided.
import t from 'tap';
import { checkNoLeaks } from './harness/leak-check.js';
import { PLANTED } from './harness/planted-values.js';
import { actionPolicy, eventually, startHarness, startUpstream } from './harness/proxy-harness.js';
import { masked } from './harness/body-kinds.js';

const body = `{"ssn":"${PLANTED.ssn}","card":"${PLANTED.card}","mbi":"${PLANTED.mbi}"}`;
const expected = `{"ssn":"${masked(PLANTED.ssn)}","card":"${masked(PLANTED.card)}","mbi":"${masked(PLANTED.mbi)}"}`;
const bytes = Buffer.from(body);

// `/redact/response/<k>` answers `body` in two writes split at byte k, 3 ms apart.
const upstream = await startUpstream((req, res) => {
  const match = /^\/(redact|block)\/(response|response-padded)\/([0-9]+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  const k = Number(match[3]);
  const payload = match[2] === 'response' ? bytes : padded;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
  res.write(payload.subarray(0, k));
  setTimeout(() => res.end(payload.subarray(k)), 3);
});
t.teardown(() => upstream.close());
const h = await startHarness(t, actionPolicy({ maxBufferBytes: '0' }), upstream.port);

t.test('request body split at every offset: redacted before it reaches the app', async (t) => {
  let exact = 0;
  for (let k = 1; k < bytes.length; k++) {
    const before = upstream.received.length;
    const res = await h.request({
      method: 'POST',
      path: `/redact/request/${k}`,
      headers: { 'content-type': 'application/json', 'content-length': bytes.length },
      pieces: [bytes.subarray(0, k), bytes.subarray(k)],
    });
    const got = upstream.received[before];
    if (res.status === 200 && got && got.body.toString('utf8') === expected) exact++;
    else t.fail(`split at ${k}: status ${res.status}, app got ${got ? got.body.length : 'nothing'} bytes, not the expected redaction`);
  }
  t.equal(exact, bytes.length - 1, `all ${bytes.length - 1} split points redacted exactly`);
});

t.test('response body split at every offset: redacted before it reaches the client', async (t) => {
  let exact = 0;
  for (let k = 1; k < bytes.length; k++) {
    const res = await h.request({ path: `/redact/response/${k}` });
    if (res.status === 200 && !res.error && res.body.toString('utf8') === expected) exact++;
    else t.fail(`split at ${k}: status ${res.status}${res.error ? `, ${res.error}` : ''}, not the expected redaction`);
  }
  t.equal(exact, bytes.length - 1, `all ${bytes.length - 1} split points redacted exactly`);
});

// Past the hold-back window the head of the body has already streamed to its destination when
// the value arrives: a block can then only cut, and must cut before any byte of the value.
const padded = Buffer.from(`{"note":"${'x'.repeat(4096)}","ssn":"${PLANTED.ssn}","tail":"${'y'.repeat(64)}"}`);
const ssnAt = padded.indexOf(PLANTED.ssn);

t.test('request blocked mid-stream at every offset inside the value: no byte of it reaches the app', async (t) => {
  const prefix = PLANTED.ssn.slice(0, 3);
  let streamedThenCut = 0;
  for (let k = ssnAt; k <= ssnAt + PLANTED.ssn.length; k++) {
    const aborted = upstream.aborted.length;
    const received = upstream.received.length;
    const res = await h.request({
      method: 'POST',
      path: `/block/request/${k}`,
      headers: { 'content-type': 'application/json', 'content-length': padded.length },
      pieces: [padded.subarray(0, k), padded.subarray(k)],
      // Long enough for the app's connection to be up when the value arrives, most of the time;
      // when it is not, the app sees nothing at all, which is just as correct.
      pauseMs: 20,
    });
    t.equal(res.status, 403, `split at ${k}: 403`);
    await eventually(() => upstream.aborted.length > aborted, 200);
    if (upstream.aborted.length > aborted) streamedThenCut++;
    const seen = [...upstream.aborted.slice(aborted), ...upstream.received.slice(received)];
    t.ok(seen.every((r) => !r.body.includes(prefix) && !r.complete), `split at ${k}: the app got no byte of the value and no complete request`);
  }
  t.ok(streamedThenCut > 0, `${streamedThenCut} split points streamed the head of the body to the app before the cut`);
});

t.test('response blocked mid-stream: a clean 403 while nothing left, else a cut before any byte of the value', async (t) => {
  let cuts = 0;
  for (const k of [1, ssnAt - 100, ssnAt, ssnAt + 4, ssnAt + PLANTED.ssn.length, padded.length - 1]) {
    const res = await h.request({ path: `/block/response-padded/${k}` });
    t.notOk(res.body.includes(PLANTED.ssn.slice(0, 3)), `split at ${k}: no byte of the value`);
    if (res.status === 403) {
      // The value arrived before any output was due: the engine blocked before a byte left.
      t.equal(JSON.parse(res.body.toString('utf8')).error.code, 'LG_ERR_BLOCKED', `split at ${k}: a clean 403`);
      continue;
    }
    cuts++;
    t.equal(res.status, 200, `split at ${k}: the headers had left`);
    t.ok(res.error !== undefined, `split at ${k}: the client sees a broken transfer (${res.error})`);
    t.ok(res.body.length <= ssnAt, `split at ${k}: it stops before the value, never complete-looking`);
  }
  t.ok(cuts >= 3, `${cuts} splits streamed the head of the body and then cut`);
  t.match(await h.metricsText(), /leakguard_stream_cuts_total\{direction="response"\} [1-9]/, 'cuts are counted');
});

checkNoLeaks(t);
