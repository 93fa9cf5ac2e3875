/**
 * `leakguard demo`: the sample patient-records API on a random loopback port, the proxy in front
 * of it (port 15100, or a free one) with the bundled default policy, and curl commands to try.
 * Runs until Ctrl-C / SIGTERM. `--self-test` runs the same requests itself and exits 0 or 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { AuditLog } from '../observability/audit-log.js';
import { curlCommands, runDemoChecks, UPLOAD_BODIES, type DemoUploads } from '../demo/demo-checks.js';
import { startSampleApp } from '../demo/sample-app.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../server/proxy-runtime.js';
import { parseListenAddress, type ListenAddress } from '../server/listen-address.js';
import type { CommandIO } from './command-io.js';
import { isTrue, parseOptions, renderOptions, type OptionSpec } from './option-parser.js';

/** The policy the demo runs with unless told otherwise. */
export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

const DEMO_OPTIONS: readonly OptionSpec[] = [
  { name: 'port', env: 'LEAKGUARD_DEMO_PORT', value: 'PORT', default: '15100', description: 'Proxy port on 127.0.0.1 (a free port is used when this one is taken).' },
  { name: 'admin-port', env: 'LEAKGUARD_DEMO_ADMIN_PORT', value: 'PORT', default: '15102', description: 'Admin port on 127.0.0.1 (likewise).' },
  { name: 'policy', env: 'LEAKGUARD_DEMO_POLICY', value: 'FILE', description: 'Policy to run with; edit and save it while the demo runs to see a hot reload.', default: DEFAULT_POLICY_PATH },
  { name: 'self-test', env: 'LEAKGUARD_DEMO_SELF_TEST', description: 'Run the demo requests, check every outcome, exit 0 when all pass (1 otherwise).' },
];

const USAGE = `Usage: leakguard demo [--port PORT] [--admin-port PORT] [--policy FILE] [--self-test]

Starts a sample patient-records and payments API (synthetic SSNs, cards, Medicare ids) on a
random loopback port, the Leakguard proxy in front of it, and prints curl commands that show
redacted JSON, gzip and XML responses, a blocked upload and a blocked response. Audit events
print below the commands as JSON lines. Needs no cluster and no configuration.

Options:
${renderOptions(DEMO_OPTIONS)}
`;

const DEMO_FINGERPRINT_KEY = 'leakguard-demo-fingerprint-key';

function proxyOptions(policyPath: string, listen: ListenAddress, admin: ListenAddress, upstreamPort: number): ProxyOptions {
  return {
    upstream: { host: '127.0.0.1', port: upstreamPort, label: `127.0.0.1:${upstreamPort}` },
    policyPath,
    listen,
    adminListen: admin,
    upstreamTimeoutMs: 30_000,
    upstreamMaxSockets: 64,
    upstreamKeepAliveMs: 4_000,
    policyPollMs: 2_000,
    headersTimeoutMs: 15_000,
    requestTimeoutMs: 60_000,
    idleTimeoutMs: 65_000,
    maxHeaderBytes: 16 * 1024,
    fingerprintKey: process.env.LEAKGUARD_FINGERPRINT_KEY ?? DEMO_FINGERPRINT_KEY,
  };
}

