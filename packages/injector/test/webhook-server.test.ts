// The webhook over real HTTPS on 127.0.0.1: protocol errors, kinds and operations it leaves
// alone, namespace lookup failures, health endpoints, and certificate rotation without a restart.
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { NamespaceLookupError, StaticNamespaceSource, WebhookServer, resolveInjectorConfig, validateObject } from '../src/index.js';
import type { NamespaceSource } from '../src/index.js';
import { admissionReview, httpsRequest, reviewPod } from './support/https-client.js';
import { createTestCa } from './support/tls.js';

const ca = createTestCa();
t.teardown(() => ca.cleanup());
const config = resolveInjectorConfig({ image: 'registry.example.com/leakguard:test' });
const sample = JSON.parse(readFileSync('/work/shared/k8s-samples/pod-create-request.json', 'utf8')) as { request: { object: { metadata: Record<string, unknown> } } };

function collectingLog() {
  const lines: string[] = [];
  return { lines, log: { write: (level: string, event: string, fields: Record<string, unknown> = {}) => lines.push(JSON.stringify({ level, event, ...fields })) } };
}

async function startServer(t: { teardown(fn: () => unknown): void }, namespaces: NamespaceSource, files = ca.issue('server'), extra: Partial<ConstructorParameters<typeof WebhookServer>[0]> = {}) {
  const { lines, log } = collectingLog();
  const server = new WebhookServer({ host: '127.0.0.1', port: 0, certFile: files.certFile, keyFile: files.keyFile, config, namespaces, log, tlsPollIntervalMs: 0, ...extra });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port, lines };
}

const strictShop = new StaticNamespaceSource([{ name: 'shop', labels: { 'leakguard.io/inject': 'enabled' }, annotations: {} }]);

t.test('protocol errors', async (t) => {
  const { port, lines } = await startServer(t, strictShop);
  const cases: Array<[string, Parameters<typeof httpsRequest>[2], number, string]> = [
    ['wrong content type', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, 'LG_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['malformed JSON', { body: '{"apiVersion":' }, 400, 'LG_ERR_BAD_REQUEST'],
    ['not an AdmissionReview', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod' }) }, 400, 'LG_ERR_BAD_REQUEST'],
    ['no uid', { body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }) }, 400, 'LG_ERR_BAD_REQUEST'],
    ['GET /inject', { method: 'GET' }, 405, 'LG_ERR_METHOD_NOT_ALLOWED'],
    ['unknown path', { path: '/mutate', body: '{}' }, 404, 'LG_ERR_NOT_FOUND'],
    ['body too large', { body: Buffer.alloc(64 * 1024, 0x20) }, 413, 'LG_ERR_PAYLOAD_TOO_LARGE'],
  ];
  const { port: smallPort } = await startServer(t, strictShop, ca.issue('small'), { maxBodyBytes: 1024 });
  for (const [name, options, status, code] of cases) {
    const reply = await httpsRequest(name === 'body too large' ? smallPort : port, ca.caCert, options);
    t.equal(reply.status, status, `${name}: HTTP ${status}`);
    t.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, code, `${name}: ${code}`);
  }
  t.ok(lines.some((l) => l.includes('LG_ERR_UNSUPPORTED_MEDIA_TYPE')), 'rejections are logged with their code');
});

t.test('a pod in a strict namespace is injected; non-Pod kinds, other operations and subresources pass untouched', async (t) => {
  const { port, lines } = await startServer(t, strictShop);
  const created = JSON.parse((await httpsRequest(port, ca.caCert, { body: admissionReview('uid-create', sample.request.object) })).body);
  t.equal(created.apiVersion, 'admission.k8s.io/v1');
  t.equal(created.kind, 'AdmissionReview');
  t.equal(created.response.uid, 'uid-create');
  t.equal(created.response.allowed, true);
  t.equal(created.response.patchType, 'JSONPatch');
  t.same(created.response.auditAnnotations, { injected: 'true', verdict: 'inject', mode: 'strict' });
  const patch = JSON.parse(Buffer.from(created.response.patch, 'base64').toString('utf8')) as Array<{ path: string }>;
  t.ok(patch.some((op) => op.path.includes('leakguard.io~1')), 'annotation keys escape / as ~1');

  for (const [name, extra] of [
    ['UPDATE', { operation: 'UPDATE' }],
    ['DELETE', { operation: 'DELETE' }],
    ['Deployment kind', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }],
    ['pods/ephemeralcontainers', { subResource: 'ephemeralcontainers' }],
  ] as const) {
    const reply = JSON.parse((await httpsRequest(port, ca.caCert, { body: admissionReview(`uid-${name}`, sample.request.object, extra) })).body);
    t.same(reply.response, { uid: `uid-${name}`, allowed: true }, `${name}: allowed, no patch`);
  }
  const logged = lines.join('\n');
  t.ok(logged.includes('"event":"leakguard.admission"'), 'one log line per admission');
  t.notOk(logged.includes('registry.example.com/shop'), 'log lines carry no pod contents');
});

