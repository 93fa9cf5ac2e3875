// HTTP at the hop: headers and URLs are inspected like bodies, hop-by-hop headers stop here,
// X-Forwarded-* and Via record the hop, malformed or oversized requests get JSON errors,
// upgrades are refused, skipped media types pass untouched, bodiless responses stay bodiless.
import { connect } from 'node:net';
import { request } from 'node:http';
import t from 'tap';
import { masked } from './harness/body-kinds.js';
import { checkNoLeaks, recordOutput } from './harness/leak-check.js';
import { PLANTED } from './harness/planted-values.js';
import { actionPolicy, startHarness, startUpstream } from './harness/proxy-harness.js';

const upstream = await startUpstream((req, res) => {
  const url = req.url ?? '';
  if (url.includes('/response-header-name')) {
    res.writeHead(200, { 'content-type': 'text/plain', [`x-ref-${PLANTED.cardBare}`]: 'hello' });
    res.end('ok');
  } else if (url.includes('/response-header')) {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-patient-ssn': PLANTED.ssn, connection: 'x-secret-hop', 'x-secret-hop': 'drop me' });
    res.end('ok');
  } else if (url.includes('/image')) {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(`PNG card ${PLANTED.card}`);
  } else if (url.includes('/untyped')) {
    res.writeHead(200);
    res.end(`card ${PLANTED.card}`);
  } else if (url.includes('/no-content')) {
    res.writeHead(204);
    res.end();
  } else if (url.includes('/not-modified')) {
    res.writeHead(304, { etag: '"v1"' });
    res.end();
  } else {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end(req.method === 'HEAD' ? undefined : 'ok');
  }
});
t.teardown(() => upstream.close());
const h = await startHarness(t, actionPolicy(), upstream.port);
const last = () => upstream.received.at(-1);

/** Sends raw bytes on a fresh connection and returns what came back. */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(h.proxy.inboundAddress?.port as number, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => {
      recordOutput(out);
      resolve(out);
    });
    socket.on('error', () => undefined);
    socket.setTimeout(3000, () => socket.destroy());
  });
}

t.test('request headers are inspected', async (t) => {
  await h.request({ path: '/log/h', headers: { 'x-card': PLANTED.card } });
  t.ok(last()?.headers['x-card'] === PLANTED.card, 'log: forwarded unchanged');
  await h.request({ path: '/redact/h', headers: { 'x-card': PLANTED.card, cookie: `a=1; ssn=${PLANTED.ssn}` } });
  t.ok(last()?.headers['x-card'] === masked(PLANTED.card), 'redact: the header value is masked in place');
  t.ok(last()?.headers.cookie === `a=1; ssn=${masked(PLANTED.ssn)}`, 'cookies too');
  const before = upstream.received.length;
  const blocked = await h.request({ path: '/block/h', headers: { 'x-card': PLANTED.card } });
  t.equal(blocked.status, 403);
  t.same(JSON.parse(blocked.body.toString()).error.detectors, ['payment_card']);
  t.equal(upstream.received.length, before, 'block: never forwarded');
  const event = h.events().find((e) => e.event === 'leakguard.block' && e.path === '/block/h');
  t.same((event?.detectors as Array<{ locations?: string[] }>)[0]?.locations, ['header:x-card'], 'the audit names the header, not the value');
});

t.test('a value written into a header name is masked in the name, both ways', async (t) => {
  const name = `x-ref-${PLANTED.cardBare}`;
  const maskedName = `x-ref-${masked(PLANTED.cardBare)}`;
  await h.request({ path: '/redact/name', headers: { [name]: 'hello' } });
  const sent = last()?.headers ?? {};
  t.notOk(Object.keys(sent).some((key) => key.includes(PLANTED.cardBare)), 'the app never sees the value');
  t.equal(sent[maskedName], 'hello', 'the header arrives under its masked name, value kept');
  const response = await h.request({ path: '/redact/response-header-name' });
  t.notOk(Object.keys(response.headers).some((key) => key.includes(PLANTED.cardBare)), 'the client never sees the value');
  t.equal(response.headers[maskedName], 'hello', 'the response header keeps its value under the masked name');
  const event = h.events().find((e) => e.event === 'leakguard.finding' && e.path === '/redact/name');
  t.same((event?.detectors as Array<{ locations?: string[] }>)[0]?.locations, [`header:${maskedName}`], 'the audit names the masked header');
  const before = upstream.received.length;
  const blocked = await h.request({ path: '/block/name', headers: { [name]: 'hello' } });
  t.equal(blocked.status, 403, 'block: refused');
  t.equal(upstream.received.length, before, 'block: never forwarded');
});