/** Starts the proxy on the wanted ports, falling back to free ones when they are taken. */
async function startOnFreePorts(options: ProxyOptions): Promise<RunningProxy> {
  for (const fallback of [[false, false], [true, false], [false, true], [true, true]] as const) {
    try {
      return await startProxy({
        ...options,
        listen: fallback[0] ? { ...options.listen, port: 0 } : options.listen,
        adminListen: fallback[1] && options.adminListen ? { ...options.adminListen, port: 0 } : options.adminListen,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('unreachable: port 0 is always free');
}

function writeUploads(): { dir: string; uploads: DemoUploads } {
  const dir = mkdtempSync(join(tmpdir(), 'leakguard-demo-'));
  const uploads = {} as DemoUploads;
  for (const [key, body] of Object.entries(UPLOAD_BODIES) as [keyof DemoUploads, string][]) {
    const file = join(dir, `${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${key === 'searchTerm' ? '.txt' : '.json'}`);
    writeFileSync(file, body);
    uploads[key] = file;
  }
  return { dir, uploads };
}

export async function runDemoCommand(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  let listenAddress: ListenAddress;
  let adminAddress: ListenAddress;
  try {
    parsed = parseOptions(DEMO_OPTIONS, argv, env);
    if (parsed.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    listenAddress = { host: '127.0.0.1', port: parseListenAddress(parsed.values.get('port') as string, '--port').port };
    adminAddress = { host: '127.0.0.1', port: parseListenAddress(parsed.values.get('admin-port') as string, '--admin-port').port };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`leakguard demo: ${error.message}\n`);
    return 2;
  }
  const selfTest = isTrue(parsed.values.get('self-test'));
  const policyPath = parsed.values.get('policy') as string;

  const auditLines: string[] = [];
  const audit = new AuditLog({
    destination: {
      write: (line: string) => {
        auditLines.push(line);
        if (!selfTest) io.stdout.write(line);
      },
    },
  });
  const app = await startSampleApp();
  const { dir, uploads } = writeUploads();
  let proxy: RunningProxy;
  try {
    proxy = await startOnFreePorts({ ...proxyOptions(policyPath, listenAddress, adminAddress, app.port), audit });
  } catch (error) {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    io.stderr.write(`leakguard demo: could not start the proxy: ${(error as Error).message}\n`);
    return 1;
  }
  const cleanup = async (): Promise<void> => {
    await proxy.drain(2_000);
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  if (!proxy.store.current) {
    io.stderr.write(`leakguard demo: the policy ${policyPath} is not valid (see the leakguard.policy line above; check it with: leakguard policy lint ${policyPath})\n`);
    if (selfTest) io.stderr.write(auditLines.join(''));
    await cleanup();
    return 1;
  }
  const base = `http://127.0.0.1:${proxy.inboundAddress?.port}`;
  const admin = proxy.adminAddress ? `http://127.0.0.1:${proxy.adminAddress.port}` : undefined;

  if (selfTest) {
    io.stdout.write(`leakguard demo --self-test: sample app on 127.0.0.1:${app.port}, proxy on ${base}, policy ${proxy.store.current.name} (${proxy.store.current.revision})\n`);
    const results = await runDemoChecks({ base, admin, app, auditLines, engine: proxy.store.current.engine });
    for (const result of results) io.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}${result.detail ? `: ${result.detail}` : ''}\n`);
    const counts = new Map<string, number>();
    for (const line of auditLines) {
      const event = (JSON.parse(line) as { event?: string }).event ?? 'other';
      counts.set(event, (counts.get(event) ?? 0) + 1);
    }
    io.stdout.write(`audit: ${auditLines.length} JSON lines (${[...counts].map(([event, n]) => `${event} ${n}`).join(', ')})\n`);
    const failed = results.filter((result) => !result.ok).length;
    io.stdout.write(failed === 0 ? `self-test passed: ${results.length} checks\n` : `self-test FAILED: ${failed} of ${results.length} checks\n`);
    await cleanup();
    return failed === 0 ? 0 : 1;
  }

  io.stdout.write(
    [
      '',
      'Leakguard demo',
      `  sample app   http://127.0.0.1:${app.port}  (patient records and payments, synthetic data)`,
      `  proxy        ${base}  (in front of the app)`,
      ...(admin ? [`  admin        ${admin}  (/healthz /readyz /metrics /policy)`] : []),
      `  policy       ${policyPath}  (${proxy.store.current.name}, revision ${proxy.store.current.revision}; edit and save to hot-reload)`,
      '',
      'Try these in another terminal:',
      '',
      curlCommands(base, admin, uploads),
      '',
      'Audit events appear below, one JSON line per exchange with findings (also per policy',
      'reload and per error), exactly as the sidecar writes them to stdout in a pod.',
      'Ctrl-C stops the demo.',
      '',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await cleanup();
  return 0;
}
