// `leakguard webhook` as a process: starts, answers over HTTPS with namespace metadata from an
// API server (a local HTTPS stand-in), injects the image of its own pod, and on SIGTERM finishes
// the request in flight and exits 0 at once, even with keep-alive clients like the API server.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { runWebhook } from '../src/index.js';
import { captureIO } from './support/capture-io.js';
import { admissionReview, httpsRequest } from './support/https-client.js';
import { createTestCa } from './support/tls.js';

const ca = createTestCa();
t.teardown(() => ca.cleanup());
const sample = JSON.parse(readFileSync('/work/shared/k8s-samples/pod-create-request.json', 'utf8')) as { request: { object: unknown } };

t.test('SIGTERM with keep-alive clients: in-flight request answered with Connection: close, exit 0 long before the keep-alive timeout', async (t) => {
  const apiLeaf = ca.issue('api');
  const webhookLeaf = ca.issue('webhook');
  let releaseNamespace: () => void = () => undefined;
  let namespaceRequested: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => (namespaceRequested = resolve));
  const api = https.createServer({ cert: apiLeaf.cert, key: apiLeaf.key }, (req, res) => {
    if (req.url === '/api/v1/namespaces/leakguard-system/pods/injector-0') {
      res.writeHead(200).end(JSON.stringify({ spec: { containers: [{ name: 'webhook', image: 'registry.example.com/leakguard:own' }] } }));
      return;
    }
    // Hold the namespace answer until the webhook has begun stopping: the request is in flight.
    releaseNamespace = () => res.writeHead(200).end(JSON.stringify({ metadata: { name: 'shop', labels: { 'leakguard.io/inject': 'enabled' } } }));
    namespaceRequested();
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => api.close(() => r())));
  const apiPort = () => (api.address() as AddressInfo).port;
  const tokenFile = join(ca.dir, 'sa-token');
  writeFileSync(tokenFile, 'sa-token');
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=leakguard-source', new URL('./fixtures/run-webhook.ts', import.meta.url).pathname,
    '--host', '127.0.0.1', '--port', '0', '--tls-cert-file', webhookLeaf.certFile, '--tls-key-file', webhookLeaf.keyFile,
    '--kube-api-server', `https://127.0.0.1:${apiPort()}`, '--kube-token-file', tokenFile, '--kube-ca-file', join(ca.dir, 'ca.crt')], {
    env: { ...process.env, LEAKGUARD_POD_NAME: 'injector-0', LEAKGUARD_POD_NAMESPACE: 'leakguard-system' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /"event":"leakguard.webhook.listening".*?"port":(\d+)/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`webhook exited early (${code}): ${stderr}`)));
  });
  t.match(stdout, /"image":"registry.example.com\/leakguard:own"/, 'image read from its own pod');

  // Like the API server: connections kept open between requests, one busy and one idle at SIGTERM.
  const busy = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new https.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => {
    busy.destroy();
    idle.destroy();
  });
  for (const agent of [busy, idle]) t.equal((await httpsRequest(port, ca.caCert, { method: 'GET', path: '/healthz', agent })).headers.connection, 'keep-alive', 'connection kept alive');
  const pending = httpsRequest(port, ca.caCert, { body: admissionReview('uid-inflight', sample.request.object), agent: busy });
  await requested;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stopping = new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('leakguard.webhook.stopping') && resolve()));
  child.kill('SIGTERM');
  const signalled = Date.now();
  await stopping;
  releaseNamespace();
  const reply = await pending;
  t.equal(reply.status, 200, 'the in-flight admission is answered');
  t.equal(reply.headers.connection, 'close', 'and told to close its connection');
  const review = JSON.parse(reply.body) as { response: { allowed: boolean; patch: string } };
  t.equal(review.response.allowed, true);
  t.match(Buffer.from(review.response.patch, 'base64').toString(), /registry.example.com\/leakguard:own/, 'injects the image it runs');
  // The server's keepAliveTimeout is 30 s and its drain timeout 10 s: either would mean the
  // connections were not closed.
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000).unref());
  t.equal(await Promise.race([exited, timeout]), 0, 'exit code 0');
  t.ok(Date.now() - signalled < 5_000, 'exits within seconds of SIGTERM, not after a keep-alive or drain timeout');
  t.match(stdout, /leakguard.webhook.stopped/);
});

t.test('startup errors exit 2 with a code', async (t) => {
  const controller = new AbortController();
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--port', 'x'], {}, /--port.*LG_ERR_USAGE/],
    [['--nope'], {}, /Unknown option.*LG_ERR_USAGE/],
    [[], {}, /KUBERNETES_SERVICE_HOST is not set.*LG_ERR_KUBE_API/],
    [['--kube-api-server', 'https://127.0.0.1:1', '--kube-ca-file', join(ca.dir, 'ca.crt'), '--tls-cert-file', join(ca.dir, 'none.crt'), '--tls-key-file', join(ca.dir, 'none.key')], {}, /cannot read TLS files.*LG_ERR_TLS_MATERIAL/],
    [['--kube-api-server', 'https://127.0.0.1:1', '--kube-ca-file', join(ca.dir, 'ca.crt'), '--namespace-cache-ttl', 'soon'], {}, /namespace-cache-ttl.*LG_ERR_USAGE/],
  ];
  for (const [argv, env, message] of cases) {
    const io = captureIO();
    t.equal(await runWebhook(argv, io, { env, signal: controller.signal }), 2, argv.join(' ') || '(no args)');
    t.match(io.err(), message);
  }
});
