// Golden files: every test/golden/<case>/input.yaml goes through the CLI (`leakguard inject`,
// compared with expected.yaml, expected-dry-run.txt and expected.json) and, object by object,
// through the webhook over HTTPS on 127.0.0.1 (the returned patch applied to the pod must give
// the pod of expected.yaml; warnings and denials must be the CLI's). Then: inject twice = inject
// once, on both paths, and every injected result validates.
// LEAKGUARD_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { AdmissionReviewResponse, InjectorConfig, JsonObjectLike } from './support/golden-types.js';
import {
  StaticNamespaceSource,
  WebhookServer,
  names,
  podTemplatePointer,
  resolveInjectorConfig,
  runInject,
  validateObject,
} from '../src/index.js';
import { captureIO } from './support/capture-io.js';
import { admissionReview, httpsRequest } from './support/https-client.js';
import { createTestCa } from './support/tls.js';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;
const UPDATE = process.env.LEAKGUARD_UPDATE_GOLDEN === '1';
const IMAGE = 'registry.example.com/leakguard:test';

interface CaseConfig {
  nativeSidecarDefault?: boolean;
  namespace?: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

interface Expected {
  exitCode: number;
  stderr: string[];
}

function readDocs(text: string): JsonObjectLike[] {
  return parseAllDocuments(text as string)
    .map((d) => d.toJS() as unknown)
    .filter((v): v is JsonObjectLike => typeof v === 'object' && v !== null);
}

/** Objects carrying a pod template, in stream order (List items expanded), like the CLI. */
function targets(docs: JsonObjectLike[]): JsonObjectLike[] {
  const out: JsonObjectLike[] = [];
  const visit = (o: JsonObjectLike) => {
    if (o.kind === 'List' && Array.isArray(o.items)) (o.items as JsonObjectLike[]).forEach(visit);
    else if (podTemplatePointer(o as never) !== undefined) out.push(o);
  };
  docs.forEach(visit);
  return out;
}

/** The Pod the API server would send for this object (a controller's pod for a workload). */
function podOf(object: JsonObjectLike, defaultNamespace: string): JsonObjectLike {
  const pointer = podTemplatePointer(object as never) as string[];
  const meta = (object.metadata ?? {}) as JsonObjectLike;
  const namespace = (meta.namespace as string | undefined) ?? defaultNamespace;
  if (pointer.length === 0) {
    const pod = structuredClone(object);
    (pod.metadata as JsonObjectLike).namespace = namespace;
    return pod;
  }
  let template: JsonObjectLike = object;
  for (const key of pointer) template = template[key] as JsonObjectLike;
  const tmeta = structuredClone((template.metadata ?? {}) as JsonObjectLike);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...tmeta, generateName: `${meta.name as string}-`, namespace },
    spec: structuredClone(template.spec),
  };
}

function identityOf(object: JsonObjectLike, defaultNamespace: string): string {
  const meta = (object.metadata ?? {}) as JsonObjectLike;
  return `${object.kind as string} ${(meta.namespace as string | undefined) ?? defaultNamespace}/${(meta.name as string | undefined) ?? `${(meta.generateName as string | undefined) ?? ''}*`}`;
}

function isInjected(object: JsonObjectLike): boolean {
  const pointer = podTemplatePointer(object as never) as string[];
  let template: JsonObjectLike = object;
  for (const key of pointer) template = template[key] as JsonObjectLike;
  const annotations = ((template.metadata as JsonObjectLike | undefined)?.annotations ?? {}) as Record<string, string>;
  return names.STATUS_ANNOTATION in annotations;
}

const ca = createTestCa();
t.teardown(() => ca.cleanup());
const leaf = ca.issue('golden-webhook');
const namespaceSource = new StaticNamespaceSource();
const dynamicSource = {
  get: async (name: string) => {
    try {
      return await namespaceSource.get(name);
    } catch {
      return { name, labels: {}, annotations: {} };
    }
  },
};
const servers = new Map<boolean, { server: WebhookServer; port: number; config: InjectorConfig }>();
const silentLog = { write: () => undefined };

async function serverFor(native: boolean) {
  const existing = servers.get(native);
  if (existing) return existing;
  const config = resolveInjectorConfig({ image: IMAGE, nativeSidecarDefault: native });
  const server = new WebhookServer({ host: '127.0.0.1', port: 0, certFile: leaf.certFile, keyFile: leaf.keyFile, config, namespaces: dynamicSource, log: silentLog, tlsPollIntervalMs: 0 });
  const { port } = await server.start();
  const entry = { server, port, config };
  servers.set(native, entry);
  return entry;
}
t.teardown(async () => {
  for (const { server } of servers.values()) await server.close();
});

