// Backpressure: a client that stops reading a large response, and an app that stops reading a
// large upload. The proxy must stop pulling from the other side instead of buffering: measured
// as the bytes the proxy itself holds and as how far the sender got, never as a duration.
import { connect } from 'node:net';
import type { Writable } from 'node:stream';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import t from 'tap';
import { checkNoLeaks } from './harness/leak-check.js';
import { PLANTED } from './harness/planted-values.js';
import { actionPolicy, eventually, startHarness, startUpstream } from './harness/proxy-harness.js';

const TOTAL = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** What the proxy may hold for one exchange: the policy's 256Ki hold plus stream buffers. */
const HELD_BOUND = 2 * 1024 * 1024;

/** 64 KiB of text with one card number in the middle. */
function chunk(): Buffer {
  const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(CHUNK / 45));
  const text = `${filler.slice(0, CHUNK / 2)} card ${PLANTED.card} ${filler}`.slice(0, CHUNK);
  return Buffer.from(text);
}
const CHUNK_BYTES = chunk();

/** Waits until `read()` stops growing for `quietMs` (the sender is stalled). */
async function stalled(read: () => number, quietMs = 300, limitMs = 20_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
  }
  return read();
}

/**
 * Writes TOTAL bytes in CHUNK_BYTES chunks, waiting for 'drain' whenever the stream asks, then
 * ends it. `onChunk` runs before each chunk is written: the sender's count is what the tests
 * watch stall.
 */
function writeWithBackpressure(out: Writable, onChunk: () => void): void {
  let written = 0;
  const pump = (): void => {
    while (written < TOTAL) {
      written += CHUNK;
      onChunk();
      if (!out.write(CHUNK_BYTES)) {
        out.once('drain', pump);
        return;
      }
    }
    out.end();
  };
  pump();
}

let sent = 0;
const upstream = await startUpstream(
  (req, res) => {
    if (req.url === '/redact/download') {
      sent = 0;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': TOTAL });
      writeWithBackpressure(res, () => {
        sent += CHUNK;
      });
      return;
    }
    if (req.url === '/redact/upload') {
      // Reads nothing until told to; then counts what arrived and checks it.
      req.pause();
      upload = { req, res };
      return;
    }
    res.end('ok');
  },
  { streaming: true },
);
let upload: { req: IncomingMessage; res: ServerResponse } | undefined;
t.teardown(() => upstream.close());
const h = await startHarness(t, actionPolicy({ maxBufferBytes: '256Ki' }), upstream.port);

t.test('a client that stops reading a 64 MiB response: the proxy stops reading from the app', async (t) => {
  const socket = connect(h.proxy.inboundAddress?.port as number, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  socket.write('GET /redact/download HTTP/1.1\r\nHost: app\r\n\r\n');

  const sentWhenStalled = await stalled(() => sent);
  const held = h.proxy.heldBytes;
  t.ok(sentWhenStalled < TOTAL / 2, `the app stalled after ${(sentWhenStalled / 1048576).toFixed(1)} MiB of ${TOTAL / 1048576} MiB`);
  t.ok(held <= HELD_BOUND, `the proxy holds ${(held / 1024).toFixed(0)} KiB for the exchange (bound ${HELD_BOUND / 1024} KiB)`);

  // Now read everything: complete, the right length, every card masked.
  let received = 0;
  let leaked = 0;
  let tail = '';
  const needle = PLANTED.card;
  socket.on('data', (data: Buffer) => {
    received += data.length;
    const text = tail + data.toString('latin1');
    if (text.includes(needle)) leaked++;
    tail = text.slice(-needle.length);
    if (received >= TOTAL) socket.end();
  });
  socket.resume();
  await new Promise((resolve) => socket.once('close', resolve));
  const headerBytes = received - TOTAL;
  t.ok(headerBytes > 0 && headerBytes < 1024, 'all of the body arrived after the headers');
  t.equal(leaked, 0, 'no card number left unmasked');
});

t.test('an app that stops reading a 64 MiB upload: the proxy stops reading from the client', async (t) => {
  let clientSent = 0;
  const req = request(`${h.base}/redact/upload`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'text/plain', 'content-length': TOTAL },
  });
  const response = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
  writeWithBackpressure(req, () => {
    clientSent += CHUNK;
  });

  t.ok(await eventually(() => upload !== undefined, 10_000), 'the upload reached the app (past the 256Ki hold)');
  const sentWhenStalled = await stalled(() => clientSent);
  const held = h.proxy.heldBytes;
  t.ok(sentWhenStalled < TOTAL / 2, `the client stalled after ${(sentWhenStalled / 1048576).toFixed(1)} MiB of ${TOTAL / 1048576} MiB`);
  t.ok(held <= HELD_BOUND, `the proxy holds ${(held / 1024).toFixed(0)} KiB for the exchange (bound ${HELD_BOUND / 1024} KiB)`);

  // The app reads it all now, and answers.
  const app = upload as { req: IncomingMessage; res: ServerResponse };
  let received = 0;
  let leaked = 0;
  let tail = '';
  app.req.on('data', (data: Buffer) => {
    received += data.length;
    const text = tail + data.toString('latin1');
    if (text.includes(PLANTED.card)) leaked++;
    tail = text.slice(-PLANTED.card.length);
  });
  app.req.resume();
  await new Promise((resolve) => app.req.once('end', resolve));
  app.res.end('stored');
  t.equal(received, TOTAL, 'the app received every byte');
  t.equal(leaked, 0, 'no card number reached the app unmasked');
  t.equal(await response, 200, 'the client got the answer');
});

checkNoLeaks(t);
