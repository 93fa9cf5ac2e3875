#!/usr/bin/env node
// The whole test suite: type-check and build every package, then run every tap test file
// once, and close with one plain "N passed, N failed" line that CI can read.
// House rule 4 is enforced on the suite's own output: the engine scans everything the tests
// printed, and any identifier it finds there fails the run (reported by offset, not value).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
    const chunks = [];
    if (capture) {
      child.stdout.on('data', (d) => {
        process.stdout.write(d);
        chunks.push(d);
      });
      child.stderr.on('data', (d) => {
        process.stderr.write(d);
        chunks.push(d);
      });
    }
    child.on('close', (code) => {
      const output = Buffer.concat(chunks);
      resolve({ code: code ?? 1, output });
    });
  });
}

const build = await run('pnpm', ['exec', 'tsc', '-b']);
if (build.code !== 0) {
  console.log('tests: 0 passed, 1 failed (type-check/build)');
  process.exit(1);
}
// tsx runs tests without type-checking them: each package's tsconfig.test.json does.
for (const pkg of readdirSync(new URL('../packages/', import.meta.url))) {
  const config = `packages/${pkg}/tsconfig.test.json`;
  if (!existsSync(config)) continue;
  const check = await run('pnpm', ['exec', 'tsc', '-p', config]);
  if (check.code !== 0) {
    console.log(`tests: 0 passed, 1 failed (type-check of ${config})`);
    process.exit(1);
  }
}
const tap = await run('pnpm', ['exec', 'tap', ...process.argv.slice(2)], { capture: true });
let leaked = 0;
const { createEngine } = await import('../packages/detectors/dist/index.js');
for (const f of createEngine({}).scan(tap.output)) {
  leaked++;
  console.log(`test output holds a ${f.detector} (${f.confidence}) at byte ${f.start}: a test printed a detected value`);
}
const summaries = [...tap.output.toString('utf8').matchAll(/^#\s*\{\s*total:\s*(\d+),\s*pass:\s*(\d+)(?:,\s*fail:\s*(\d+))?/gm)];
const summary = summaries[summaries.length - 1];
if (summary) {
  const [, total, pass, fail = '0'] = summary;
  const failed = Number(fail) + (tap.code !== 0 && fail === '0' ? 1 : 0) + leaked;
  const skipped = Number(total) - Number(pass) - Number(fail);
  console.log(`tests: ${pass} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
} else {
  console.log(`tests: 0 passed, 1 failed (no tap summary)`);
}
process.exit(tap.code !== 0 ? tap.code : leaked > 0 ? 1 : 0);