t.test('namespace lookup failure: HTTP 500 so the entry\'s failurePolicy decides', async (t) => {
  const failing: NamespaceSource = { get: async () => Promise.reject(new NamespaceLookupError('API server unavailable')) };
  const { port } = await startServer(t, failing);
  const reply = await httpsRequest(port, ca.caCert, { body: admissionReview('uid-fail', sample.request.object) });
  t.equal(reply.status, 500);
  t.equal(JSON.parse(reply.body).error.code, 'LG_ERR_NAMESPACE_LOOKUP');
});

interface SamplePod {
  metadata: { namespace?: string; annotations?: Record<string, string> };
  spec: { containers: Array<{ name: string; image: string; args?: string[] }>; initContainers?: Array<{ name: string; args?: string[] }> };
}

t.test('reinvocation after another webhook put its container first: same app container, same port, valid', async (t) => {
  const namespaces = new StaticNamespaceSource([
    { name: 'shop', labels: { 'leakguard.io/inject': 'enabled' }, annotations: {} },
    { name: 'perm', labels: { 'leakguard.io/inject': 'permissive' }, annotations: {} },
  ]);
  const { port } = await startServer(t, namespaces);
  for (const [namespace, placement] of [['shop', 'legacy'], ['perm', 'legacy'], ['shop', 'native']] as const) {
    const label = `${namespace}, ${placement}`;
    // The sample's only container is "checkout", port 8080 named http.
    const pod = structuredClone(sample.request.object) as unknown as SamplePod;
    pod.metadata.namespace = namespace;
    if (placement === 'native') pod.metadata.annotations = { 'config.leakguard.io/native-sidecar': 'true' };
    const first = await reviewPod(port, ca.caCert, pod as never, `reinvoke-1-${label}`);
    t.equal(first.response.allowed, true, `${label}: injected`);

    // What the API server does with reinvocationPolicy IfNeeded after another webhook prepended
    // its container to the injected pod.
    const reinvoked = structuredClone(first.patched) as unknown as SamplePod;
    reinvoked.spec.containers.unshift({ name: 'agent', image: 'registry.example.com/agent:1' });
    const second = await reviewPod(port, ca.caCert, reinvoked as never, `reinvoke-2-${label}`);
    t.equal(second.response.allowed, true, `${label}: reinvocation allowed`);
    t.same(second.response.warnings ?? [], [], `${label}: no warning`);
    const result = second.patched as unknown as SamplePod;
    const annotations = result.metadata.annotations ?? {};
    t.equal(JSON.parse(annotations['leakguard.io/status'] ?? '{}').inboundPort, 8080, `${label}: still fronts port 8080`);
    const proxy = [...(result.spec.initContainers ?? []), ...result.spec.containers].find((c) => c.name === 'leakguard-proxy');
    t.match(proxy?.args, ['proxy', '--upstream', '127.0.0.1:8080'], `${label}: the proxy still forwards to the app`);
    t.equal(annotations['kubectl.kubernetes.io/default-container'], placement === 'legacy' ? 'checkout' : undefined, `${label}: default-container unchanged`);
    t.same(validateObject(second.patched as never), [], `${label}: the reinvoked pod validates`);
    const third = await reviewPod(port, ca.caCert, second.patched, `reinvoke-3-${label}`);
    t.notOk(third.response.patch, `${label}: a further call changes nothing`);
  }
});

