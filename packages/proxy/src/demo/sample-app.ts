/**
 * The demo's app: a small patient-records and payments API that serves and accepts JSON, form,
 * XML and compressed bodies full of synthetic identifiers. It knows nothing of Leakguard; the
 * demo puts the proxy in front of it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { syntheticPatient, syntheticPayment } from './synthetic-records.js';

export interface SampleApp {
  readonly server: Server;
  readonly port: number;
  /** Request bodies the app received, decoded (what got past the proxy). */
  readonly uploads: Buffer[];
  close(): Promise<void>;
}

const PATIENTS = Array.from({ length: 5 }, (_, i) => syntheticPatient(i + 1));
const PAYMENTS = Array.from({ length: 6 }, (_, i) => syntheticPayment(i + 1));

/** Patients without their SSN: what the list endpoint serves. */
function patientSummary(patient: (typeof PATIENTS)[number]): Record<string, unknown> {
  const { ssn: _ssn, ...rest } = patient;
  return rest;
}

function claimsXml(): string {
  const claims = PATIENTS.map(
    (p, i) =>
      `  <claim id="CLM-${1000 + i}">\n` +
      `    <beneficiary><name>${p.name}</name><medicareId>${p.mbi}</medicareId></beneficiary>\n` +
      `    <provider npi="${p.provider.npi}">${p.provider.name}</provider>\n` +
      `    <amount currency="USD">${(120 + i * 35).toFixed(2)}</amount>\n` +
      `  </claim>\n`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<claims>\n${claims}</claims>\n`;
}

/** Picks gzip or br from Accept-Encoding (gzip first), or none. */
function negotiateEncoding(req: IncomingMessage): 'gzip' | 'br' | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  if (/\bbr\b/.test(accepted)) return 'br';
  return undefined;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, encoding?: 'gzip' | 'br'): void {
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string | number> = { 'content-type': contentType };
  if (encoding === 'gzip') payload = gzipSync(payload);
  if (encoding === 'br') payload = brotliCompressSync(payload);
  if (encoding) {
    headers['content-encoding'] = encoding;
    headers.vary = 'accept-encoding';
  }
  headers['content-length'] = payload.length;
  res.writeHead(status, headers);
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, body: unknown, encoding?: 'gzip' | 'br'): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`, encoding);
}

function decodeBody(req: IncomingMessage, raw: Buffer): Buffer {
  switch (String(req.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
      return gunzipSync(raw);
    case 'br':
      return brotliDecompressSync(raw);
    case 'deflate':
      return inflateSync(raw);
    default:
      return raw;
  }
}

/** What the app makes of an upload: parsed JSON or form fields, else the text. */
function parseUpload(req: IncomingMessage, body: Buffer): unknown {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const text = body.toString('utf8');
  if (type.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { unparsed: text };
    }
  }
  if (type.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return { text };
}

function route(app: { uploads: Buffer[] }, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://sample.invalid');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/') {
    sendJson(res, 200, {
      service: 'leakguard demo: patient records and payments (synthetic data)',
      endpoints: ['GET /api/patients', 'GET /api/patients/{id}', 'GET /api/payments', 'GET /api/payments/export (gzip/br)', 'GET /api/claims.xml', 'POST /api/patients', 'POST /api/payments', 'GET /api/search?q='],
    });
    return;
  }
  if (req.method === 'GET' && path === '/api/patients') {
    sendJson(res, 200, { patients: PATIENTS.map(patientSummary) });
    return;
  }
  const patientMatch = /^\/api\/patients\/([0-9]+)$/.exec(path);
  if (req.method === 'GET' && patientMatch) {
    const patient = PATIENTS.find((p) => p.id === Number(patientMatch[1]));
    if (patient) sendJson(res, 200, { patient });
    else sendJson(res, 404, { error: 'no such patient' });
    return;
  }
  if (req.method === 'GET' && path === '/api/payments') {
    sendJson(res, 200, { payments: PAYMENTS });
    return;
  }
  if (req.method === 'GET' && path === '/api/payments/export') {
    sendJson(res, 200, { exportedAt: '2024-01-01T00:00:00Z', payments: PAYMENTS }, negotiateEncoding(req));
    return;
  }
  if (req.method === 'GET' && path === '/api/claims.xml') {
    send(res, 200, 'application/xml; charset=utf-8', claimsXml());
    return;
  }
  if (req.method === 'GET' && path === '/api/search') {
    sendJson(res, 200, { query: url.searchParams.get('q') ?? '', results: [] });
    return;
  }
  if (req.method === 'POST' && (path === '/api/patients' || path === '/api/payments')) {
    let decoded: Buffer;
    try {
      decoded = decodeBody(req, body);
    } catch {
      sendJson(res, 400, { error: 'body could not be decoded' });
      return;
    }
    app.uploads.push(decoded);
    sendJson(res, 201, { stored: parseUpload(req, decoded) });
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

/** Starts the sample app on 127.0.0.1 (a random port unless one is given). */
export async function startSampleApp(port = 0): Promise<SampleApp> {
  const uploads: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => route({ uploads }, req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
