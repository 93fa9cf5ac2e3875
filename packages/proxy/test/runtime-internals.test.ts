// Pieces of the runtime that the socket-level tests only reach indirectly: the in-flight list
// that drain uses, the batched stdout writer of audit lines, and the per-turn exchange batch.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ExchangeBatch } from '../src/exchange/exchange-batch.js';
import type { TrackedExchange } from '../src/exchange/exchange-context.js';
import { BatchedDestination } from '../src/observability/batched-destination.js';
import { DrainController } from '../src/server/drain-controller.js';

function exchange(heldBytes = 0): TrackedExchange & { aborted: number } {
  return {
    heldBytes,
    aborted: 0,
    inFlightPrev: null,
    inFlightNext: null,
    abort() {
      this.aborted++;
    },
  };
}

t.test('DrainController keeps an exact in-flight list', async (t) => {
  const tracker = new DrainController();
  const [a, b, c] = [exchange(1), exchange(10), exchange(100)];
  tracker.add(a);
  tracker.add(b);
  tracker.add(c);
  tracker.add(b); // twice: still one entry
  t.equal(tracker.size, 3);
  t.equal(tracker.heldBytes, 111);
  tracker.delete(b); // from the middle
  t.equal(tracker.size, 2);
  t.equal(tracker.heldBytes, 101);
  t.same([b.inFlightPrev, b.inFlightNext], [null, null], 'an unlinked exchange points at nothing');
  tracker.delete(b); // twice: no effect
  t.equal(tracker.size, 2);
  tracker.delete(c); // the head
  tracker.delete(a); // the last one
  t.equal(tracker.size, 0);
  t.equal(tracker.heldBytes, 0);
  tracker.add(b); // usable again after emptying
  t.equal(tracker.size, 1);
  t.equal(tracker.heldBytes, 10);
});

t.test('DrainController.drain aborts what outlives the grace period, once each', async (t) => {
  const tracker = new DrainController();
  const stuck = [exchange(), exchange(), exchange()];
  for (const one of stuck) {
    one.abort = function () {
      this.aborted++;
      tracker.delete(this); // an aborted exchange completes, as the real one does
    };
    tracker.add(one);
  }
  const cut = await tracker.drain([], 20);
  t.equal(cut, 3);
  t.same(
    stuck.map((one) => one.aborted),
    [1, 1, 1],
  );
  t.equal(tracker.size, 0);
  t.ok(tracker.draining);
});

t.test('DrainController.drain resolves as soon as the last exchange completes', async (t) => {
  const tracker = new DrainController();
  const one = exchange();
  tracker.add(one);
  setTimeout(() => tracker.delete(one), 10);
  const started = Date.now();
  t.equal(await tracker.drain([], 10_000), 0, 'nothing cut');
  t.ok(Date.now() - started < 5_000, 'did not wait for the grace period');
  t.equal(one.aborted, 0);
});

for (const batchBytes of [4096, 65536]) t.test(`BatchedDestination writes every line, whole and in order (batches of ${batchBytes} bytes)`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'audit.log');
  const fd = openSync(path, 'w');
  const destination = new BatchedDestination(fd, { maxDelayMs: 5, batchBytes });
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    // Lengths from a few bytes to past either batch size, some not ASCII.
    const line = `{"n":${i},"pad":"${'x'.repeat(i % 500 === 0 ? 70000 : (i * 37) % 5000)}${i % 7 === 0 ? 'é€' : ''}"}\n`;
    lines.push(line);
    destination.write(line);
    if (i % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await new Promise<void>((resolve, reject) => destination.flush((error) => (error ? reject(error) : resolve())));
  closeSync(fd);
  t.equal(readFileSync(path, 'utf8'), lines.join(''), 'file holds exactly the lines written');
});

t.test('BatchedDestination writes a lone line within maxDelayMs, without a flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'audit.log');
  const fd = openSync(path, 'w');
  t.teardown(() => closeSync(fd));
  const destination = new BatchedDestination(fd, { maxDelayMs: 10 });
  destination.write('{"one":1}\n');
  t.equal(readFileSync(path, 'utf8'), '', 'not written synchronously');
  let content = '';
  for (let i = 0; i < 200 && content === ''; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    content = readFileSync(path, 'utf8');
  }
  t.equal(content, '{"one":1}\n');
});

