import { fork } from 'node:child_process';
import { measureLatency } from './sequential-client.js';
const here = new URL('.', import.meta.url).pathname;
function start(script: string, args: string[], env: Record<string, string> = {}) {
  const child = fork(here + script, args, { execArgv: ['--conditions=leakguard-source', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  return new Promise<{ child: any; port: number }>((resolve) => child.once('message', (m: any) => resolve({ child, port: m.port })));
}
const up = await start('upstream-server.ts', []);
const path = process.argv[2] ?? '/clean/1024';
for (const kind of (process.argv[3] ?? 'plain,leakguard').split(',')) {
  const [script, policy] = kind === 'plain' ? ['plain-proxy.ts', ''] : ['leakguard-proxy.ts', kind === 'leakguard' ? '' : `/tmp/lg/${kind}.yaml`];
  const p = await start(script, [String(up.port)], policy ? { LG_BENCH_POLICY: policy } : {});
  const r = await measureLatency(`http://127.0.0.1:${p.port}${path}`, 'GET', undefined, 3);
  console.log(kind.padEnd(14), 'n', r.requests, 'p50', r.p50Ms.toFixed(3), 'p99', r.p99Ms.toFixed(3));
  p.child.kill('SIGTERM');
}
up.child.kill('SIGTERM');
