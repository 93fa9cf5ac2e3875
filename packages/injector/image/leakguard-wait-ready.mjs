#!/usr/bin/env node
// leakguard-wait-ready: the legacy-placement postStart hook of leakguard-proxy. The kubelet
// starts the app's containers only after it returns, so it waits until the proxy's /readyz
// answers 200 (policy loaded). Exit 0 when ready, 1 on timeout, 2 on bad arguments.
//   leakguard-wait-ready [--url http://127.0.0.1:15102/readyz] [--timeout SECONDS] [--interval MS]
import http from 'node:http';
import { parseArgs } from 'node:util';

let values;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:15102/readyz' },
      timeout: { type: 'string', default: '120' },
      interval: { type: 'string', default: '250' },
    },
  }));
} catch (err) {
  process.stderr.write(`leakguard-wait-ready: ${err.message}\n`);
  process.exit(2);
}
const timeoutMs = Number(values.timeout) * 1000;
const intervalMs = Number(values.interval);
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || !Number.isFinite(intervalMs) || intervalMs <= 0) {
  process.stderr.write('leakguard-wait-ready: --timeout and --interval must be positive numbers\n');
  process.exit(2);
}

function probe() {
  return new Promise((resolve) => {
    const req = http.get(values.url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const deadline = Date.now() + timeoutMs;
for (;;) {
  if (await probe()) {
    process.stderr.write(`leakguard-wait-ready: proxy ready (${values.url})\n`);
    process.exit(0);
  }
  if (Date.now() >= deadline) {
    process.stderr.write(`leakguard-wait-ready: proxy not ready after ${values.timeout}s (${values.url})\n`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, intervalMs));
}
