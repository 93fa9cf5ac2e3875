/**
 * `pnpm bench [engine|decoders|proxy]`: runs the benchmark suites one after another, each in
 * its own process (so one suite's heap and JIT state cannot skew the next), and prints their
 * markdown tables. Every suite races Leakguard against its baselines in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SUITES: Record<string, string> = {
  engine: 'engine/run.ts',
  decoders: 'engine/decoders.ts',
  proxy: 'proxy/run.ts',
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
let failed = false;
for (const name of names) {
  const script = SUITES[name];
  if (script === undefined) {
    console.error(`unknown suite "${name}" (have: ${Object.keys(SUITES).join(', ')})`);
    process.exit(2);
  }
  if (!existsSync(join(here, script))) {
    console.log(`## ${name}: not present (${script})\n`);
    continue;
  }
  console.log(`## ${name}\n`);
  const result = spawnSync(process.execPath, ['--conditions=leakguard-source', '--import', 'tsx', script], { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) failed = true;
  console.log('');
}
console.log(`machine: ${process.arch}, node ${process.version}; figures are medians of interleaved rounds.`);
process.exit(failed ? 1 : 0);
