/**
 * The app behind every contender: GET /body/<bytes> answers a prebuilt body of that size,
 * POST /upload/<bytes> reads the body and answers a small JSON. Runs in its own process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchBody } from './bodies.js';

const bodies = new Map<number, Buffer>();
const ACK = Buffer.from('{"ok":true}');

const server = createServer((req, res) => {
  const [, kind, sizeText] = (req.url ?? '').split('/');
  const size = Number(sizeText);
  if ((kind === 'body' || kind === 'clean') && req.method === 'GET') {
    const key = kind === 'body' ? size : -size;
    let body = bodies.get(key);
    if (!body) bodies.set(key, (body = benchBody(size, kind === 'body')));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ACK.length });
    res.end(ACK);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));