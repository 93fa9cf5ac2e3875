// The kustomize base builds offline, every object validates, and the pieces fit together
// (webhook entries as the issue asks, Service -> Deployment port, TLS Secret <- Certificate,
// RBAC for the Deployment's service account, CA injection, no caBundle).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { checkSchema, hasSchema, names, resolveInjectorConfig, runInject, excludedNamespaces } from '../src/index.js';
import { captureIO } from './support/capture-io.js';
import type { JsonObjectLike } from './support/golden-types.js';

const MANIFESTS = new URL('../manifests/', import.meta.url).pathname;
type Obj = JsonObjectLike & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> } };

function build(dir: string): { text: string; objects: Obj[] } {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return { text, objects: parseAllDocuments(text).map((d) => d.toJS() as Obj) };
}

/** cert-manager objects: kubernetes-models has no schema for them at a Node-20 version. */
function checkCertManager(o: Obj): string[] {
  const spec = (o.spec ?? {}) as JsonObjectLike;
  const problems: string[] = [];
  if (o.apiVersion !== 'cert-manager.io/v1') problems.push(`apiVersion ${o.apiVersion}`);
  if (o.kind === 'Issuer' || o.kind === 'ClusterIssuer') {
    const kinds = ['selfSigned', 'ca', 'acme', 'vault', 'venafi'].filter((k) => k in spec);
    if (kinds.length !== 1) problems.push('an Issuer needs exactly one of selfSigned, ca, acme, vault, venafi');
    if ('ca' in spec && typeof (spec.ca as JsonObjectLike).secretName !== 'string') problems.push('spec.ca.secretName is required');
  } else if (o.kind === 'Certificate') {
    if (typeof spec.secretName !== 'string') problems.push('spec.secretName is required');
    const issuerRef = spec.issuerRef as JsonObjectLike | undefined;
    if (!issuerRef || typeof issuerRef.name !== 'string') problems.push('spec.issuerRef.name is required');
    if (!spec.commonName && !Array.isArray(spec.dnsNames) && !Array.isArray(spec.ipAddresses)) problems.push('one of commonName, dnsNames, ipAddresses is required');
    for (const d of ['duration', 'renewBefore']) if (d in spec && !/^(\d+h)?(\d+m)?(\d+s)?$/.test(String(spec[d]))) problems.push(`spec.${d} is not a Go duration`);
    const key = spec.privateKey as JsonObjectLike | undefined;
    if (key?.algorithm && !['RSA', 'ECDSA', 'Ed25519'].includes(String(key.algorithm))) problems.push('spec.privateKey.algorithm');
    if (key?.rotationPolicy && !['Never', 'Always'].includes(String(key.rotationPolicy))) problems.push('spec.privateKey.rotationPolicy');
    const usages = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc'];
    for (const u of (spec.usages as string[] | undefined) ?? []) if (!usages.includes(u)) problems.push(`unknown usage ${u}`);
  } else problems.push(`unexpected cert-manager kind ${o.kind}`);
  return problems;
}

const { objects } = build(join(MANIFESTS, 'base'));
const find = (kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Obj;

t.test('every object validates', async (t) => {
  t.ok(objects.length >= 12, `${objects.length} objects`);
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    if (o.apiVersion.startsWith('cert-manager.io/')) t.same(checkCertManager(o), [], `${id}: cert-manager fields`);
    else {
      t.ok(hasSchema(o as never), `${id}: has a schema`);
      t.same(checkSchema(o as never), [], `${id}: validates`);
    }
    if (o.kind !== 'Namespace' && !['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration'].includes(o.kind)) t.equal(o.metadata.namespace, 'leakguard-system', `${id} in leakguard-system`);
  }
});