t.test('lines still pending when the process exits are written, and do not hold the process', async (t) => {
  const module = fileURLToPath(new URL('../src/observability/batched-destination.ts', import.meta.url));
  const script = `
    const { BatchedDestination } = await import(${JSON.stringify(module)});
    const destination = new BatchedDestination(1, { maxDelayMs: 60000 });
    for (let i = 0; i < 500; i++) destination.write(JSON.stringify({ i }) + '\\n');
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  t.equal(child.status, 0, child.stderr);
  t.ok(Date.now() - started < 25_000, 'exited without waiting for the 60 s batch delay');
  const out = child.stdout.trim().split('\n');
  t.equal(out.length, 500);
  t.same(JSON.parse(out[499] as string), { i: 499 });
});

t.test('ExchangeBatch runs the steps of one turn together: every inspect, then every forward', async (t) => {
  const batch = new ExchangeBatch(() => 32);
  const order: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    batch.add(
      () => {
        order.push(`inspect ${name}`);
        return name.toUpperCase();
      },
      (inspected) => order.push(`forward ${name}=${inspected}`),
    );
  }
  t.same(order, [], 'nothing runs in the turn that adds the steps');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order, ['inspect a', 'inspect b', 'inspect c', 'forward a=A', 'forward b=B', 'forward c=C']);
});

t.test('ExchangeBatch: a step added while a batch runs waits for the next turn', async (t) => {
  const batch = new ExchangeBatch(() => 32);
  const order: string[] = [];
  batch.add(
    () => order.push('first'),
    () => batch.add(() => order.push('added by a forward'), () => order.push('its forward')),
  );
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order, ['first']);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order, ['first', 'added by a forward', 'its forward']);
});

t.test('ExchangeBatch: a step that throws does not starve the others, and its error is not swallowed', async (t) => {
  const module = fileURLToPath(new URL('../src/exchange/exchange-batch.ts', import.meta.url));
  const script = `
    const { ExchangeBatch } = await import(${JSON.stringify(module)});
    const batch = new ExchangeBatch(() => 32);
    batch.add(() => 1, () => console.log('forward 1'));
    batch.add(() => { throw new Error('inspect 2 broke'); }, () => console.log('forward 2'));
    batch.add(() => 3, () => { throw new Error('forward 3 broke'); });
    batch.add(() => 4, () => console.log('forward 4'));
  `;
  const child = spawnSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  t.same(child.stdout.trim().split('\n'), ['forward 1', 'forward 4'], 'the other steps ran; a failed inspect has no forward');
  t.not(child.status, 0, 'the process fails as it would have with the step run alone');
  t.match(child.stderr, /inspect 2 broke/, 'with the first error');
});

t.test('ExchangeBatch holds at most 1 MiB of bodies: a step past that runs at once', async (t) => {
  const batch = new ExchangeBatch(() => 32);
  const order: string[] = [];
  const step = (name: string, bytes: number): void =>
    batch.add(
      () => order.push(`inspect ${name}`),
      () => order.push(`forward ${name}`),
      bytes,
    );
  step('600 KiB', 600 * 1024);
  step('424 KiB', 424 * 1024); // exactly 1 MiB together
  step('head', 0); // no body: always batched
  step('1 byte more', 1);
  t.same(order, ['inspect 1 byte more', 'forward 1 byte more'], 'the step past the budget ran where it was added');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order.slice(2), ['inspect 600 KiB', 'inspect 424 KiB', 'inspect head', 'forward 600 KiB', 'forward 424 KiB', 'forward head']);
  step('after the batch ran', 1024 * 1024);
  t.equal(order.length, 8, 'the budget is per batch: the next one starts empty');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order.slice(8), ['inspect after the batch ran', 'forward after the batch ran']);
});

t.test('ExchangeBatch: the only exchange in flight does not wait for a batch of one', async (t) => {
  let inFlight = 1;
  const batch = new ExchangeBatch(() => inFlight);
  const order: string[] = [];
  batch.add(() => order.push('inspect alone'), () => order.push('forward alone'));
  t.same(order, ['inspect alone', 'forward alone'], 'run where it was added');
  inFlight = 2;
  batch.add(() => order.push('inspect first of two'), () => order.push('forward first of two'));
  inFlight = 1; // the other one completed: a pending batch is still joined, never overtaken
  batch.add(() => order.push('inspect joins'), () => order.push('forward joins'));
  t.equal(order.length, 2);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order.slice(2), ['inspect first of two', 'inspect joins', 'forward first of two', 'forward joins']);
});