async function review(port: number, pod: JsonObjectLike, uid: string): Promise<AdmissionReviewResponse> {
  const reply = await httpsRequest(port, ca.caCert, { body: admissionReview(uid, pod) });
  if (reply.status !== 200) throw new Error(`webhook answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as AdmissionReviewResponse;
}

const cases = readdirSync(GOLDEN).filter((d) => existsSync(join(GOLDEN, d, 'input.yaml'))).sort();
t.ok(cases.length >= 30, `golden cases found: ${cases.length}`);

for (const name of cases) {
  t.test(name, async (t) => {
    const dir = join(GOLDEN, name);
    const inputPath = join(dir, 'input.yaml');
    const input = readFileSync(inputPath, 'utf8');
    const caseConfig: CaseConfig = existsSync(join(dir, 'config.json')) ? JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) : {};
    const native = caseConfig.nativeSidecarDefault ?? false;
    const defaultNamespace = caseConfig.namespace?.name ?? 'default';
    const args = ['-f', inputPath, '--image', IMAGE, '--native-sidecar-default', String(native)];
    if (caseConfig.namespace) {
      args.push('-n', caseConfig.namespace.name);
      const labels = Object.entries(caseConfig.namespace.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      if (labels) args.push('--namespace-labels', labels);
      for (const [k, v] of Object.entries(caseConfig.namespace.annotations ?? {})) args.push('--namespace-annotation', `${k}=${v}`);
    }

    // 1. CLI.
    const io = captureIO();
    const exitCode = await runInject(args, io, {});
    const dryIo = captureIO();
    const dryExit = await runInject([...args, '--dry-run'], dryIo, {});
    const stderr = io.err().split('\n').filter(Boolean);
    if (UPDATE) {
      writeFileSync(join(dir, 'expected.yaml'), io.out());
      writeFileSync(join(dir, 'expected-dry-run.txt'), dryIo.out());
      writeFileSync(join(dir, 'expected.json'), `${JSON.stringify({ exitCode, stderr }, null, 2)}\n`);
    }
    const expectedYaml = readFileSync(join(dir, 'expected.yaml'), 'utf8');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    t.equal(io.out(), expectedYaml, 'CLI output = expected.yaml');
    t.same(stderr, expected.stderr, 'CLI warnings and denials = expected.json');
    t.equal(exitCode, expected.exitCode, 'CLI exit code');
    t.equal(dryIo.out(), readFileSync(join(dir, 'expected-dry-run.txt'), 'utf8'), '--dry-run output = expected-dry-run.txt');
    t.equal(dryExit, expected.exitCode, '--dry-run exit code');

    // 2. CLI idempotence: the output, injected again, is unchanged.
    const again = captureIO();
    await runInject([...args.slice(0, 1), join(dir, 'expected.yaml'), ...args.slice(2)], again, {});
    t.equal(again.out(), expectedYaml, 'inject(inject(x)) = inject(x) through the CLI');

    // 3. Every injected object validates.
    const inputTargets = targets(readDocs(input));
    const outputTargets = targets(readDocs(expectedYaml));
    t.equal(outputTargets.length, inputTargets.length, 'same objects in and out');
    for (const object of outputTargets) {
      if (!isInjected(object)) continue;
      t.same(validateObject(object as never), [], `${identityOf(object, defaultNamespace)} validates`);
    }

    // 4. Webhook over HTTPS, object by object.
    for (const doc of readDocs(input)) {
      if (doc.kind === 'Namespace') {
        const meta = doc.metadata as JsonObjectLike;
        namespaceSource.set({ name: meta.name as string, labels: (meta.labels ?? {}) as Record<string, string>, annotations: (meta.annotations ?? {}) as Record<string, string> });
      }
    }
    if (caseConfig.namespace) namespaceSource.set({ name: caseConfig.namespace.name, labels: caseConfig.namespace.labels ?? {}, annotations: caseConfig.namespace.annotations ?? {} });
    const { port } = await serverFor(native);
    for (let i = 0; i < inputTargets.length; i++) {
      const identity = identityOf(inputTargets[i], defaultNamespace);
      const pod = podOf(inputTargets[i], defaultNamespace);
      const wantPod = podOf(outputTargets[i], defaultNamespace);
      const { response } = await review(port, pod, `${name}-${i}`);
      t.equal(response.uid, `${name}-${i}`, `${identity}: uid echoed`);
      const cliWarnings = stderr.filter((l) => l.startsWith(`Warning: ${identity}: `)).map((l) => l.slice(`Warning: ${identity}: `.length));
      const cliDenial = stderr.find((l) => l.startsWith(`Error: ${identity}: `))?.slice(`Error: ${identity}: `.length);
      t.same(response.warnings ?? [], cliWarnings, `${identity}: webhook warnings = CLI warnings`);
      t.equal(response.allowed, cliDenial === undefined, `${identity}: webhook allowed = CLI`);
      if (cliDenial !== undefined) {
        t.equal(response.status?.message, cliDenial, `${identity}: webhook denial = CLI denial`);
        t.equal(response.status?.code, 403, 'denial code 403');
        t.notOk(response.patch, 'no patch with a denial');
        continue;
      }
      let patched = pod;
      if (response.patch) {
        t.equal(response.patchType, 'JSONPatch');
        const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
        patched = jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
        const hadStatus = JSON.stringify(pod.metadata).includes(names.STATUS_ANNOTATION);
        if (isInjected(outputTargets[i]) && !hadStatus) {
          t.ok(ops.some((op) => op.path === '/metadata/annotations/leakguard.io~1status' || (op.path === '/metadata/annotations' && op.op === 'add')), 'status annotation path escaped as ~1');
        }
      }
      t.same(patched, wantPod, `${identity}: patch applied to the pod = expected.yaml's pod`);
      if (name === 'reserialized-without-restart-policy') {
        const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')) as Operation[];
        t.same(ops, [{ op: 'add', path: '/spec/initContainers/1/restartPolicy', value: 'Always' }], 'the patch only restores restartPolicy');
      }
      if (isInjected(outputTargets[i])) {
        t.same(validateObject(patched as never), [], `${identity}: patched pod validates`);
        const second = await review(port, patched, `${name}-${i}-again`);
        t.equal(second.response.allowed, true, `${identity}: reinvocation allowed`);
        t.notOk(second.response.patch, `${identity}: reinvocation returns no patch`);
      }
    }
  });
}