t.test('webhook configuration: one entry per mode, as the issue specifies', async (t) => {
  const mwc = find('MutatingWebhookConfiguration');
  const webhooks = mwc.webhooks as JsonObjectLike[];
  t.equal(mwc.metadata.annotations?.['cert-manager.io/inject-ca-from'], 'leakguard-system/leakguard-webhook', 'CA injected by cert-manager');
  const cert = find('Certificate', 'leakguard-webhook');
  t.ok(cert, 'the injected-from Certificate exists');
  t.same(webhooks.map((w) => [w.name, w.failurePolicy]), [
    ['strict.inject.leakguard.io', 'Fail'],
    ['permissive.inject.leakguard.io', 'Ignore'],
    ['pod.inject.leakguard.io', 'Ignore'],
  ]);
  const service = find('Service', 'leakguard-injector');
  const systemNamespaces = excludedNamespaces(resolveInjectorConfig({ ownNamespace: 'leakguard-system' }));
  for (const w of webhooks) {
    const name = w.name as string;
    t.equal(w.sideEffects, 'None', `${name} sideEffects`);
    t.equal(w.reinvocationPolicy, 'IfNeeded', `${name} reinvocationPolicy`);
    t.equal(w.timeoutSeconds, 10, `${name} timeoutSeconds`);
    t.same(w.admissionReviewVersions, ['v1'], `${name} admissionReviewVersions`);
    const client = w.clientConfig as { service: JsonObjectLike; caBundle?: string };
    t.notOk('caBundle' in client, `${name}: no caBundle rendered (no GitOps drift)`);
    t.same(client.service, { name: service.metadata.name, namespace: service.metadata.namespace, path: '/inject', port: 443 }, `${name} calls the Service`);
    t.same(w.rules, [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
    const nsExpr = (w.namespaceSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions;
    t.same(nsExpr.find((e) => e.key === 'kubernetes.io/metadata.name'), { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: systemNamespaces }, `${name} excludes the namespaces the webhook never touches`);
  }
  const [strict, permissive, pod] = webhooks;
  t.same((strict.namespaceSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions[0], { key: names.INJECT_LABEL, operator: 'In', values: ['enabled'] });
  t.notOk(strict.objectSelector, 'no pod label can steer a pod around a strict namespace');
  t.same((permissive.namespaceSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions[0], { key: names.INJECT_LABEL, operator: 'In', values: ['permissive'] });
  t.same((pod.namespaceSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions[0], { key: names.INJECT_LABEL, operator: 'DoesNotExist' });
  t.same((pod.objectSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions[0], { key: names.INJECT_LABEL, operator: 'In', values: ['enabled'] });
  const deployment = find('Deployment', 'leakguard-injector');
  const podLabels = ((deployment.spec as JsonObjectLike).template as { metadata: { labels: Record<string, string> } }).metadata.labels;
  for (const w of [permissive, pod]) {
    const own = (w.objectSelector as { matchExpressions: JsonObjectLike[] }).matchExpressions.find((e) => e.key === 'app.kubernetes.io/name');
    t.ok(own && own.operator === 'NotIn' && (own.values as string[]).includes(podLabels['app.kubernetes.io/name']), `${w.name as string} excludes the injector's own pods`);
  }
});

t.test('deployment, service, PDB, RBAC and certificates fit together', async (t) => {
  const deployment = find('Deployment', 'leakguard-injector');
  const spec = deployment.spec as JsonObjectLike;
  t.equal(spec.replicas, 2);
  const template = spec.template as { metadata: { labels: Record<string, string> }; spec: JsonObjectLike };
  const podSpec = template.spec;
  const container = (podSpec.containers as JsonObjectLike[])[0];
  const anti = ((podSpec.affinity as JsonObjectLike).podAntiAffinity as JsonObjectLike).preferredDuringSchedulingIgnoredDuringExecution as JsonObjectLike[];
  t.equal((anti[0].podAffinityTerm as JsonObjectLike).topologyKey, 'kubernetes.io/hostname', 'replicas spread over nodes');
  const service = find('Service', 'leakguard-injector');
  const selector = (service.spec as { selector: Record<string, string> }).selector;
  for (const [k, v] of Object.entries(selector)) t.equal(template.metadata.labels[k], v, `Service selector ${k} matches the pods`);
  const targetPort = ((service.spec as { ports: JsonObjectLike[] }).ports[0]).targetPort;
  const port = (container.ports as JsonObjectLike[]).find((p) => p.name === targetPort) as JsonObjectLike;
  t.ok(port, 'Service targetPort names a container port');
  t.ok((container.args as string[]).includes(`--port=${port.containerPort as number}`), 'the webhook listens on that port');
  const pdb = find('PodDisruptionBudget');
  t.equal((pdb.spec as JsonObjectLike).minAvailable, 1);
  for (const [k, v] of Object.entries(((pdb.spec as JsonObjectLike).selector as { matchLabels: Record<string, string> }).matchLabels)) t.equal(template.metadata.labels[k], v, 'PDB selects the pods');
  const env = container.env as Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>;
  t.same(env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]), [['LEAKGUARD_POD_NAME', 'metadata.name'], ['LEAKGUARD_POD_NAMESPACE', 'metadata.namespace']], 'the webhook knows its own pod (it injects the image it runs)');
  t.equal(container.name, 'webhook', 'the container --own-container defaults to');
  t.notOk((container.args as string[]).some((a) => a.startsWith('--image')), 'no second place to set the image');
  const podRole = find('Role', 'leakguard-injector');
  t.same(podRole.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'get pods, in its own namespace only');
  t.same(find('RoleBinding', 'leakguard-injector').subjects, [{ kind: 'ServiceAccount', name: podSpec.serviceAccountName, namespace: 'leakguard-system' }]);
  const secretName = ((podSpec.volumes as JsonObjectLike[])[0].secret as JsonObjectLike).secretName;
  const cert = find('Certificate', 'leakguard-webhook');
  t.equal((cert.spec as JsonObjectLike).secretName, secretName, 'the Deployment mounts the Certificate\'s Secret');
  t.ok(((cert.spec as JsonObjectLike).dnsNames as string[]).includes(`${service.metadata.name}.${service.metadata.namespace}.svc`), 'the certificate names the Service');
  const issuerName = ((cert.spec as JsonObjectLike).issuerRef as JsonObjectLike).name;
  const issuer = find('Issuer', issuerName as string);
  t.ok(issuer, 'the serving certificate\'s Issuer exists');
  t.equal(((issuer.spec as JsonObjectLike).ca as JsonObjectLike).secretName, (find('Certificate', 'leakguard-ca').spec as JsonObjectLike).secretName, 'the CA Issuer uses the CA Certificate');
  const role = find('ClusterRole', 'leakguard-injector');
  t.same(role.rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }], 'least privilege: get namespaces');
  const binding = find('ClusterRoleBinding', 'leakguard-injector');
  t.same(binding.subjects, [{ kind: 'ServiceAccount', name: podSpec.serviceAccountName, namespace: 'leakguard-system' }], 'bound to the Deployment\'s service account');
  const policy = find('ConfigMap', 'leakguard-policy');
  t.equal(policy.metadata.labels?.[names.POLICY_LABEL], 'true');
  t.match((policy.data as Record<string, string>)[names.POLICY_CONFIGMAP_KEY], /kind: DlpPolicy/);
});

t.test('an overlay sets the image in one place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-overlay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n  - ${relative(dir, join(MANIFESTS, 'base'))}\nimages:\n  - name: ghcr.io/leakguard/leakguard\n    newName: registry.example.com/mirror/leakguard\n    newTag: 9.9.9\n`);
  const overlay = build(dir).objects.find((o) => o.kind === 'Deployment') as Obj;
  const container = (((overlay.spec as JsonObjectLike).template as JsonObjectLike).spec as { containers: JsonObjectLike[] }).containers[0];
  t.equal(container.image, 'registry.example.com/mirror/leakguard:9.9.9', 'the webhook runs, and so injects, the overlay\'s image');
});

t.test('the shop example builds and is injected by the CLI', async (t) => {
  const { text, objects: shop } = build(join(MANIFESTS, 'examples', 'shop'));
  for (const o of shop) t.same(checkSchema(o as never), [], `${o.kind}/${o.metadata.name} validates`);
  const dir = mkdtempSync(join(tmpdir(), 'lg-shop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'shop.yaml'), text);
  const io = captureIO();
  t.equal(await runInject(['-f', join(dir, 'shop.yaml')], io, {}), 0);
  t.equal(io.err(), '', 'no warnings');
  const deployment = parseAllDocuments(io.out()).map((d) => d.toJS() as Obj).find((o) => o.kind === 'Deployment') as Obj;
  const podSpec = ((deployment.spec as JsonObjectLike).template as JsonObjectLike).spec as { initContainers: JsonObjectLike[] };
  t.same(podSpec.initContainers.map((c) => [c.name, c.restartPolicy]), [['leakguard-init', undefined], ['leakguard-proxy', 'Always']], 'native sidecar from the namespace annotation');
});
