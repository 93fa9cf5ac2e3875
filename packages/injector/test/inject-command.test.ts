// `leakguard inject` beyond the golden cases: stdin, JSON output, Namespace files, byte-for-byte
// pass-through, usage and input errors with their exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { INJECT_HELP, runInject } from '../src/index.js';
import { captureIO } from './support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'lg-inject-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
    - name: app
      image: registry.example.com/app:1
      ports: [{name: http, containerPort: 8080}]
`;

t.test('stdin in, JSON out, namespace from a Namespace file', async (t) => {
  const nsFile = join(dir, 'ns.yaml');
  writeFileSync(nsFile, 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: shop\n      labels: {leakguard.io/inject: enabled}\n');
  const io = captureIO(POD);
  t.equal(await runInject(['-f', '-', '--namespace-file', nsFile, '-o', 'json', '--image', 'registry.example.com/leakguard:x'], io, {}), 0);
  const pod = JSON.parse(io.out()) as { spec: { containers: Array<{ name: string; image: string }> } };
  t.same(pod.spec.containers.map((c) => c.name), ['leakguard-proxy', 'app'], 'injected (legacy placement by default)');
  t.equal(pod.spec.containers[0].image, 'registry.example.com/leakguard:x');
});

t.test('image and defaults from the environment', async (t) => {
  const io = captureIO(POD);
  const env = { LEAKGUARD_INJECT_IMAGE: 'registry.example.com/leakguard:env', LEAKGUARD_NATIVE_SIDECAR_DEFAULT: 'true', LEAKGUARD_PROXY_MEMORY_LIMIT: '1Gi' };
  t.equal(await runInject(['-f', '-', '--namespace-labels', 'leakguard.io/inject=enabled', '-o', 'json'], io, env), 0);
  const pod = JSON.parse(io.out()) as { spec: { initContainers: Array<{ name: string; image: string; resources: { limits: { memory: string } } }> } };
  t.same(pod.spec.initContainers.map((c) => c.name), ['leakguard-init', 'leakguard-proxy']);
  t.equal(pod.spec.initContainers[1].image, 'registry.example.com/leakguard:env');
  t.equal(pod.spec.initContainers[1].resources.limits.memory, '1Gi');
});

t.test('a stream with nothing to inject comes back byte for byte', async (t) => {
  const text = '# keep me\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}   # odd spacing kept\ndata: {"a": "1"}\n---\n' + POD;
  const io = captureIO(text);
  t.equal(await runInject(['-f', '-'], io, {}), 0, 'unlabelled namespace: nothing to do');
  t.ok(io.out() === text, 'identical output');
  const empty = captureIO('');
  t.equal(await runInject(['-f', '-', '--dry-run'], empty, {}), 0);
  t.equal(empty.out(), 'no Pod or pod template in the input\n');
});

t.test('usage and input errors exit 2 with a code', async (t) => {
  const cases: Array<[string[], string, RegExp]> = [
    [[], '', /-f FILE\|- is required \(LG_ERR_USAGE\)/],
    [['-f', '-', '--bogus'], '', /Unknown option '--bogus'.*LG_ERR_USAGE/],
    [['-f', '-', '-o', 'xml'], '', /--output must be yaml or json/],
    [['-f', '-', '--namespace-labels', 'novalue'], POD, /expected KEY=VALUE/],
    [['-f', '-', '--native-sidecar-default', 'maybe'], POD, /native-sidecar-default.*LG_ERR_INJECTOR_CONFIG/],
    [['-f', '-', '--proxy-cpu-request', '2', '--proxy-cpu-limit', '1'], POD, /must not exceed cpuLimit/],
    [['-f', '-', '--image', 'has spaces'], POD, /not an image reference/],
    [['-f', '-'], 'a: [unclosed', /stdin: document 1:.*LG_ERR_MANIFEST_PARSE/],
    [['-f', '-'], '- just\n- a list\n', /document 1 is not an object/],
    [['-f', join(dir, 'missing.yaml')], '', /ENOENT/],
  ];
  for (const [args, stdin, message] of cases) {
    const io = captureIO(stdin);
    t.equal(await runInject(args, io, {}), 2, `${args.join(' ')}: exit 2`);
    t.match(io.err(), message);
    t.equal(io.out(), '', 'nothing on stdout');
  }
  const help = captureIO();
  t.equal(await runInject(['--help'], help, {}), 0);
  t.ok(help.out().startsWith(INJECT_HELP.split('\n')[0]));
});
