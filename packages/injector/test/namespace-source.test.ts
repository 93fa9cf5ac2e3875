// Namespace metadata from the API server (a local HTTPS server playing its part), the TTL cache
// and the in-memory source.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CachedNamespaceSource, KubernetesApiClient, KubernetesNamespaceSource, StaticNamespaceSource, inClusterOptions, readOwnImage } from '../src/index.js';
import type { NamespaceSource } from '../src/index.js';
import { createTestCa } from './support/tls.js';

const ca = createTestCa();
t.teardown(() => ca.cleanup());

t.test('KubernetesNamespaceSource GETs the namespace with the service-account token', async (t) => {
  const leaf = ca.issue('apiserver');
  const seen: Array<{ path?: string; auth?: string }> = [];
  const api = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    seen.push({ path: req.url, auth: req.headers.authorization });
    if (req.url === '/api/v1/namespaces/shop') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'leakguard.io/inject': 'enabled' }, annotations: { 'config.leakguard.io/egress': 'enabled' } } }));
    } else if (req.url === '/api/v1/namespaces/leakguard-system/pods/injector-0') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Pod', spec: { containers: [{ name: 'webhook', image: 'registry.example.com/leakguard@sha256:abc' }] } }));
    } else if (req.url === '/api/v1/namespaces/forbidden') {
      res.writeHead(403).end('{}');
    } else if (req.url === '/api/v1/namespaces/garbled') {
      res.writeHead(200).end('not json');
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => api.close(() => r())));
  const tokenFile = join(ca.dir, 'token');
  writeFileSync(tokenFile, 'token-one\n');
  const client = new KubernetesApiClient({ apiServer: `https://127.0.0.1:${(api.address() as AddressInfo).port}`, tokenFile, caFile: join(ca.dir, 'ca.crt') });
  t.teardown(() => client.close());
  const source = new KubernetesNamespaceSource(client);

  t.same(await source.get('shop'), { name: 'shop', labels: { 'leakguard.io/inject': 'enabled' }, annotations: { 'config.leakguard.io/egress': 'enabled' } });
  t.same(seen[0], { path: '/api/v1/namespaces/shop', auth: 'Bearer token-one' });
  writeFileSync(tokenFile, 'token-two\n');
  await source.get('shop');
  t.equal(seen[1].auth, 'Bearer token-two', 'a rotated token is picked up');
  await t.rejects(source.get('missing'), { code: 'LG_ERR_NAMESPACE_NOT_FOUND' });
  await t.rejects(source.get('forbidden'), { code: 'LG_ERR_NAMESPACE_LOOKUP', message: /HTTP 403/ });
  await t.rejects(source.get('garbled'), { code: 'LG_ERR_NAMESPACE_LOOKUP', message: /not JSON/ });
  const untrustedClient = new KubernetesApiClient({ apiServer: `https://127.0.0.1:${(api.address() as AddressInfo).port}`, tokenFile, caFile: leaf.certFile });
  t.teardown(() => untrustedClient.close());
  await t.rejects(new KubernetesNamespaceSource(untrustedClient).get('shop'), { code: 'LG_ERR_NAMESPACE_LOOKUP' }, 'an API server not signed by the CA is refused');
  t.equal(await readOwnImage(client, 'leakguard-system', 'injector-0', 'webhook'), 'registry.example.com/leakguard@sha256:abc', 'the webhook finds the image it runs');
  await t.rejects(readOwnImage(client, 'leakguard-system', 'injector-0', 'other'), { code: 'LG_ERR_INJECTOR_CONFIG', message: /no container "other"/ });
  await t.rejects(readOwnImage(client, 'leakguard-system', 'gone', 'webhook'), { code: 'LG_ERR_INJECTOR_CONFIG', message: /HTTP 404/ });
});

t.test('CachedNamespaceSource: TTL and shared in-flight lookups', async (t) => {
  let calls = 0;
  let now = 1000;
  const inner: NamespaceSource = {
    get: async (name) => {
      calls++;
      return { name, labels: { n: String(calls) }, annotations: {} };
    },
  };
  const cached = new CachedNamespaceSource(inner, { ttlMs: 5000, now: () => now, maxEntries: 2 });
  const [a, b] = await Promise.all([cached.get('shop'), cached.get('shop')]);
  t.equal(calls, 1, 'concurrent lookups share one request');
  t.same(a, b);
  now += 4999;
  await cached.get('shop');
  t.equal(calls, 1, 'served from cache within the TTL');
  now += 1;
  t.equal((await cached.get('shop')).labels.n, '2', 'refetched after the TTL');
  await cached.get('a');
  await cached.get('b');
  await cached.get('shop');
  t.equal(calls, 5, 'oldest entry evicted past maxEntries');
  const failing = new CachedNamespaceSource({ get: async () => Promise.reject(new Error('down')) }, { ttlMs: 5000 });
  await t.rejects(failing.get('x'), /down/);
  await t.rejects(failing.get('x'), /down/, 'failures are not cached');
});

t.test('StaticNamespaceSource and in-cluster settings', async (t) => {
  const s = new StaticNamespaceSource([{ name: 'shop', labels: { a: 'b' }, annotations: {} }]);
  t.same((await s.get('shop')).labels, { a: 'b' });
  t.same(await s.get('other'), { name: 'other', labels: {}, annotations: {} }, 'unknown namespaces are unlabelled');
  const strictOnly = new StaticNamespaceSource([], () => undefined);
  await t.rejects(strictOnly.get('x'), { code: 'LG_ERR_NAMESPACE_NOT_FOUND' });
  t.same(inClusterOptions({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }).apiServer, 'https://10.96.0.1:443');
  t.same(inClusterOptions({ KUBERNETES_SERVICE_HOST: 'fd00::1' }).apiServer, 'https://[fd00::1]:443');
  t.throws(() => inClusterOptions({}), { code: 'LG_ERR_KUBE_API' });
});
