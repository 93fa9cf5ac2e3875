/**
 * The proxy benchmark (issue 4): direct to the app, plain http-proxy with a keep-alive agent,
 * and Leakguard in redact mode, side by side in one run, on loopback. Bodies of 1 KiB, 64 KiB
 * and 1 MiB, GET (response body) and POST (request body); req/s, MB/s, p50 and p99 at 32
 * connections (autocannon), p50/p99 at 1 connection (hrtime). Each contender and the app run in
 * their own process; contenders are interleaved per cell so drift hits them alike.
 *
 * The last column, the proxy process's CPU time per request, is the steadiest figure on a
 * shared machine, where req/s moves with whatever else runs. For the same reason each cell's
 * 32-connection load runs in rounds (default 3 of 1 s), the contenders taking turns within
 * each round; a cell reports its median round, and the targets compare Leakguard with
 * http-proxy round by round (the median of the per-round ratios), so that a burst of load
 * from elsewhere hits both sides of a ratio rather than one. Latency at one connection is taken
 * the same way: a run per contender in each round (half a second at least), the cell showing
 * the median round and "p99 added" the median of the per-round differences.
 *
 *   cd bench && node --conditions=leakguard-source --import tsx proxy/run.ts
 *   LEAKGUARD_BENCH_SECONDS=5 … for longer cells (default 3, split into the rounds; the whole run stays under 4 minutes)
 *   LEAKGUARD_BENCH_ROUNDS=5 … for more rounds per cell (default 3)
 *   LEAKGUARD_BENCH_POLICY=file.yaml … to bench Leakguard under another policy
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchBody } from './bodies.js';
import { measureLatency, type LatencyResult } from './sequential-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.LEAKGUARD_BENCH_SECONDS ?? 3);
const ROUNDS = Math.max(1, Math.floor(Number(process.env.LEAKGUARD_BENCH_ROUNDS ?? 3)));
const SIZES = [1024, 64 * 1024, 1024 * 1024] as const;
const METHODS = ['GET', 'POST'] as const;
const CONTENDERS = ['direct', 'http-proxy', 'leakguard'] as const;
/** Extra row at 1 KiB: the same Leakguard on bodies without any finding (the common case). */
const CLEAN = 'leakguard, no findings';
type Contender = (typeof CONTENDERS)[number] | typeof CLEAN;

/**
 * Starts a child and waits for the port it reports. The bench's own scripts are TypeScript
 * (through tsx); Leakguard itself is imported from its built `dist/`, the code `leakguard
 * proxy` runs (tsx's transform of the sources adds a `__name` call per closure, about 4 µs a
 * request in the proxy).
 */
