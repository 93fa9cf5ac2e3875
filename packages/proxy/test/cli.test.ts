// The `leakguard` command as a container runs it: a child process, options from argv and
// LEAKGUARD_* variables, audit lines on stdout, SIGTERM drain, node:cluster workers, and the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runLeakguard } from '../src/cli/leakguard-command.js';
import { PROXY_OPTIONS } from '../src/cli/proxy-command.js';
import { ENGINE_DECODES_COMPRESSION } from './harness/body-kinds.js';
import { runInProcess, type CommandResult } from './harness/in-process-command.js';
import { checkNoLeaks, recordOutput } from './harness/leak-check.js';
import { PLANTED } from './harness/planted-values.js';
import { actionPolicy, eventually, httpRequest, startUpstream } from './harness/proxy-harness.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/leakguard.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `leakguard <args>` from the sources, the way tests resolve packages. */
function leakguard(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, ['--conditions=leakguard-source', '--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      recordOutput(out);
      recordOutput(err);
      resolve({ code, signal });
    }),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The `host:port` a lifecycle line reports for `field`, once it is printed. */
async function reportedAddress(run: Running, field: 'inbound' | 'admin'): Promise<string> {
  const pattern = new RegExp(`"${field}":"([0-9.]+:[0-9]+)"`);
  await eventually(() => pattern.test(run.stdout()), 15_000);
  const match = pattern.exec(run.stdout());
  if (!match) throw new Error(`no ${field} address reported; stderr: ${run.stderr().slice(0, 300)}`);
  return `http://${match[1]}`;
}

/** Runs `leakguard <args>` in this process (commands that do not wait for a signal). */
async function inProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await runInProcess(runLeakguard, args);
  } finally {
    for (const name of Object.keys(env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

t.test('leakguard --help lists every subcommand; proxy --help every option and variable', async (t) => {
  const help = await inProcess(['--help']);
  t.equal(help.code, 0);
  for (const command of ['proxy', 'demo', 'policy lint', 'policy schema', 'scan', 'inject', 'webhook']) t.match(help.out, new RegExp(`\\n  ${command} `), command);
  const proxyHelp = await inProcess(['proxy', '--help']);
  t.equal(proxyHelp.code, 0);
  for (const variable of ['LEAKGUARD_UPSTREAM', 'LEAKGUARD_POLICY', 'LEAKGUARD_LISTEN', 'LEAKGUARD_ADMIN_LISTEN', 'LEAKGUARD_WORKERS', 'LEAKGUARD_DRAIN_TIMEOUT', 'LEAKGUARD_FINGERPRINT_KEY_FILE']) {
    t.match(proxyHelp.out, variable, `documents ${variable}`);
  }
  const bad = await inProcess(['proxy', '--upstream', '127.0.0.1:8080', '--drain-timeout', '10']);
  t.equal(bad.code, 2, 'a bad option value is a usage error');
  t.match(bad.err, /--drain-timeout: "10" is not a duration/);
  const badEnv = await inProcess(['proxy'], { LEAKGUARD_WORKERS: 'many' });
  t.equal(badEnv.code, 2);
  t.match(badEnv.err, /LEAKGUARD_WORKERS: "many" is not a positive integer/, 'errors name the variable the value came from');
  t.equal((await inProcess(['frobnicate'])).code, 2, 'an unknown command');
});

t.test('the README documents every option and variable of leakguard proxy', async (t) => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  for (const option of PROXY_OPTIONS) {
    t.ok(readme.includes(`\`--${option.name}`), `--${option.name}`);
    if (option.env) t.ok(readme.includes(`\`${option.env}\``), option.env);
  }
});

t.test("other packages' commands are reachable through the same binary", async (t) => {
  const scan = await inProcess(['scan', '--help']);
  t.equal(scan.code, 0, "scan --help (the engine's command)");
  t.match(scan.out, /leakguard scan/);
  t.equal((await inProcess(['inject', '--help'])).code, 0, "inject --help (the injector's command)");
  t.equal((await inProcess(['webhook', '--help'])).code, 0, "webhook --help (the injector's command)");
});

t.test('the installed bin runs the built CLI', { skip: existsSync(BUILT) ? false : 'not built (run pnpm exec tsc -b first)' }, async (t) => {
  const child = spawn(process.execPath, [BIN, '--version']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 0);
  t.match(out, /^leakguard [0-9]+\.[0-9]+\.[0-9]+/);
});

t.test('SIGTERM while the log reader is behind: exit 0 once every audit line is written', async (t) => {
  const upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`card ${PLANTED.card}`);
  });
  t.teardown(() => upstream.close());
  const dir = t.testdir({ 'policy.yaml': actionPolicy() });
  const run = leakguard(['proxy', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
    LEAKGUARD_UPSTREAM: `127.0.0.1:${upstream.port}`,
    LEAKGUARD_POLICY: `${dir}/policy.yaml`,
  });
  const base = await reportedAddress(run, 'inbound');
  // Stop reading the pipe: after about 64 KiB of lines the proxy's writes meet a full pipe.
  run.child.stdout?.pause();
  const exchanges = 400;
  for (let sent = 0; sent < exchanges; sent += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, k) => httpRequest(base, { path: `/log/r${sent + k}` })));
  }
  run.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  run.child.stdout?.resume();
  const exit = await run.exit;
  t.equal(exit.code, 0, 'exit 0');
  const findings = run
    .stdout()
    .trim()
    .split('\n')
    .filter((line) => line.includes('"leakguard.finding"'));
  t.equal(findings.length, exchanges, 'one audit line per exchange, none lost');
});

