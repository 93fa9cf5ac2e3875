/** The baseline: plain http-proxy with a keep-alive agent, no inspection. Own process. */
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
const proxy = httpProxy.createProxyServer({ target: { host: '127.0.0.1', port: upstreamPort }, agent });
proxy.on('error', (_error, _req, res) => {
  if ('writeHead' in res) {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  } else res.destroy();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
// Exit cleanly on SIGTERM so `--cpu-prof` runs write their profile.
process.on('SIGTERM', () => process.exit(0));
// The bench asks for CPU time used, to compare cost per request independently of machine load.
process.on('message', (message: unknown) => {
  if (message === 'cpu-usage') process.send?.({ cpu: process.cpuUsage() });
});