t.test('the URL is inspected: query string and path', async (t) => {
  const bare = PLANTED.cardBare;
  await h.request({ path: `/redact/search?q=${bare}&page=2` });
  t.ok(last()?.url === `/redact/search?q=${masked(bare)}&page=2`, 'redact: the query value is masked, same length');
  const before = upstream.received.length;
  const blocked = await h.request({ path: `/block/search?q=${bare}` });
  t.equal(blocked.status, 403);
  t.equal(upstream.received.length, before, 'block: never forwarded');
  await h.request({ path: `/log/patients/${PLANTED.ssn2}` });
  t.ok(last()?.url === `/log/patients/${PLANTED.ssn2}`, 'log: forwarded unchanged');
  const event = h.events().find((e) => e.event === 'leakguard.finding' && String(e.path).startsWith('/log/patients/'));
  t.ok(event, 'audited');
  t.equal(event?.path, `/log/patients/${masked(PLANTED.ssn2)}`, 'the audit line carries the path with the value masked');
});

t.test('response headers are inspected', async (t) => {
  const logged = await h.request({ path: '/log/response-header' });
  t.ok(logged.headers['x-patient-ssn'] === PLANTED.ssn, 'log: unchanged');
  t.equal(logged.headers['x-secret-hop'], undefined, 'headers named by Connection stop at the proxy');
  t.match(logged.headers.via, /1\.1 leakguard/, 'Via on the response');
  const redacted = await h.request({ path: '/redact/response-header' });
  t.ok(redacted.headers['x-patient-ssn'] === masked(PLANTED.ssn), 'redact: masked');
  const blocked = await h.request({ path: '/block/response-header' });
  t.equal(blocked.status, 403, 'block: a clean 403');
});

