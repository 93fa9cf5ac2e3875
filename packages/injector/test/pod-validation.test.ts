// Validation of results: the kubernetes-models schemas and the rules they cannot express.
import t from 'tap';
import { checkSchema, decodeStatus, stripInjection, validateObject } from '../src/index.js';
import type { JsonObjectLike } from './support/golden-types.js';

const res = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } };
function pod(spec: JsonObjectLike): JsonObjectLike {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec };
}
const app = { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] };
const messages = (o: JsonObjectLike) => validateObject(o as never).map((i) => `${i.path}: ${i.message}`);

t.test('the schema knows restartPolicy on containers only as a string: the value rule is ours', async (t) => {
  const sidecar = { name: 'side', image: 'x', restartPolicy: 'Never' };
  t.same(checkSchema(pod({ initContainers: [sidecar], containers: [app] }) as never), [], 'kubernetes-models 4.5 accepts any string');
  t.match(messages(pod({ initContainers: [sidecar], containers: [app] })), ['/spec/initContainers/0/restartPolicy: must be "Always" when set (got "Never")']);
  t.match(messages(pod({ containers: [{ ...app, restartPolicy: 'Always' }] })), ['/spec/containers/0/restartPolicy: may only be set on init containers']);
  t.same(messages(pod({ initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } }, lifecycle: {} }], containers: [app] })), [], 'probes and lifecycle are fine on a native sidecar');
});

t.test('probes and lifecycle on a plain init container', async (t) => {
  const init = { name: 'init', image: 'x', startupProbe: { exec: { command: ['true'] } }, readinessProbe: { exec: { command: ['true'] } }, livenessProbe: { exec: { command: ['true'] } }, lifecycle: { postStart: { exec: { command: ['true'] } } } };
  t.same(messages(pod({ initContainers: [init], containers: [app] })), [
    '/spec/initContainers/0/livenessProbe: may only be set on an init container with restartPolicy: Always',
    '/spec/initContainers/0/readinessProbe: may only be set on an init container with restartPolicy: Always',
    '/spec/initContainers/0/startupProbe: may only be set on an init container with restartPolicy: Always',
    '/spec/initContainers/0/lifecycle: may only be set on an init container with restartPolicy: Always',
  ]);
});

t.test('names, ports, volumes, resources', async (t) => {
  t.match(messages(pod({ initContainers: [{ name: 'app', image: 'x' }], containers: [app] })), ['/spec/containers/0/name: container name "app" is already used at /spec/initContainers/0/name']);
  t.match(messages(pod({ containers: [{ ...app, ports: [{ name: 'Bad_Name', containerPort: 1 }, { name: 'dup', containerPort: 2 }, { name: 'dup', containerPort: 3 }, { containerPort: 70000 }] }] })), [
    /ports\/0\/name: "Bad_Name" is not a valid port name/,
    /ports\/2\/name: port name "dup" is used twice/,
    /ports\/3\/containerPort: must be between 1 and 65535/,
  ]);
  const proxy = { name: 'leakguard-proxy', image: 'x', ports: [{ name: 'lg-admin', containerPort: 15102 }], resources: res };
  t.match(messages(pod({ containers: [proxy, { ...app, ports: [{ containerPort: 15102 }] }] })), ['/spec/containers/1/ports/0/containerPort: port 15102 conflicts with the leakguard-proxy container\'s port']);
  t.match(messages(pod({ containers: [{ ...app, volumeMounts: [{ name: 'data', mountPath: '/d' }] }], volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] })), [
    '/spec/volumes/1/name: volume name "v" is used twice',
    '/spec/containers/0/volumeMounts/0/name: refers to volume "data", which the pod does not define',
  ]);
  const resourceIssues = messages(pod({ containers: [{ ...app, resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '1' } } }] }));
  t.ok(resourceIssues.includes('/spec/containers/0/resources/requests/memory: must match format "quantity"'), 'the schema checks the quantity format');
  t.ok(resourceIssues.includes('/spec/containers/0/resources/requests/cpu: request 2 exceeds limit 1'), 'requests above limits');
  t.match(messages(pod({ containers: [{ name: 'leakguard-proxy', image: 'x', resources: { requests: { cpu: '1m' } } }] })), [
    /leakguard-proxy must set requests.memory/,
    /leakguard-proxy must set limits.cpu/,
    /leakguard-proxy must set limits.memory/,
  ]);
});

