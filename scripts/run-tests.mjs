#!/usr/bin/env node
// The whole test suite: type-check and build every package, then run every tap test file
// once, and close with one plain "N passed, N failed" line that CI can read.
import { spawn } from 'node:child_process';

function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let tail = '';
    if (capture) {
      child.stdout.on('data', (d) => {
        process.stdout.write(d);
        tail = (tail + d.toString('utf8')).slice(-4096);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}

const build = await run('pnpm', ['exec', 'tsc', '-b']);
if (build.code !== 0) {
  console.log('tests: 0 passed, 1 failed (type-check/build)');
  process.exit(1);
}
const tap = await run('pnpm', ['exec', 'tap', ...process.argv.slice(2)], { capture: true });
const summary = /#\s*\{\s*total:\s*(\d+),\s*pass:\s*(\d+)(?:,\s*fail:\s*(\d+))?(?:,\s*skip:\s*(\d+))?/.exec(tap.tail);
if (summary) {
  const [, total, pass, fail = '0'] = summary;
  const failed = Number(fail) + (tap.code !== 0 && fail === '0' ? 1 : 0);
  const skipped = Number(total) - Number(pass) - Number(fail);
  console.log(`tests: ${pass} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
} else {
  console.log(`tests: 0 passed, 1 failed (no tap summary)`);
}
process.exit(tap.code);