function start(script: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(here, script), args, {
    execArgv: ['--import', 'tsx'],
    // Audit lines go where a container's stdout would: not into this report.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

interface Cell {
  contender: Contender;
  /** CPU time the proxy process used per request during the 32-connection run (steadier than req/s on a shared machine). */
  cpuUsPerRequest: number | undefined;
  method: string;
  size: number;
  reqPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  single: LatencyResult;
  /** p99 at one connection of each round, in round order. */
  singleP99Rounds: number[];
  errors: number;
  /** req/s of each round, in round order (rounds of all contenders interleave). */
  rounds: number[];
}

/** CPU time (µs) a child has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message: { cpu: { user: number; system: number } }) => resolve(message.cpu.user + message.cpu.system));
    child.send('cpu-usage');
  });
}

type RoundResult = Omit<Cell, 'contender' | 'single' | 'singleP99Rounds' | 'cpuUsPerRequest' | 'rounds'> & { total: number };

async function load(port: number, method: string, size: number, body: Buffer | undefined, path: string): Promise<RoundResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: method as 'GET' | 'POST',
    connections: 32,
    pipelining: 1,
    duration: SECONDS / ROUNDS,
    ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  const reqPerSec = result.requests.average;
  return {
    total: result.requests.total,
    method,
    size,
    reqPerSec,
    mbPerSec: (reqPerSec * size) / 1e6,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
/** The median (the lower middle value of an even count). */
const medianOf = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
const sizeName = (size: number): string => (size >= 1048576 ? `${size / 1048576} MiB` : `${size / 1024} KiB`);

/** Builds the packages (`tsc -b`, incremental): the contenders run Leakguard's `dist/`. */
function buildPackages(): void {
  const tsc = spawnSync('pnpm', ['exec', 'tsc', '-b'], { cwd: join(here, '..', '..'), stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc -b failed: the bench needs the built packages');
}

async function main(): Promise<void> {
  buildPackages();
  const upstream = await start('upstream-server.ts', []);
  const targets: Record<Contender, number> = { direct: upstream.port, 'http-proxy': 0, leakguard: 0, [CLEAN]: 0 };
  const processes: Record<Contender, ChildProcess | undefined> = { direct: undefined, 'http-proxy': undefined, leakguard: undefined, [CLEAN]: undefined };
  const plain = await start('plain-proxy.ts', [String(upstream.port)]);
  const leakguard = await start('leakguard-proxy.ts', [String(upstream.port)]);
  targets['http-proxy'] = plain.port;
  targets.leakguard = leakguard.port;
  targets[CLEAN] = leakguard.port;
  processes['http-proxy'] = plain.child;
  processes.leakguard = processes[CLEAN] = leakguard.child;
  const cells: Cell[] = [];
  try {
    for (const size of SIZES) {
      for (const method of METHODS) {
        const contenders: readonly Contender[] = size === 1024 ? [...CONTENDERS, CLEAN] : CONTENDERS;
        const request = (contender: Contender) => {
          const clean = contender === CLEAN;
          return {
            body: method === 'POST' ? benchBody(size, !clean) : undefined,
            path: method === 'GET' ? `/${clean ? 'clean' : 'body'}/${size}` : `/upload/${size}`,
            port: targets[contender],
          };
        };
        // A short warm-up so JIT and connection pools are in steady state.
        for (const contender of contenders) {
          const { body, path, port } = request(contender);
          await autocannon({ url: `http://127.0.0.1:${port}${path}`, method, connections: 32, duration: 0.5, ...(body ? { body } : {}) });
        }
        const rounds = new Map<Contender, RoundResult[]>(contenders.map((c) => [c, []]));
        const cpu = new Map<Contender, number>(contenders.map((c) => [c, 0]));
        for (let round = 0; round < ROUNDS; round++) {
          for (const contender of contenders) {
            const { body, path, port } = request(contender);
            const child = processes[contender];
            const cpuBefore = child ? await cpuOf(child) : 0;
            rounds.get(contender)?.push(await load(port, method, size, body, path));
            if (child) cpu.set(contender, (cpu.get(contender) ?? 0) + (await cpuOf(child)) - cpuBefore);
          }
        }
        // One connection, in rounds too: a noisy stretch of the machine then spoils one round of
        // each side, not the whole figure of one side.
        const singles = new Map<Contender, LatencyResult[]>(contenders.map((c) => [c, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (const contender of contenders) {
            const { body, path, port } = request(contender);
            singles.get(contender)?.push(await measureLatency(`http://127.0.0.1:${port}${path}`, method, body, Math.max(0.5, SECONDS / 2 / ROUNDS)));
          }
        }
        for (const contender of contenders) {
          const measured = rounds.get(contender) ?? [];
          const median = [...measured].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor((measured.length - 1) / 2)] as RoundResult;
          const total = measured.reduce((sum, r) => sum + r.total, 0);
          const cpuUsPerRequest = processes[contender] && total > 0 ? (cpu.get(contender) ?? 0) / total : undefined;
          const latencies = singles.get(contender) ?? [];
          const single: LatencyResult = {
            requests: latencies.reduce((sum, l) => sum + l.requests, 0),
            p50Ms: medianOf(latencies.map((l) => l.p50Ms)),
            p99Ms: medianOf(latencies.map((l) => l.p99Ms)),
          };
          const { total: _total, ...fields } = median;
          const errors = measured.reduce((sum, r) => sum + r.errors, 0);
          cells.push({ contender, single, singleP99Rounds: latencies.map((l) => l.p99Ms), cpuUsPerRequest, ...fields, errors, rounds: measured.map((r) => r.reqPerSec) });
          process.stderr.write(`  ${sizeName(size)} ${method} ${contender}: ${fmt(median.reqPerSec)} req/s (rounds: ${measured.map((r) => fmt(r.reqPerSec)).join(', ')})\n`);
        }
      }
    }
  } finally {
    for (const child of [upstream.child, plain.child, leakguard.child]) child.kill('SIGTERM');
  }

  const cell = (contender: Contender, method: string, size: number): Cell => cells.find((c) => c.contender === contender && c.method === method && c.size === size) as Cell;
  // Round by round: Leakguard's round r against http-proxy's round r, which ran just before it.
  const pairedRatio = (contender: Contender, method: string, size: number): number => {
    const ours = cell(contender, method, size).rounds;
    const theirs = cell('http-proxy', method, size).rounds;
    return medianOf(ours.map((value, r) => value / (theirs[r] as number)));
  };
  const lines = [
    '| body | method | contender | req/s | MB/s | p50 ms (32c) | p99 ms (32c) | p50 ms (1c) | p99 ms (1c) | × http-proxy req/s | proxy CPU µs/req |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of cells) {
    const base = cells.find((c) => c.contender === 'http-proxy' && c.method === row.method && c.size === row.size) as Cell;
    lines.push(
      `| ${sizeName(row.size)} | ${row.method} | ${row.contender} | ${fmt(row.reqPerSec)} | ${fmt(row.mbPerSec, 1)} | ${fmt(row.p50Ms, 1)} | ${fmt(row.p99Ms, 1)} | ${fmt(row.single.p50Ms, 3)} | ${fmt(row.single.p99Ms, 3)} | ${fmt(row.contender === 'direct' ? row.reqPerSec / base.reqPerSec : pairedRatio(row.contender, row.method, row.size), 2)}${row.errors ? ` (${row.errors} errors)` : ''} | ${row.cpuUsPerRequest === undefined ? '—' : fmt(row.cpuUsPerRequest)} |`,
    );
  }
  const targetsTable = ['', '| target (issue 4) | GET | POST | goal |', '|---|---:|---:|---|'];
  // MB/s is req/s times the body size for both sides: the same ratio.
  const ratio = (size: number, method: string): number => pairedRatio('leakguard', method, size);
  const mark = (value: number, goal: number, higher = true): string => `${(higher ? value * 100 : value).toFixed(higher ? 0 : 3)}${higher ? '%' : ' ms'} ${(higher ? value >= goal : value < goal) ? '✓' : '✗'}`;
  targetsTable.push(`| req/s at 1 KiB vs http-proxy (a card in every body) | ${mark(ratio(1024, 'GET'), 0.7)} | ${mark(ratio(1024, 'POST'), 0.7)} | ≥ 70% |`);
  const cleanRatio = (method: string): number => pairedRatio(CLEAN, method, 1024);
  targetsTable.push(`| req/s at 1 KiB vs http-proxy (no findings) | ${mark(cleanRatio('GET'), 0.7)} | ${mark(cleanRatio('POST'), 0.7)} | ≥ 70% |`);
  targetsTable.push(`| MB/s at 64 KiB vs http-proxy | ${mark(ratio(65536, 'GET'), 0.35)} | ${mark(ratio(65536, 'POST'), 0.35)} | ≥ 35% |`);
  targetsTable.push(`| MB/s at 1 MiB vs http-proxy | ${mark(ratio(1048576, 'GET'), 0.25)} | ${mark(ratio(1048576, 'POST'), 0.25)} | ≥ 25% |`);
  // Round by round, as pairedRatio: Leakguard's p99 of round r less http-proxy's, just before it.
  const added = (method: string): number => {
    const theirs = cell('http-proxy', method, 1024).singleP99Rounds;
    return medianOf(cell('leakguard', method, 1024).singleP99Rounds.map((p99, r) => p99 - (theirs[r] as number)));
  };
  targetsTable.push(`| p99 added at 1 connection, 1 KiB | ${mark(added('GET'), 1, false)} | ${mark(added('POST'), 1, false)} | < 1 ms |`);

  const report = [
    `Proxy benchmark: ${SECONDS}s per cell at 32 connections (autocannon) and ${fmt(ROUNDS * Math.max(0.5, SECONDS / 2 / ROUNDS), 1)}s at 1 connection, each in ${ROUNDS} interleaved rounds (median round shown; targets are medians of per-round ratios and differences); node ${process.version}, loopback.`,
    '',
    ...lines,
    ...targetsTable,
  ].join('\n');
  console.log(report);
  const results = join(here, '..', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'proxy.md'), `${report}\n`);
  writeFileSync(join(results, 'proxy.json'), `${JSON.stringify(cells, null, 2)}\n`);
}

await main();