t.test('schema errors surface with their path; workloads validate their template', async (t) => {
  t.same(messages(pod({ containers: [{ image: 'x', ports: [{ containerPort: '80' }] }] })), ['/spec/containers/0: must have required property name', '/spec/containers/0/ports/0/containerPort: must be integer']);
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ ...app, restartPolicy: 'Always' }] } } } };
  t.match(messages(deployment), ['/spec/template/spec/containers/0/restartPolicy: may only be set on init containers']);
  t.same(messages({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [app], futureField: { x: 1 } } }), [], 'fields this version does not know are accepted');
});

t.test('Windows pods: the Linux-only security settings the API server forbids (validateWindows)', async (t) => {
  const linuxOnly = { runAsUser: 1000, runAsGroup: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, readOnlyRootFilesystem: true, privileged: false, allowPrivilegeEscalation: false };
  const spec = { securityContext: { runAsUser: 1000, fsGroup: 2000, sysctls: [] }, initContainers: [{ name: 'init', image: 'x', securityContext: { runAsUser: 0 } }], containers: [{ ...app, securityContext: { ...linuxOnly, runAsNonRoot: true, windowsOptions: { runAsUserName: 'ContainerUser' } } }] };
  t.same(messages(pod(spec)), [], 'allowed on a Linux pod');
  t.same(messages(pod({ ...spec, os: { name: 'windows' } })), [
    '/spec/securityContext/fsGroup: cannot be set for a windows pod',
    '/spec/securityContext/runAsUser: cannot be set for a windows pod',
    '/spec/initContainers/0/securityContext/runAsUser: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/seccompProfile: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/capabilities: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/readOnlyRootFilesystem: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/privileged: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/allowPrivilegeEscalation: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/runAsUser: cannot be set for a windows pod',
    '/spec/containers/0/securityContext/runAsGroup: cannot be set for a windows pod',
  ], 'empty sysctls, runAsNonRoot and windowsOptions are fine');
});

t.test('pod-level resources: aggregate requests within the pod\'s, container limits within its limits', async (t) => {
  const sized = (resources: JsonObjectLike, containers: JsonObjectLike[], initContainers: JsonObjectLike[] = []) => messages(pod({ resources, initContainers, containers }));
  const c = (name: string, resources: JsonObjectLike, extra: JsonObjectLike = {}) => ({ name, image: 'x', resources, ...extra });
  t.same(sized({ requests: { cpu: '1' } }, [c('a', { requests: { cpu: '600m' } }), c('b', { limits: { cpu: '400m' } })]), [], 'a limit alone is the request: 1 of 1');
  t.same(sized({ requests: { cpu: '1' } }, [c('a', { requests: { cpu: '600m' } }), c('b', { limits: { cpu: '500m' } })]), ['/spec/resources/requests/cpu: pod-level request 1 is less than the containers\' aggregate request of 1100m']);
  t.same(sized({ limits: { memory: '1Gi' } }, [c('a', { requests: { memory: '1Gi' } })], [c('side', { requests: { memory: '1Mi' } }, { restartPolicy: 'Always' })]), ['/spec/resources/requests/memory: pod-level request 1Gi is less than the containers\' aggregate request of 1025Mi'], 'native sidecars add up; a pod-level limit alone is the request');
  t.same(sized({ requests: { cpu: '1' } }, [c('a', { requests: { cpu: '500m' } })], [c('side', { requests: { cpu: '200m' } }, { restartPolicy: 'Always' }), c('migrate', { requests: { cpu: '800m' } })]), [], 'a plain init container only needs its own request plus the sidecars started before it: 1 of 1');
  t.same(sized({ requests: { cpu: '1' } }, [c('a', { requests: { cpu: '500m' } })], [c('side', { requests: { cpu: '300m' } }, { restartPolicy: 'Always' }), c('migrate', { requests: { cpu: '800m' } })]), ['/spec/resources/requests/cpu: pod-level request 1 is less than the containers\' aggregate request of 1100m']);
  t.same(sized({ limits: { cpu: '1', memory: '1Gi' } }, [c('a', { limits: { cpu: '2', 'ephemeral-storage': '5Gi' } })], [c('migrate', { limits: { cpu: '4' } }), c('leakguard-init', { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '2Gi' } })]), [
    '/spec/resources/requests/cpu: pod-level request 1 is less than the containers\' aggregate request of 4',
    '/spec/containers/0/resources/limits/cpu: limit 2 exceeds the pod-level limit of 1',
    '/spec/initContainers/1/resources/limits/memory: limit 2Gi exceeds the pod-level limit of 1Gi',
  ], 'regular containers\' limits are checked, and Leakguard\'s init containers\'; resources the pod level does not set are not');
  t.same(sized({}, [c('a', { requests: { cpu: '100' } })]), [], 'nothing set at pod level: nothing to check');
});