t.test('hop-by-hop headers, X-Forwarded-*, Via, X-Request-Id', async (t) => {
  await h.request({
    path: '/log/hops',
    headers: { connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5', host: 'app.example.test' },
  });
  const got = last()?.headers ?? {};
  for (const name of ['x-hop', 'keep-alive', 'te', 'proxy-authorization']) t.equal(got[name], undefined, `${name} is not forwarded`);
  t.equal(got['x-forwarded-for'], '127.0.0.1');
  t.equal(got['x-forwarded-proto'], 'http');
  t.equal(got['x-forwarded-host'], 'app.example.test');
  t.equal(got.host, 'app.example.test', 'Host is preserved');
  t.match(got.via, /^1\.1 leakguard$/);
  t.match(got['x-request-id'], /^[0-9a-f-]{36}$/);
  await h.request({ path: '/log/hops', headers: { 'x-forwarded-for': '203.0.113.7', via: '1.1 edge' } });
  t.equal(last()?.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'X-Forwarded-For is appended to');
  t.equal(last()?.headers.via, '1.1 edge, 1.1 leakguard');
});

t.test('malformed, oversized and upgrade requests get JSON errors', async (t) => {
  const oversized = await raw(`GET /log/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
  t.match(oversized, /^HTTP\/1\.1 431 /);
  t.match(oversized, /"code":"LG_ERR_HEADERS_TOO_LARGE"/);
  const malformed = await raw('THIS IS NOT HTTP\r\n\r\n');
  t.match(malformed, /^HTTP\/1\.1 400 /);
  t.match(malformed, /"code":"LG_ERR_BAD_REQUEST"/);
  const upgrade = await raw('GET /log/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
  t.match(upgrade, /^HTTP\/1\.1 501 /);
  t.match(upgrade, /"code":"LG_ERR_UPGRADE_UNSUPPORTED"/);
  const before = upstream.received.length;
  const twoHosts = await raw('GET /log/x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
  t.match(twoHosts, /^HTTP\/1\.1 400 /, 'two Host headers: 400 (RFC 9112)');
  t.match(twoHosts, /"code":"LG_ERR_BAD_REQUEST"/);
  t.equal(upstream.received.length, before, 'never forwarded');
});

t.test('a refused upload on a closing connection: the 403 survives the rest of the body', async (t) => {
  // The client reads only after it sent everything (as most do). Closing the socket while its
  // body still arrives would make the kernel reset the connection and drop the unread 403.
  const chunk = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(h.proxy.inboundAddress?.port as number, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(out));
    socket.on('connect', async () => {
      socket.pause();
      socket.write('POST /block/upload HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
      socket.write(chunk(`ssn ${PLANTED.ssn} ${'a'.repeat(2048)}`));
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 60));
        socket.write(chunk('b'.repeat(512)));
      }
      socket.write('0\r\n\r\n');
      await new Promise((r) => setTimeout(r, 60));
      socket.resume();
    });
  });
  recordOutput(answer);
  t.match(answer, /^HTTP\/1\.1 403 /, 'the client reads its 403');
  t.match(answer, /"code":"LG_ERR_BLOCKED"/);
});

t.test('a client too slow to send its headers gets 408 JSON', async (t) => {
  const slow = await startHarness(t, actionPolicy(), upstream.port, { headersTimeoutMs: 300 });
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(slow.proxy.inboundAddress?.port as number, '127.0.0.1', () => socket.write('GET /log/x HTTP/1.1\r\nHost: a\r\n'));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
  });
  t.match(answer, /^HTTP\/1\.1 408 /);
  t.match(answer, /"code":"LG_ERR_REQUEST_TIMEOUT"/);
});

t.test('skipped media types pass uninspected; untyped bodies are inspected', async (t) => {
  const image = await h.request({ path: '/redact/image' });
  t.ok(image.body.includes(PLANTED.card), 'image/* is in skipContentTypes: untouched');
  const untyped = await h.request({ path: '/redact/untyped' });
  t.notOk(untyped.body.includes(PLANTED.card), 'no Content-Type: inspected and redacted');
});

t.test('bodiless responses and Expect: 100-continue', async (t) => {
  const head = await h.request({ method: 'HEAD', path: '/log/x' });
  t.equal(head.status, 200);
  t.equal(head.headers['content-length'], '2', 'HEAD keeps the length of the body it does not carry');
  t.equal((await h.request({ path: '/log/no-content' })).status, 204);
  const notModified = await h.request({ path: '/log/not-modified' });
  t.equal(notModified.status, 304);
  t.equal(notModified.headers.etag, '"v1"');

  const status = await new Promise<number>((resolve) => {
    const req = request(`${h.base}/redact/upload`, { method: 'POST', agent: false, headers: { expect: '100-continue', 'content-type': 'text/plain', 'content-length': 21 } });
    req.on('continue', () => req.end(`card ${PLANTED.cardBare}`));
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
  t.equal(status, 200, 'the client was told to continue and the upload went through');
  t.ok(last()?.body.toString() === `card ${masked(PLANTED.cardBare)}`, 'redacted');
  t.equal(last()?.headers.expect, undefined, 'the app gets the body directly');

  const refused = await new Promise<{ status: number; continued: boolean }>((resolve) => {
    let continued = false;
    const req = request(`${h.base}/block/upload?q=${PLANTED.cardBare}`, { method: 'POST', agent: false, headers: { expect: '100-continue', 'content-type': 'text/plain', 'content-length': 5 } });
    req.on('continue', () => {
      continued = true;
      req.end('hello');
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, continued });
      req.destroy();
    });
    req.on('error', () => resolve({ status: 0, continued }));
  });
  t.equal(refused.status, 403, 'a head refused for its URL: 403');
  t.notOk(refused.continued, 'without a 100 Continue first: the body is never asked for');
});

checkNoLeaks(t);
