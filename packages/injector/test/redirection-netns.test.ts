// The generated rules, installed by the real leakguard-init script with real iptables in a pod
// network namespace made for the test, redirect real connections: inbound app port -> :15100,
// outbound -> :15101, except the proxy's UID, loopback and skipped ports. Addresses are in
// 198.18.0.0/15 (reserved for benchmarking) on a veth pair between two private namespaces.
// Needs root, `ip netns` and iptables; skipped (with the reason) elsewhere.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { buildRedirectionRules } from '../src/index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const SCRIPT = new URL('../image/leakguard-init.sh', import.meta.url).pathname;
const suffix = String(process.pid % 100000);
const POD = `lgpod${suffix}`;
const CLIENT = `lgcli${suffix}`;

function sh(args: string[]): string {
  return execFileSync(args[0], args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    sh(['sh', '-c', 'command -v iptables-nft-restore || command -v iptables-legacy-restore']);
  } catch {
    return 'iptables is not installed (apt-get install iptables)';
  }
  try {
    sh(['ip', 'netns', 'add', POD]);
    sh(['ip', 'netns', 'add', CLIENT]);
  } catch (err) {
    return `cannot create network namespaces: ${(err as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

const reason = unavailable();
if (reason) {
  t.test('inbound and outbound redirection with the generated rules', { skip: reason }, async () => undefined);
} else {
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of [POD, CLIENT]) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  });

  const inNs = (ns: string, args: string[]) => ['ip', 'netns', 'exec', ns, ...args];
  const startEcho = (ns: string, name: string, host: string, ports: number[]) =>
    new Promise<void>((resolve, reject) => {
      const [cmd, ...args] = inNs(ns, [process.execPath, join(FIXTURES, 'port-echo.mjs'), host, ...ports.map(String)]);
      const child = spawn(cmd, args, { env: { ...process.env, ECHO_NAME: name }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`echo server exited ${code}`)));
    });
  const connect = (ns: string, host: string, port: number, uid?: number) =>
    sh(inNs(ns, [process.execPath, join(FIXTURES, 'connect.mjs'), host, String(port), ...(uid === undefined ? [] : [String(uid)])]));

  t.test('inbound and outbound redirection with the generated rules', async (t) => {
    sh(['ip', 'link', 'add', `v${POD}`, 'type', 'veth', 'peer', 'name', `v${CLIENT}`]);
    sh(['ip', 'link', 'set', `v${POD}`, 'netns', POD]);
    sh(['ip', 'link', 'set', `v${CLIENT}`, 'netns', CLIENT]);
    sh(inNs(POD, ['ip', 'addr', 'add', '198.18.0.2/24', 'dev', `v${POD}`]));
    sh(inNs(CLIENT, ['ip', 'addr', 'add', '198.18.0.1/24', 'dev', `v${CLIENT}`]));
    for (const [ns, dev] of [[POD, `v${POD}`], [CLIENT, `v${CLIENT}`]]) {
      sh(inNs(ns, ['ip', 'link', 'set', dev, 'up']));
      sh(inNs(ns, ['ip', 'link', 'set', 'lo', 'up']));
    }

    const rules = buildRedirectionRules({ inboundPort: 8080, egress: true, skipOutboundPorts: [5432], skipOutboundCidrs: [] });
    const initEnv = { PATH: process.env.PATH, LEAKGUARD_IPTABLES_RULES: rules.ipv4, LEAKGUARD_IP6TABLES_RULES: rules.ipv6 };
    const init = execFileSync('ip', inNs(POD, ['sh', SCRIPT]).slice(1), { env: initEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    t.match(init, /LEAKGUARD_INBOUND/, 'leakguard-init installed the rules');

    // In the pod: the proxy's ports and the app's; outside: the world.
    await startEcho(POD, 'pod', '0.0.0.0', [15100, 15101, 8080, 9090]);
    await startEcho(CLIENT, 'world', '198.18.0.1', [80, 5432]);

    t.equal(connect(CLIENT, '198.18.0.2', 8080), 'pod:15100', 'inbound to the app port reaches the proxy');
    t.equal(connect(CLIENT, '198.18.0.2', 9090), 'pod:9090', 'an acknowledged other port is not redirected');
    t.equal(connect(POD, '198.18.0.1', 80, 1000), 'pod:15101', 'the app\'s outbound traffic reaches the egress port');
    t.equal(connect(POD, '198.18.0.1', 80, 15100), 'world:80', 'the proxy\'s own traffic (UID 15100) goes out');
    t.equal(connect(POD, '198.18.0.1', 5432, 1000), 'world:5432', 'skip-outbound-ports go out directly');
    t.equal(connect(POD, '127.0.0.1', 8080, 1000), 'pod:8080', 'loopback (the proxy to the app) is not redirected');

    // leakguard-init runs again (a restarted pod sandbox): same table, same behaviour.
    execFileSync('ip', inNs(POD, ['sh', SCRIPT]).slice(1), { env: initEnv, stdio: 'ignore' });
    const rulesAfter = sh(inNs(POD, ['sh', '-c', 'iptables-nft-save -t nat 2>/dev/null || iptables-legacy-save -t nat'])).split('\n').filter((l) => l.startsWith('-A')).length;
    t.equal(rulesAfter, rules.ipv4.split('\n').filter((l) => l.startsWith('-A')).length, 'a second run does not duplicate rules');
    t.equal(connect(CLIENT, '198.18.0.2', 8080), 'pod:15100');
  });
}
