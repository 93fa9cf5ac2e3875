/** Leakguard in redact mode, exactly as `leakguard proxy` runs it. Own process. */
import { fileURLToPath } from 'node:url';
import { startProxy } from '@leakguard/proxy';

const upstreamPort = Number(process.argv[2]);
const proxy = await startProxy({
  upstream: { host: '127.0.0.1', port: upstreamPort, label: `127.0.0.1:${upstreamPort}` },
  // LEAKGUARD_BENCH_POLICY benches another policy (monitor mode, log only…).
  policyPath: process.env.LEAKGUARD_BENCH_POLICY || fileURLToPath(new URL('./redact-policy.yaml', import.meta.url)),
  listen: { host: '127.0.0.1', port: 0 },
  adminListen: null,
  upstreamTimeoutMs: 60_000,
  upstreamMaxSockets: 256,
  upstreamKeepAliveMs: 30_000,
  policyPollMs: 0,
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 60_000,
  maxHeaderBytes: 16 * 1024,
  fingerprintKey: 'bench-key',
});
process.send?.({ port: proxy.inboundAddress?.port });
// Exit cleanly on SIGTERM so `--cpu-prof` runs write their profile.
process.on('SIGTERM', () => process.exit(0));
// The bench asks for CPU time used, to compare cost per request independently of machine load.
process.on('message', (message: unknown) => {
  if (message === 'cpu-usage') process.send?.({ cpu: process.cpuUsage() });
});