t.test('stripInjection removes exactly what the status lists, or the well-known names when it is unreadable', async (t) => {
  const injected = {
    metadata: { labels: { app: 'a', 'leakguard.io/injected': 'true' }, annotations: { keep: 'x', 'kubectl.kubernetes.io/default-container': 'app', 'leakguard.io/status': JSON.stringify({ version: '1', mode: 'strict', placement: 'legacy', policy: 'p', inboundPort: 1, egress: 'disabled', initContainers: ['leakguard-init'], containers: ['leakguard-proxy'], volumes: ['leakguard-policy'], annotations: ['kubectl.kubernetes.io/default-container'] }) } },
    spec: { initContainers: [{ name: 'user-init' }, { name: 'leakguard-init' }], containers: [{ name: 'leakguard-proxy' }, { name: 'app' }], volumes: [{ name: 'data' }, { name: 'leakguard-policy' }, { name: 'leakguard-keys' }] },
  };
  const copy = structuredClone(injected);
  t.equal(stripInjection(copy as never).stripped, true);
  t.same(copy, {
    metadata: { labels: { app: 'a' }, annotations: { keep: 'x' } },
    spec: { initContainers: [{ name: 'user-init' }], containers: [{ name: 'app' }], volumes: [{ name: 'data' }, { name: 'leakguard-keys' }] },
  }, 'only the listed volume goes; leakguard-keys was not recorded, so it stays');
  const garbled = structuredClone(injected);
  (garbled.metadata.annotations as Record<string, string>)['leakguard.io/status'] = '{not json';
  stripInjection(garbled as never);
  t.same(garbled.spec.volumes, [{ name: 'data' }], 'unreadable status: well-known volumes removed');
  t.same(garbled.spec.containers, [{ name: 'app' }]);
  t.equal(decodeStatus('{"initContainers":"x"}'), undefined);
  const forged = {
    metadata: { annotations: { owner: 'team', 'leakguard.io/status': JSON.stringify({ initContainers: ['setup'], containers: ['app'], volumes: ['data'], annotations: ['owner'] }) } },
    spec: { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }], volumes: [{ name: 'data' }] },
  };
  stripInjection(forged as never);
  t.same(forged, { metadata: { annotations: { owner: 'team' } }, spec: { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }], volumes: [{ name: 'data' }] } }, 'a forged status cannot remove the user\'s containers, volumes or annotations');
  const plain = { metadata: {}, spec: { containers: [{ name: 'leakguard-proxy' }] } };
  t.equal(stripInjection(plain as never).stripped, false, 'no status: nothing removed');
  t.same(plain.spec.containers, [{ name: 'leakguard-proxy' }]);
});
