// The app misbehaving, and the client going away: refused, reset mid-body, too slow, a stale
// keep-alive connection, client aborts. Errors are JSON with stable codes while the response
// headers are still the proxy's to send; past that, the client sees a broken transfer.
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import t from 'tap';
import { checkNoLeaks } from './harness/leak-check.js';
import { actionPolicy, eventually, httpRequest, startHarness, startUpstream } from './harness/proxy-harness.js';

const errorOf = (body: Buffer): { code?: string; requestId?: string } => JSON.parse(body.toString('utf8')).error ?? {};

t.test('upstream refused: 502 LG_ERR_UPSTREAM_UNREACHABLE', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const h = await startHarness(t, actionPolicy(), port);
  const res = await h.request({ path: '/log/x' });
  t.equal(res.status, 502);
  t.equal(errorOf(res.body).code, 'LG_ERR_UPSTREAM_UNREACHABLE');
  t.ok(errorOf(res.body).requestId, 'names the request id');
  t.match(res.headers['content-type'], /application\/json/);
  const error = h.events().find((e) => e.event === 'leakguard.error');
  t.ok(error && (error.error as { code: string }).code === 'LG_ERR_UPSTREAM_UNREACHABLE', 'an error audit event');
});

t.test('upstream too slow: 504 LG_ERR_UPSTREAM_TIMEOUT, and the app request is abandoned', async (t) => {
  let closed = 0;
  // Never answers.
  const upstream = await startUpstream((_req, res) => {
    res.on('close', () => closed++);
  });
  t.teardown(() => upstream.close());
  const h = await startHarness(t, actionPolicy(), upstream.port, { upstreamTimeoutMs: 300 });
  const res = await h.request({ path: '/log/never' });
  t.equal(res.status, 504);
  t.equal(errorOf(res.body).code, 'LG_ERR_UPSTREAM_TIMEOUT');
  t.ok(await eventually(() => closed === 1), 'the app connection was closed');
});

t.test('upstream reset mid-body', async (t) => {
  const upstream = await startUpstream((req, res) => {
    const socket = res.socket as Socket;
    if (req.url === '/log/reset-held') {
      // 10 KiB of a declared 100 KiB, then the connection dies: all within the proxy's hold.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100 * 1024 });
      res.write(Buffer.alloc(10 * 1024, 'a'), () => socket.destroy());
    } else if (req.url === '/log/reset-streamed') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1024 * 1024 });
      res.write(Buffer.alloc(256 * 1024, 'a'), () => setTimeout(() => socket.destroy(), 20));
    } else if (req.url === '/log/reset-chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(Buffer.alloc(200 * 1024, 'a'), () => setTimeout(() => socket.destroy(), 20));
    } else res.end('ok');
  });
  t.teardown(() => upstream.close());
  const h = await startHarness(t, actionPolicy({ maxBufferBytes: '64Ki' }), upstream.port);

  const held = await h.request({ path: '/log/reset-held' });
  t.equal(held.status, 502, 'within the hold: a clean 502');
  t.equal(errorOf(held.body).code, 'LG_ERR_UPSTREAM_RESET');

  for (const path of ['/log/reset-streamed', '/log/reset-chunked']) {
    const res = await h.request({ path });
    t.equal(res.status, 200, `${path}: the headers had left`);
    t.ok(res.error !== undefined, `${path}: the client sees a broken transfer (${res.error}), never a complete-looking one`);
  }
});

t.test('a stale keep-alive connection to the app is retried once on a fresh one', async (t) => {
  const requestsPerSocket = new WeakMap<Socket, number>();
  let resets = 0;
  const upstream = await startUpstream((req, res: ServerResponse) => {
    const socket = req.socket;
    const n = (requestsPerSocket.get(socket) ?? 0) + 1;
    requestsPerSocket.set(socket, n);
    if (n >= 2) {
      // The app closed the idle connection just as the proxy reused it.
      resets++;
      socket.destroy();
      return;
    }
    res.end(`ok ${req.method}`);
  });
  t.teardown(() => upstream.close());
  const h = await startHarness(t, actionPolicy(), upstream.port);
  const first = await h.request({ path: '/log/a' });
  const second = await h.request({ path: '/log/b' });
  const third = await h.request({ method: 'POST', path: '/log/c', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  t.equal(first.status, 200);
  t.equal(second.status, 200, 'GET succeeded after the reset');
  t.equal(third.status, 200, 'POST with a held body succeeded after the reset');
  t.ok(third.body.toString() === 'ok POST');
  t.ok(resets >= 2, `${resets} stale connections were met and retried`);
});

t.test('client aborts', async (t) => {
  let responseClosedEarly = false;
  let requestAborted = false;
  const upstream = await startUpstream(
    (req, res) => {
      if (req.url === '/log/slow-download') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(Buffer.alloc(1024, 'a'));
        res.on('close', () => (responseClosedEarly = !res.writableFinished));
        return; // never ends
      }
      if (req.url === '/log/slow-upload') {
        req.on('aborted', () => (requestAborted = true));
        req.on('error', () => (requestAborted = true));
        req.resume();
        return;
      }
      res.end('ok');
    },
    { streaming: true },
  );
  t.teardown(() => upstream.close());
  const h = await startHarness(t, actionPolicy({ maxBufferBytes: '0' }), upstream.port);

  // Download: the client goes away after the first bytes; the app's response is abandoned too.
  await new Promise<void>((resolve) => {
    const req = request(`${h.base}/log/slow-download`, { agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => undefined);
    req.end();
  });
  t.ok(await eventually(() => responseClosedEarly), 'the app response was closed when the client left');

  // Upload: the client goes away mid-body; the app's request is aborted too.
  await new Promise<void>((resolve) => {
    const req = request(`${h.base}/log/slow-upload`, { method: 'POST', agent: false, headers: { 'content-type': 'text/plain', 'content-length': 1 << 20 } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(200 * 1024, 'b'), () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 50));
  });
  t.ok(await eventually(() => requestAborted), 'the app request was aborted when the client left');
  t.ok(await eventually(() => h.proxy.inFlight === 0), 'no exchange left in flight');
  const metrics = await h.metricsText();
  // The upload never got an answer: counted as 499 (client closed), like nginx does.
  t.match(metrics, /leakguard_requests_total\{rule="default",status_class="4xx",action="none"\} [1-9]/, 'aborted exchanges are counted');
});

t.test('the app gone entirely while the proxy runs: still JSON errors, never a hang', async (t) => {
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  const h = await startHarness(t, actionPolicy(), upstream.port);
  t.equal((await h.request({ path: '/log/1' })).status, 200);
  await upstream.close();
  const res = await httpRequest(h.base, { path: '/log/2' });
  t.equal(res.status, 502);
  t.equal(errorOf(res.body).code, 'LG_ERR_UPSTREAM_UNREACHABLE');
});

checkNoLeaks(t);
