// Hot reload: a valid new policy takes over for new exchanges while exchanges in flight finish
// under theirs; an invalid or deleted file is refused and the last good policy keeps running;
// starting without a valid policy means not ready and nothing proxied. ConfigMap updates arrive
// as a symlink swap of `..data`, seen through the directory watch alone.
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { checkNoLeaks } from './harness/leak-check.js';
import { PLANTED } from './harness/planted-values.js';
import { eventually, httpRequest, startHarness, startUpstream } from './harness/proxy-harness.js';

const policy = (name: string, cardAction: string): string =>
  `apiVersion: leakguard.io/v1alpha1\nkind: DlpPolicy\nmetadata: { name: ${name} }\nspec:\n  detectors:\n    payment_card: { action: ${cardAction} }\n`;

let releaseSlow: (() => void) | undefined;
const upstream = await startUpstream((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  if (req.url === '/slow') {
    // The headers and the body come after the test has reloaded the policy.
    releaseSlow = () => res.end(`card ${PLANTED.card}\n`);
    return;
  }
  res.end(`card ${PLANTED.card}\n`);
});
t.teardown(() => upstream.close());

t.test('valid, invalid and deleted policy files', async (t) => {
  const h = await startHarness(t, policy('first', 'log'), upstream.port);
  const firstRevision = h.proxy.store.current?.revision;
  const before = await h.request({ path: '/x' });
  t.ok(before.body.includes(PLANTED.card), 'under the first policy cards are only logged');

  // An exchange starts under the first policy and is still in flight when the policy changes.
  const inFlight = h.request({ path: '/slow' });
  t.ok(await eventually(() => releaseSlow !== undefined), 'the slow exchange reached the app');
  await h.writePolicy(policy('second', 'redact'));
  t.equal(h.proxy.store.current?.name, 'second', 'the new revision is active');
  const after = await h.request({ path: '/x' });
  t.notOk(after.body.includes(PLANTED.card), 'a new exchange runs under the new policy');
  releaseSlow?.();
  const slow = await inFlight;
  t.ok(slow.body.includes(PLANTED.card), 'the exchange in flight finished under the policy it started with');
  const slowEvent = h.events().find((e) => e.event === 'leakguard.finding' && e.path === '/slow');
  t.equal((slowEvent?.policy as { revision?: string } | undefined)?.revision, firstRevision, 'and its audit event says so');

  // Invalid: refused, the last good keeps running, audit + metric say so.
  await h.writePolicy(policy('third', 'shred'));
  t.equal(h.proxy.store.current?.name, 'second', 'the invalid policy was refused');
  const refused = h.events().filter((e) => e.event === 'leakguard.policy' && e.result === 'error').at(-1);
  t.ok(refused, 'a leakguard.policy error event');
  t.equal((refused?.error as { issues?: Array<{ path: string }> }).issues?.[0]?.path, 'spec.detectors.payment_card.action', 'naming the field');
  t.equal(refused?.activeRevision, h.proxy.store.current?.revision, 'and the revision that keeps running');
  t.match(await h.metricsText(), /leakguard_policy_reloads_total\{result="error"\} 1/);
  t.equal((await httpRequest(h.admin, { path: '/readyz' })).status, 200, 'still ready');
  t.notOk((await h.request({ path: '/x' })).body.includes(PLANTED.card), 'still redacting');

  // Deleted: same.
  unlinkSync(h.policyPath);
  await h.proxy.store.reload('manual');
  t.equal(h.proxy.store.current?.name, 'second', 'a deleted file leaves the last good policy running');
  const gone = h.events().filter((e) => e.event === 'leakguard.policy' && e.result === 'error').at(-1);
  t.equal((gone?.error as { code?: string }).code, 'LG_ERR_POLICY_UNREADABLE');
  t.match(await h.metricsText(), /leakguard_policy_reloads_total\{result="error"\} 2/);
  t.equal((await httpRequest(h.admin, { path: '/readyz' })).status, 200, 'still ready');

  // Back again: picked up.
  await h.writePolicy(policy('fourth', 'log'));
  t.equal(h.proxy.store.current?.name, 'fourth');
  t.match(await h.metricsText(), /leakguard_policy_info\{name="fourth",revision="[0-9a-f]{12}",mode="enforce"\} 1/);
});

t.test('a ConfigMap-style symlink swap is picked up by the directory watch alone', async (t) => {
  const h = await startHarness(t, policy('placeholder', 'log'), upstream.port);
  await h.close();
  // The layout kubelet writes: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>/
  const dir = t.testdir({});
  mkdirSync(join(dir, '..v1'));
  writeFileSync(join(dir, '..v1', 'policy.yaml'), policy('v1', 'log'));
  symlinkSync('..v1', join(dir, '..data'));
  symlinkSync('..data/policy.yaml', join(dir, 'policy.yaml'));
  const watched = await startHarness(t, policy('unused', 'log'), upstream.port, { policyPath: join(dir, 'policy.yaml'), policyPollMs: 0 });
  t.equal(watched.proxy.store.current?.name, 'v1');

  mkdirSync(join(dir, '..v2'));
  writeFileSync(join(dir, '..v2', 'policy.yaml'), policy('v2', 'redact'));
  symlinkSync('..v2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..v1'), { recursive: true });
  t.ok(await eventually(() => watched.proxy.store.current?.name === 'v2', 5000), 'the swap was seen without polling');
  t.notOk((await watched.request({ path: '/x' })).body.includes(PLANTED.card), 'and applies');
});

t.test('no valid policy at start: not ready, nothing proxied, until one arrives', async (t) => {
  const h = await startHarness(t, policy('broken', 'explode'), upstream.port);
  const ready = await httpRequest(h.admin, { path: '/readyz' });
  t.equal(ready.status, 503, '/readyz fails');
  t.equal((await httpRequest(h.admin, { path: '/healthz' })).status, 200, '/healthz still answers (alive)');
  const seen = upstream.received.length;
  const res = await h.request({ path: '/x' });
  t.equal(res.status, 503);
  t.equal(JSON.parse(res.body.toString()).error.code, 'LG_ERR_NOT_READY');
  t.equal(upstream.received.length, seen, 'the app saw no request');
  t.match(await h.metricsText(), /leakguard_ready 0/);

  await h.writePolicy(policy('fixed', 'redact'));
  t.equal((await httpRequest(h.admin, { path: '/readyz' })).status, 200, 'ready once a valid policy loads');
  t.equal((await h.request({ path: '/x' })).status, 200);
  const info = JSON.parse((await httpRequest(h.admin, { path: '/policy' })).body.toString());
  t.equal(info.name, 'fixed');
  t.match(info.revision, /^[0-9a-f]{12}$/);
});

checkNoLeaks(t);