t.test('close() cuts requests still in flight after the drain timeout', async (t) => {
  const hanging: NamespaceSource = { get: () => new Promise(() => undefined) };
  const { server, port, lines } = await startServer(t, hanging, ca.issue('drain'), { drainTimeoutMs: 200 });
  const pending = httpsRequest(port, ca.caCert, { body: admissionReview('uid-hang', sample.request.object) }).then(
    () => 'answered',
    () => 'cut',
  );
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await server.close();
  t.ok(Date.now() - started < 5_000, 'close() resolves after the drain timeout, not the request timeout');
  t.equal(await pending, 'cut', 'the stuck request\'s connection is closed');
  t.ok(lines.some((l) => l.includes('leakguard.webhook.drain_timeout')), 'the cut is logged');
});

t.test('healthz and readyz', async (t) => {
  const { port } = await startServer(t, strictShop);
  for (const path of ['/healthz', '/readyz']) {
    const reply = await httpsRequest(port, ca.caCert, { method: 'GET', path });
    t.equal(reply.status, 200, `${path} 200`);
  }
});

/** What the kubelet does on a Secret update: write a new timestamped directory, then swap `..data` to it atomically. */
function swapSecretVolume(volume: string, version: string, cert: Buffer, key: Buffer): void {
  mkdirSync(join(volume, version));
  writeFileSync(join(volume, version, 'tls.crt'), cert);
  writeFileSync(join(volume, version, 'tls.key'), key);
  symlinkSync(version, join(volume, '..data_tmp'));
  renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
}

t.test('certificate rotation through a ..data symlink swap, without dropping the listener', async (t) => {
  // Lay out the files like a Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>
  const volume = join(ca.dir, 'volume');
  const first = ca.issue('rotation-1');
  const second = ca.issue('rotation-2');
  mkdirSync(join(volume, '..2024_01'), { recursive: true });
  writeFileSync(join(volume, '..2024_01', 'tls.crt'), first.cert);
  writeFileSync(join(volume, '..2024_01', 'tls.key'), first.key);
  symlinkSync('..2024_01', join(volume, '..data'));
  symlinkSync('..data/tls.crt', join(volume, 'tls.crt'));
  symlinkSync('..data/tls.key', join(volume, 'tls.key'));
  const files = { certFile: join(volume, 'tls.crt'), keyFile: join(volume, 'tls.key'), cert: first.cert, key: first.key };
  const { server, port, lines } = await startServer(t, strictShop, files);

  const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => keepAlive.destroy());
  const before = await httpsRequest(port, ca.caCert, { method: 'GET', path: '/healthz', agent: keepAlive });
  const firstFingerprint = before.peer?.fingerprint256;
  t.ok(firstFingerprint, 'peer certificate seen');

  // A half-written rotation (new cert, old key) is refused and the old pair keeps serving.
  const reloadFailed = new Promise((resolve) => server.tls.once('reloadError', resolve));
  swapSecretVolume(volume, '..2024_02', second.cert, first.key);
  const error = (await reloadFailed) as { code: string };
  t.equal(error.code, 'LG_ERR_TLS_MATERIAL', 'mismatched pair rejected');
  const during = await httpsRequest(port, ca.caCert, { method: 'GET', path: '/healthz' });
  t.equal(during.peer?.fingerprint256, firstFingerprint, 'old certificate still served');

  // The complete rotation.
  const reloaded = new Promise((resolve) => server.tls.once('reload', resolve));
  swapSecretVolume(volume, '..2024_03', second.cert, second.key);
  await reloaded;
  const after = await httpsRequest(port, ca.caCert, { method: 'GET', path: '/healthz' });
  t.equal(after.status, 200, 'same port still answers');
  t.not(after.peer?.fingerprint256, firstFingerprint, 'new handshakes get the new certificate');
  const reused = await httpsRequest(port, ca.caCert, { method: 'GET', path: '/healthz', agent: keepAlive });
  t.equal(reused.status, 200, 'a connection opened before the rotation keeps working');
  t.ok(lines.some((l) => l.includes('leakguard.tls.reload"')), 'reload logged');
});
