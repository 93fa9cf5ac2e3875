// Policy documents: schema validation with field paths, sizes, engine errors surfacing as policy
// errors, route rules and content-type filters compiled once, and `leakguard policy lint`.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { runPolicyCommand } from '../src/cli/policy-lint-command.js';
import { DEFAULT_POLICY_PATH } from '../src/cli/demo-command.js';
import { parseByteSize } from '../src/config/byte-size.js';
import { parseDuration } from '../src/config/duration.js';
import { PolicyInvalidError } from '../src/errors.js';
import { normalisePathForMatching } from '../src/http/request-target.js';
import { ContentTypeFilter } from '../src/policy/content-type-filter.js';
import { compileGlob } from '../src/policy/glob-pattern.js';
import { compilePolicy } from '../src/policy/policy-loader.js';
import { POLICY_SCHEMA_URL } from '../src/policy/policy-schema.js';
import { runInProcess, type CommandResult } from './harness/in-process-command.js';
import { checkNoLeaks } from './harness/leak-check.js';

const HEADER = 'apiVersion: leakguard.io/v1alpha1\nkind: DlpPolicy\nmetadata: { name: p }\n';

/** The issues a policy text produces, as `path: message` lines. */
function issues(text: string): string[] {
  try {
    compilePolicy(text, 'test.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof PolicyInvalidError)) throw error;
    return error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  }
}

t.test('a minimal policy compiles with the documented defaults', async (t) => {
  const snapshot = compilePolicy(`${HEADER}spec: {}\n`, 'test.yaml');
  t.equal(snapshot.name, 'p');
  t.match(snapshot.revision, /^[0-9a-f]{12}$/);
  t.equal(snapshot.mode, 'enforce');
  t.equal(snapshot.failMode, 'closed');
  t.equal(snapshot.maxBufferBytes, 1024 * 1024);
  t.equal(snapshot.recompress, true);
  t.ok(snapshot.contentTypes.skips('image/png') && !snapshot.contentTypes.skips('application/json'), 'media types skipped by default');
  t.same([...snapshot.engine.detectorIds].sort(), ['payment_card', 'uk_nhs', 'us_hicn', 'us_mbi', 'us_npi', 'us_ssn'], 'built-ins on by default');
});

t.test('JSON documents are accepted as well as YAML', async (t) => {
  const snapshot = compilePolicy(JSON.stringify({ apiVersion: 'leakguard.io/v1alpha1', kind: 'DlpPolicy', metadata: { name: 'j' }, spec: { mode: 'monitor' } }), 'p.json');
  t.equal(snapshot.mode, 'monitor');
  t.ok(snapshot.monitor);
});

t.test('the bundled default policy is valid', async (t) => {
  const snapshot = compilePolicy(readFileSync(DEFAULT_POLICY_PATH, 'utf8'), DEFAULT_POLICY_PATH);
  t.equal(snapshot.name, 'default');
  t.equal(snapshot.routes.size, 1);
});

t.test('errors name the field path and what was expected', async (t) => {
  t.same(issues(`${HEADER}spec:\n  detectors:\n    us_ssn: { action: drop }\n`), ['spec.detectors.us_ssn.action: must be one of log, redact, block']);
  t.same(issues(`${HEADER}spec:\n  inspect: { maxBuferBytes: 1Mi }\n`), ['spec.inspect.maxBuferBytes: unknown field']);
  t.same(issues(`${HEADER}spec:\n  inspect: { maxBufferBytes: 1 MB }\n`), ['spec.inspect.maxBufferBytes: must be a size: bytes (1048576) or with a unit (512Ki, 1Mi, 1Gi, 500k, 1M)']);
  t.same(issues(`apiVersion: leakguard.io/v1alpha1\nkind: DlpPolicy\nmetadata: {}\nspec: {}\n`), ['metadata.name: is required']);
  t.same(issues(`apiVersion: leakguard.io/v2\nkind: DlpPolicy\nmetadata: { name: p }\nspec: {}\n`), ['apiVersion: must be leakguard.io/v1alpha1']);
  t.same(issues(`${HEADER}spec:\n  detectors:\n    employee_id: { pattern: "EMP-[0-9]{6}", action: log }\n`), ['spec.detectors.employee_id.maxLength: is required']);
  t.same(issues(`${HEADER}spec:\n  detectors:\n    us_ssn: { pattern: "[0-9]+", maxLength: 9 }\n`), [
    'spec.detectors.us_ssn.maxLength: unknown field',
    'spec.detectors.us_ssn.pattern: unknown field',
  ]);
  t.match(issues(`${HEADER}spec:\n  detectors:\n    Bad-Id: { pattern: "x", maxLength: 1 }\n`)[0], /^spec\.detectors\.Bad-Id: is not a valid id/);
  t.same(issues(`${HEADER}spec:\n  rules:\n    - match: { direction: inbound }\n`), ['spec.rules[0].match.direction: must be one of request, response, both']);
  t.same(issues(`${HEADER}spec:\n  rules:\n    - match: {}\n      detectors: { nope: { action: log } }\n`), [
    'spec.rules[0].detectors.nope: unknown detector: not built in and not declared under spec.detectors',
  ]);
  t.same(issues(`${HEADER}spec:\n  mode: enforce\n  failMode: shut\n  inspect: { headers: "yes" }\n`), [
    'spec.failMode: must be one of closed, open',
    'spec.inspect.headers: must be boolean',
  ], 'every error at once');
});

t.test('an engine error on a detector surfaces as a policy error on its field', async (t) => {
  const found = issues(`${HEADER}spec:\n  detectors:\n    employee_id: { pattern: "EMP-(?<=x)[0-9]{6}", maxLength: 10 }\n`);
  t.equal(found.length, 1);
  t.match(found[0], /^spec\.detectors\.employee_id\.pattern: /, 'names spec.detectors.<id>.<field>');
});

t.test('syntax errors say where', async (t) => {
  const found = issues(`${HEADER}spec:\n  detectors: { us_ssn: { action: block }\n`);
  t.equal(found.length >= 1, true);
  t.match(found[0], /not valid YAML at line [0-9]+/);
  t.match(issues('{"apiVersion": ')[0], /not valid JSON/);
  t.match(issues(`${HEADER}metadata: { name: q }\nspec: {}\n`)[0], /not valid YAML/, 'duplicate keys are refused');
});

t.test('sizes and durations', async (t) => {
  t.equal(parseByteSize('1Mi'), 1048576);
  t.equal(parseByteSize('512Ki'), 524288);
  t.equal(parseByteSize(2048), 2048);
  t.equal(parseByteSize('2048'), 2048);
  t.equal(parseByteSize('1M'), 1_000_000);
  t.equal(parseByteSize('1 MB'), undefined);
  t.equal(parseByteSize(-1), undefined);
  t.equal(parseDuration('500ms'), 500);
  t.equal(parseDuration('1.5s'), 1500);
  t.equal(parseDuration('2m'), 120_000);
  t.equal(parseDuration('0'), 0);
  t.equal(parseDuration('10'), undefined, 'a duration needs a unit');
});

t.test('globs and route rules: first match wins, per direction, on the normalised path', async (t) => {
  t.ok(compileGlob('/internal/**', '/').test('/internal'));
  t.ok(compileGlob('/internal/**', '/').test('/internal/a/b'));
  t.notOk(compileGlob('/internal/**', '/').test('/internals'));
  t.ok(compileGlob('/a/*/c', '/').test('/a/b/c'));
  t.notOk(compileGlob('/a/*/c', '/').test('/a/b/x/c'));
  t.ok(compileGlob('/a/**/c', '/').test('/a/c'));
  t.ok(compileGlob('*.example.com', '.', 'i').test('api.example.com'));
  t.notOk(compileGlob('*.example.com', '.', 'i').test('a.b.example.com'));
  t.equal(normalisePathForMatching('/%69nternal/./x/../y//z'), '/internal/y/z', 'encoded and dot-segment detours are resolved');
  t.equal(normalisePathForMatching('/a%2Fb'), '/a%2Fb', 'an encoded slash stays one segment');

  const snapshot = compilePolicy(
    `${HEADER}spec:
  rules:
    - name: internal-reports
      match: { direction: response, paths: ["/internal/**"], methods: [GET] }
      detectors: { us_ssn: { action: log } }
    - name: uploads
      match: { direction: request, paths: ["/upload", "/upload/**"], hosts: ["*.example.com"] }
      detectors: { payment_card: { action: block } }
    - match: { paths: ["/**"] }
      detectors: { us_mbi: { action: redact } }
`,
    'rules.yaml',
  );
  const query = (method: string, path: string, host = 'api.example.com') => ({ listener: 'inbound' as const, method, host, path: normalisePathForMatching(path) });
  t.equal(snapshot.routes.resolve('response', query('GET', '/internal/r')).ruleLabel, 'internal-reports');
  t.equal(snapshot.routes.resolve('request', query('GET', '/internal/r')).ruleLabel, '2', 'direction is part of the match; unnamed rules are labelled by index');
  t.equal(snapshot.routes.resolve('response', query('POST', '/internal/r')).ruleLabel, '2', 'methods too');
  t.equal(snapshot.routes.resolve('request', query('POST', '/%75pload/x')).ruleLabel, 'uploads', 'an encoded path cannot dodge a rule');
  t.equal(snapshot.routes.resolve('request', query('POST', '/upload', 'other.test')).ruleLabel, '2', 'hosts too');
  t.same(snapshot.routes.resolve('request', query('POST', '/upload')).overrides, { payment_card: { action: 'block' } }, 'the rule overrides reach the engine');
});

t.test('skipContentTypes', async (t) => {
  const filter = new ContentTypeFilter(['image/*', 'application/pdf']);
  t.ok(filter.skips('image/png'));
  t.ok(filter.skips('Application/PDF; charset=binary'));
  t.notOk(filter.skips('application/json'));
  t.notOk(filter.skips(undefined), 'a missing content type is inspected');
  t.notOk(filter.skips('garbage'), 'an unparsable one too');
  t.ok(new ContentTypeFilter(['*/*']).skips('text/plain'));
});

t.test('the published schema', async (t) => {
  const schema = JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8'));
  t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const spec = schema.properties.spec.properties;
  for (const key of ['mode', 'failMode', 'detectors', 'rules']) t.ok(spec[key].description, `spec.${key} is described for editors`);
  for (const key of Object.keys(schema.$defs.inspect.properties)) t.ok(schema.$defs.inspect.properties[key].description, `spec.inspect.${key} is described`);
});

/** Runs `leakguard policy …` in-process. */
function policyCommand(argv: string[]): Promise<CommandResult> {
  return runInProcess(runPolicyCommand, argv);
}

t.test('leakguard policy lint', async (t) => {
  const dir = t.testdir({
    'good.yaml': `${HEADER}spec: { detectors: { us_ssn: { action: block } } }\n`,
    'bad.yaml': `${HEADER}spec:\n  detectors:\n    us_ssn: { action: drop }\n  inspect: { maxBufferBytes: lots }\n`,
  });
  const good = await policyCommand(['lint', `${dir}/good.yaml`]);
  t.equal(good.code, 0);
  t.match(good.out, /good\.yaml: ok \(p, revision [0-9a-f]{12}, enforce\)/);

  const bad = await policyCommand(['lint', `${dir}/good.yaml`, `${dir}/bad.yaml`]);
  t.equal(bad.code, 1, 'exit 1 when any file is invalid');
  t.match(bad.out, /bad\.yaml: invalid\n  spec\.detectors\.us_ssn\.action: must be one of log, redact, block\n  spec\.inspect\.maxBufferBytes: must be a size/, 'one line per issue, by path');

  const json = await policyCommand(['lint', '--format', 'json', `${dir}/bad.yaml`]);
  t.equal(json.code, 1);
  t.same(JSON.parse(json.out)[0].issues[0], { path: 'spec.detectors.us_ssn.action', message: 'must be one of log, redact, block' });

  const missing = await policyCommand(['lint', `${dir}/absent.yaml`]);
  t.equal(missing.code, 1);
  t.match(missing.out, /LG_ERR_POLICY_UNREADABLE|could not be read/);

  t.equal((await policyCommand(['lint'])).code, 2, 'no file: usage error');
  const schema = await policyCommand(['schema']);
  t.equal(schema.code, 0);
  t.equal(JSON.parse(schema.out).title, 'Leakguard DlpPolicy');
});

checkNoLeaks(t);
