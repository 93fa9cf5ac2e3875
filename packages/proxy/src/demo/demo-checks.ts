/**
 * The demo's requests, as ready-to-paste curl commands and as `--self-test` checks that run
 * them against the live proxy. Check failures name what differed, never a body: bodies may hold
 * the very values the checks plant.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Engine } from '@leakguard/detectors';
import type { SampleApp } from './sample-app.js';
import { TEST_CARD_NUMBERS, syntheticMbi, syntheticNhsNumber, syntheticSsn } from './synthetic-records.js';

/** Upload files the curl commands post (written to a temp directory, so no value is printed). */
export interface DemoUploads {
  /** A new patient with an SSN: blocked before it reaches the app. */
  blockedPatient: string;
  /** A new patient with a card on file: the card is redacted on the way in. */
  patientWithCard: string;
  /** A payment: the payment-intake rule lets the card through to the app (audited). */
  payment: string;
  /** A search term that is a card number: sent in the query string. */
  searchTerm: string;
}

export const UPLOAD_BODIES: Readonly<Record<keyof DemoUploads, string>> = {
  blockedPatient: `${JSON.stringify({ name: 'Test Patient 900', ssn: syntheticSsn(900), mbi: syntheticMbi(900) }, null, 2)}\n`,
  patientWithCard: `${JSON.stringify({ name: 'Test Patient 901', cardOnFile: TEST_CARD_NUMBERS[1] }, null, 2)}\n`,
  payment: `${JSON.stringify({ patientId: 1, amount: '42.00', card: TEST_CARD_NUMBERS[0] }, null, 2)}\n`,
  searchTerm: (TEST_CARD_NUMBERS[0] as string).replace(/ /g, ''),
};

/** Every synthetic value the demo serves or uploads: none may show up redacted-out output or logs. */
export function plantedDemoValues(): string[] {
  const values = [...TEST_CARD_NUMBERS, ...TEST_CARD_NUMBERS.map((card) => card.replace(/ /g, ''))];
  for (let id = 1; id <= 5; id++) values.push(syntheticSsn(id), syntheticMbi(id), syntheticNhsNumber(id));
  values.push(syntheticSsn(900), syntheticMbi(900));
  return values;
}