t.test('SIGTERM: stop accepting, finish what is in flight, exit 0', async (t) => {
  let release: (() => void) | undefined;
  const upstream = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (req.url === '/log/slow') release = () => res.end(`done card ${PLANTED.card}`);
    else if (req.url === '/log/stuck') res.write('never ends');
    else res.end('ok');
  });
  t.teardown(() => upstream.close());
  const dir = t.testdir({ 'policy.yaml': actionPolicy() });
  const key = `${dir}/fingerprint-key`;
  writeFileSync(key, 'a-test-key\n');

  const run = leakguard(['proxy', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--drain-timeout', '2s'], {
    LEAKGUARD_UPSTREAM: `127.0.0.1:${upstream.port}`,
    LEAKGUARD_POLICY: `${dir}/policy.yaml`,
    LEAKGUARD_FINGERPRINT_KEY_FILE: key,
    LEAKGUARD_POD_NAME: 'app-7d9f',
    LEAKGUARD_POD_NAMESPACE: 'payments',
  });
  const base = await reportedAddress(run, 'inbound');
  const admin = await reportedAddress(run, 'admin');
  t.equal((await httpRequest(admin, { path: '/readyz' })).status, 200, 'ready');

  const inFlight = httpRequest(base, { path: '/log/slow' });
  t.ok(await eventually(() => release !== undefined), 'an exchange is in flight');
  run.child.kill('SIGTERM');
  t.ok(await eventually(() => /"msg":"draining"/.test(run.stdout())), 'draining');
  const refused = await httpRequest(base, { path: '/log/new' });
  t.ok(refused.error === 'ECONNREFUSED', `a new connection is refused (${refused.error ?? refused.status})`);
  release?.();
  const finished = await inFlight;
  t.equal(finished.status, 200, 'the exchange in flight finished');
  t.notOk(finished.error, 'completely');
  const exit = await run.exit;
  t.equal(exit.code, 0, 'exit 0');
  const lines = run.stdout().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.ok(lines.some((l) => l.msg === 'stopped' && l.cut === 0), 'stopped, nothing cut');
  const finding = lines.find((l) => l.event === 'leakguard.finding');
  t.equal(finding?.pod, 'app-7d9f', 'the pod name from the downward API is in every event');
  t.equal(finding?.namespace, 'payments');
  t.notOk(lines.some((l) => String(l.msg).includes('no fingerprint key')), 'the key file was used');
});

t.test('SIGTERM with an exchange that never ends: cut after the grace period, still exit 0', async (t) => {
  const upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('never ends');
  });
  t.teardown(() => upstream.close());
  const dir = t.testdir({ 'policy.yaml': actionPolicy() });
  const run = leakguard(['proxy', '--upstream', `127.0.0.1:${upstream.port}`, '--policy', `${dir}/policy.yaml`, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--drain-timeout', '300ms', '--log-level', 'info']);
  const base = await reportedAddress(run, 'inbound');
  const stuck = httpRequest(base, { path: '/log/stuck', headers: {} });
  await eventually(() => upstream.received.length > 0);
  run.child.kill('SIGTERM');
  const res = await stuck;
  t.ok(res.error !== undefined, `the stuck exchange was cut (${res.error})`);
  t.equal((await run.exit).code, 0);
  t.match(run.stdout(), /"cut":1/);
});

t.test('--workers 2: one admin port for the cluster, readiness of every worker, summed metrics', async (t) => {
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.teardown(() => upstream.close());
  const dir = t.testdir({ 'policy.yaml': actionPolicy() });
  // A concrete port: the workers' listeners are shared through the primary, so port 0 would not be reported once.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const run = leakguard(['proxy', '--workers', '2', '--upstream', `127.0.0.1:${upstream.port}`, '--policy', `${dir}/policy.yaml`, '--listen', `127.0.0.1:${port}`, '--admin-listen', '127.0.0.1:0']);
  const admin = await reportedAddress(run, 'admin');
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200; i++) {
    ready = (await httpRequest(admin, { path: '/readyz' })).status;
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(ready, 200, 'ready once both workers loaded the policy');
  for (let i = 0; i < 4; i++) t.equal((await httpRequest(`http://127.0.0.1:${port}`, { path: `/log/${i}` })).status, 200);
  const metrics = (await httpRequest(admin, { path: '/metrics' })).body.toString();
  t.match(metrics, /leakguard_requests_total\{rule="default",status_class="2xx",action="none"\} 4/, 'counted across workers');
  t.match(metrics, /leakguard_ready 1/);
  run.child.kill('SIGTERM');
  t.equal((await run.exit).code, 0, 'exit 0 once every worker drained');
});

t.test('leakguard demo --self-test', async (t) => {
  const run = await inProcess(['demo', '--self-test', '--port', '0', '--admin-port', '0']);
  const failed = run.out.split('\n').filter((line) => line.startsWith('FAIL'));
  if (ENGINE_DECODES_COMPRESSION) {
    t.equal(run.code, 0, 'every demo check passes');
    t.same(failed, []);
  } else {
    // Until the engine decodes Content-Encoding, exactly the compressed-response checks fail.
    t.equal(run.code, 1);
    t.equal(failed.length, 2, failed.join(' | '));
    t.ok(failed.every((line) => /redacted (gzip|br) response/.test(line)), 'only the gzip and br checks');
  }
  t.match(run.out, /^ok {4}blocked upload/m);
  t.match(run.out, /^ok {4}audit events/m);
});

checkNoLeaks(t);
