// What the image ships: leakguard-init (run with stand-in iptables binaries that record what
// they are fed), leakguard-wait-ready (against a local HTTP server), and a Dockerfile whose
// COPY sources exist.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildRedirectionRules } from '../src/index.js';

const IMAGE = new URL('../image/', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A fake `<name>` that saves stdin to <dir>/<name>.in and exits with $FAIL_<name> (default 0). */
function fakeTool(dir: string, name: string): void {
  const variable = `FAIL_${name.replace(/-/g, '_')}`;
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\ncat > "${join(dir, name)}.in"\necho "$@" > "${join(dir, name)}.args"\nexit "\${${variable}:-0}"\n`);
  chmodSync(path, 0o755);
}

t.test('leakguard-init feeds the payloads to iptables-restore, nft first, legacy as fallback', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'lg-init-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  for (const name of ['iptables-nft-restore', 'iptables-legacy-restore', 'ip6tables-nft-restore', 'ip6tables-legacy-restore']) fakeTool(bin, name);
  const rules = buildRedirectionRules({ inboundPort: 8080, egress: true, skipOutboundPorts: [5432], skipOutboundCidrs: [{ family: 6, cidr: 'fd00::/8' }] });
  const ipv6Flag = join(bin, 'if_inet6');
  writeFileSync(ipv6Flag, '');
  const env = { PATH: `${bin}:/usr/bin:/bin`, LEAKGUARD_IPTABLES_RULES: rules.ipv4, LEAKGUARD_IP6TABLES_RULES: rules.ipv6, LEAKGUARD_IPV6_PROC_FILE: ipv6Flag };
  const script = join(IMAGE, 'leakguard-init.sh');

  const ok = await run('sh', [script], env);
  t.equal(ok.code, 0, ok.stderr);
  t.ok(readFileSync(join(bin, 'iptables-nft-restore.in'), 'utf8') === `${rules.ipv4}\n`, 'IPv4 payload fed byte for byte to iptables-nft-restore');
  t.ok(readFileSync(join(bin, 'ip6tables-nft-restore.in'), 'utf8') === `${rules.ipv6}\n`, 'IPv6 payload fed to ip6tables-nft-restore');
  t.equal(readFileSync(join(bin, 'iptables-nft-restore.args'), 'utf8').trim(), '--wait', 'waits for the xtables lock');
  t.notOk(existsSync(join(bin, 'iptables-legacy-restore.in')), 'legacy not tried when nft works');

  const fallback = await run('sh', [script], { ...env, FAIL_iptables_nft_restore: '1' });
  t.equal(fallback.code, 0);
  t.ok(readFileSync(join(bin, 'iptables-legacy-restore.in'), 'utf8') === `${rules.ipv4}\n`, 'legacy used when nft fails');
  t.match(fallback.stderr, /iptables rules installed with iptables-legacy-restore/);

  const broken = await run('sh', [script], { ...env, FAIL_iptables_nft_restore: '1', FAIL_iptables_legacy_restore: '4' });
  t.not(broken.code, 0, 'fails when no backend accepts the rules: the pod does not start uninspected');
  t.match(broken.stderr, /could not install the iptables rules/);

  const forcedLegacy = await run('sh', [script], { ...env, LEAKGUARD_IPTABLES_BACKEND: 'legacy', FAIL_iptables_legacy_restore: '1' });
  t.not(forcedLegacy.code, 0, 'LEAKGUARD_IPTABLES_BACKEND=legacy does not fall back to nft');

  const noV6 = await run('sh', [script], { ...env, LEAKGUARD_IPV6_PROC_FILE: join(bin, 'absent'), FAIL_ip6tables_nft_restore: '1', FAIL_ip6tables_legacy_restore: '1' });
  t.equal(noV6.code, 0, 'IPv6 rules skipped where IPv6 is disabled');
  t.match(noV6.stderr, /IPv6 is disabled/);

  const v6Broken = await run('sh', [script], { ...env, FAIL_ip6tables_nft_restore: '1', FAIL_ip6tables_legacy_restore: '1' });
  t.not(v6Broken.code, 0, 'an IPv6-enabled pod whose IPv6 rules fail does not start');

  const empty = await run('sh', [script], { PATH: env.PATH });
  t.not(empty.code, 0, 'no rules at all is an error');
  const badBackend = await run('sh', [script], { ...env, LEAKGUARD_IPTABLES_BACKEND: 'xtables' });
  t.equal(badBackend.code, 2);
});

t.test('leakguard-wait-ready returns once /readyz answers 200, fails after its timeout', async (t) => {
  let readyAfter = 3;
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    res.writeHead(req.url === '/readyz' && calls >= readyAfter ? 200 : 503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  const script = join(IMAGE, 'leakguard-wait-ready.mjs');
  const ready = await run(process.execPath, [script, '--url', url, '--timeout', '20', '--interval', '20'], {});
  t.equal(ready.code, 0, ready.stderr);
  t.ok(calls >= 3, 'polled until ready');
  readyAfter = Number.POSITIVE_INFINITY;
  const never = await run(process.execPath, [script, '--url', url, '--timeout', '0.3', '--interval', '20'], {});
  t.equal(never.code, 1, 'timeout: exit 1');
  t.match(never.stderr, /not ready after 0.3s/);
  t.equal((await run(process.execPath, [script, '--timeout', 'soon'], {})).code, 2, 'bad arguments: exit 2');
});

t.test('the Dockerfile copies files that exist and sets the entrypoint the injector relies on', async (t) => {
  const dockerfile = readFileSync(join(IMAGE, 'Dockerfile'), 'utf8');
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)) {
    const parts = m[1].trim().split(/\s+/);
    for (const source of parts.slice(0, -1)) t.ok(existsSync(join(REPO, source)), `COPY source ${source} exists`);
  }
  t.match(dockerfile, /ENTRYPOINT \["leakguard"\]/);
  t.match(dockerfile, /\/usr\/local\/bin\/leakguard-init/, 'ships leakguard-init where the init container runs it');
  t.match(dockerfile, /\/usr\/local\/bin\/leakguard-wait-ready/, 'ships the postStart wait');
  t.match(dockerfile, /USER 15100:15100/, 'runs as the proxy UID by default');
  t.ok(existsSync(join(IMAGE, 'Dockerfile.dockerignore')), 'per-Dockerfile ignore file keeps node_modules out of the context');
});