export function curlCommands(base: string, admin: string | undefined, uploads: DemoUploads): string {
  const post = (path: string, file: string): string => `curl -s -X POST -H 'content-type: application/json' --data-binary @${file} ${base}${path}`;
  return [
    '# 1. A JSON response: card numbers redacted (last 4 kept), MBIs and NHS numbers masked',
    `curl -s ${base}/api/payments`,
    `curl -s ${base}/api/patients`,
    '',
    '# 2. A gzip response: decoded, redacted, re-encoded (drop --compressed to see the gzip bytes)',
    `curl -s --compressed -D - ${base}/api/payments/export`,
    '',
    '# 3. An XML response: Medicare ids masked inside elements',
    `curl -s ${base}/api/claims.xml`,
    '',
    '# 4. A blocked upload: the SSN never reaches the app; 403 JSON naming the detector',
    post('/api/patients', uploads.blockedPatient),
    '',
    '# 5. A redacted upload: the app stores the card masked (its echo shows what it received)',
    post('/api/patients', uploads.patientWithCard),
    '',
    '# 6. A route rule: the payment intake gets the card (audited), the echo back is masked',
    post('/api/payments', uploads.payment),
    '',
    '# 7. A blocked response: the record holds an SSN, the client gets a clean 403',
    `curl -s ${base}/api/patients/1`,
    '',
    '# 8. A card number in the query string is a leak too (curl -G puts the file\'s content in ?q=)',
    `curl -s -G --data-urlencode q@${uploads.searchTerm} ${base}/api/search`,
    ...(admin ? ['', '# Metrics and readiness', `curl -s ${admin}/metrics | grep '^leakguard_'`, `curl -s ${admin}/readyz`] : []),
  ].join('\n');
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decoded(response: RawResponse): Buffer {
  const encoding = String(response.headers['content-encoding'] ?? '');
  if (encoding === 'gzip') return gunzipSync(response.body);
  if (encoding === 'br') return brotliDecompressSync(response.body);
  return response.body;
}

function containsAny(text: string, values: readonly string[]): boolean {
  return values.some((value) => text.includes(value));
}

function errorCode(body: Buffer): { code?: string; detectors?: string[] } {
  try {
    return (JSON.parse(body.toString('utf8')) as { error?: { code?: string; detectors?: string[] } }).error ?? {};
  } catch {
    return {};
  }
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed: statuses, codes and counts only. */
  detail?: string;
}

/** Runs the demo requests against the proxy and checks what came back. */
export async function runDemoChecks(options: {
  base: string;
  admin: string | undefined;
  app: SampleApp;
  auditLines: readonly string[];
  engine: Engine;
}): Promise<CheckResult[]> {
  const { base, app } = options;
  const planted = plantedDemoValues();
  const results: CheckResult[] = [];
  const check = async (name: string, run: () => Promise<string | undefined>): Promise<void> => {
    try {
      const failure = await run();
      results.push(failure === undefined ? { name, ok: true } : { name, ok: false, detail: failure });
    } catch (error) {
      results.push({ name, ok: false, detail: `request failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})` });
    }
  };
  const json = { 'content-type': 'application/json' };

  await check('redacted JSON response (GET /api/payments)', async () => {
    const res = await call(base, 'GET', '/api/payments', {});
    if (res.status !== 200) return `status ${res.status}`;
    const text = res.body.toString('utf8');
    if (containsAny(text, planted)) return 'a card number came through unmasked';
    if (!text.includes('**** **** **** 1111')) return 'no masked card (last 4 kept) in the body';
    return undefined;
  });
  for (const encoding of ['gzip', 'br'] as const) {
    await check(`redacted ${encoding} response (GET /api/payments/export)`, async () => {
      const res = await call(base, 'GET', '/api/payments/export', { 'accept-encoding': encoding });
      if (res.status !== 200) return `status ${res.status}`;
      const text = decoded(res).toString('utf8');
      if (containsAny(text, planted)) return 'a card number came through unmasked';
      if (!text.includes('**** **** **** 1111')) return 'no masked card in the decoded body';
      JSON.parse(text);
      return undefined;
    });
  }
  await check('redacted XML response (GET /api/claims.xml)', async () => {
    const res = await call(base, 'GET', '/api/claims.xml', {});
    if (res.status !== 200) return `status ${res.status}`;
    const text = res.body.toString('utf8');
    if (containsAny(text, planted)) return 'a Medicare id came through unmasked';
    if (!text.startsWith('<?xml') || !text.includes('</claims>')) return 'the XML document is damaged';
    return undefined;
  });
  await check('blocked upload (POST /api/patients with an SSN)', async () => {
    const before = app.uploads.length;
    const res = await call(base, 'POST', '/api/patients', json, UPLOAD_BODIES.blockedPatient);
    const error = errorCode(res.body);
    if (res.status !== 403) return `status ${res.status}`;
    if (error.code !== 'LG_ERR_BLOCKED' || !error.detectors?.includes('us_ssn')) return `error code ${error.code ?? 'missing'}`;
    if (app.uploads.length !== before) return 'the app received the blocked upload';
    return undefined;
  });
  await check('redacted upload (POST /api/patients with a card)', async () => {
    const res = await call(base, 'POST', '/api/patients', json, UPLOAD_BODIES.patientWithCard);
    if (res.status !== 201) return `status ${res.status}`;
    const received = app.uploads.at(-1)?.toString('utf8') ?? '';
    if (containsAny(received, planted)) return 'the app received the card unmasked';
    if (!received.includes('4444')) return 'the app did not receive the masked card';
    return undefined;
  });
  await check('route rule (POST /api/payments: card reaches the app, echo masked)', async () => {
    const res = await call(base, 'POST', '/api/payments', json, UPLOAD_BODIES.payment);
    if (res.status !== 201) return `status ${res.status}`;
    const received = app.uploads.at(-1)?.toString('utf8') ?? '';
    if (!received.includes(TEST_CARD_NUMBERS[0] as string)) return 'the payment intake did not receive the card';
    if (containsAny(res.body.toString('utf8'), planted)) return 'the echo came back unmasked';
    return undefined;
  });
  await check('blocked response (GET /api/patients/1 holds an SSN)', async () => {
    const res = await call(base, 'GET', '/api/patients/1', {});
    const error = errorCode(res.body);
    if (res.status !== 403 || error.code !== 'LG_ERR_BLOCKED') return `status ${res.status}, code ${error.code ?? 'missing'}`;
    return undefined;
  });
  await check('query string (GET /api/search?q=<card>)', async () => {
    const res = await call(base, 'GET', `/api/search?q=${(TEST_CARD_NUMBERS[0] as string).replace(/ /g, '')}`, {});
    if (res.status !== 200) return `status ${res.status}`;
    if (containsAny(res.body.toString('utf8'), planted)) return 'the app saw the card in the URL';
    return undefined;
  });
  if (options.admin) {
    await check('metrics (GET /metrics on the admin port)', async () => {
      const res = await call(options.admin as string, 'GET', '/metrics', {});
      const text = res.body.toString('utf8');
      if (res.status !== 200 || !/^leakguard_findings_total\{/m.test(text)) return `status ${res.status}, findings counter missing`;
      return undefined;
    });
  }
  // Audit lines are written asynchronously; give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await check('audit events (one per exchange, never a value)', async () => {
    const lines = options.auditLines.join('');
    const events = options.auditLines.map((line) => (JSON.parse(line) as { event?: string }).event);
    if (!events.includes('leakguard.block')) return 'no leakguard.block event';
    if (!events.includes('leakguard.finding')) return 'no leakguard.finding event';
    if (containsAny(lines, planted)) return 'an audit line holds a planted value';
    const found = options.engine.scan(lines, { overrides: Object.fromEntries(options.engine.detectorIds.map((id) => [id, { minConfidence: 'medium' as const }])) });
    if (found.length > 0) return `the engine finds ${found.length} value(s) in the audit lines`;
    return undefined;
  });
  return results;
}
