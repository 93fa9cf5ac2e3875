// The HTTPS server the API server calls: POST /inject (AdmissionReview), GET /healthz and
// /readyz for the Deployment's probes. Certificate rotation is picked up without a restart.
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { reviewAdmission } from './admission-review.js';
import type { InjectorConfig } from './config.js';
import { AdmissionRequestError, InjectorError, NamespaceLookupError, NamespaceNotFoundError } from './errors.js';
import type { NamespaceSource } from './namespace-source.js';
import type { StructuredLog } from './structured-log.js';
import { TlsReloader } from './tls-reloader.js';

export const INJECT_PATH = '/inject';
/** Larger than any AdmissionReview the API server sends (objects are capped at ~1.5 MiB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** The API server waits at most the entry's timeoutSeconds (10) for an answer: no use draining longer. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface WebhookServerOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  config: InjectorConfig;
  namespaces: NamespaceSource;
  log: StructuredLog;
  tlsPollIntervalMs?: number;
  maxBodyBytes?: number;
  /** How long close() waits for requests in flight before cutting their connections. */
  drainTimeoutMs?: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new AdmissionRequestError('LG_ERR_PAYLOAD_TOO_LARGE', 413, `body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AdmissionRequestError('LG_ERR_PAYLOAD_TOO_LARGE', 413, `body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class WebhookServer {
  readonly tls: TlsReloader;
  private readonly server: https.Server;
  private listening = false;
  private closing = false;
  /** Responses not yet finished: on close they are told to end their keep-alive connection. */
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly options: WebhookServerOptions) {
    this.tls = new TlsReloader({ certFile: options.certFile, keyFile: options.keyFile, pollIntervalMs: options.tlsPollIntervalMs });
    const { cert, key } = this.tls.pair;
    this.server = https.createServer({ cert, key, minVersion: 'TLSv1.2', requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 30_000 }, (req, res) => {
      this.track(res);
      this.handle(req, res).catch((err: unknown) => {
        options.log.write('error', 'leakguard.webhook.error', { message: (err as Error).message });
        if (!res.headersSent) sendError(res, 500, 'LG_ERR_INTERNAL', 'internal error');
      });
    });
    this.tls.on('reload', (pair) => options.log.write('info', 'leakguard.tls.reload', { fingerprint: pair.fingerprint, notAfter: pair.notAfter }));
    this.tls.on('reloadError', (err) => options.log.write('warn', 'leakguard.tls.reload_failed', { code: err.code, message: err.message }));
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    this.tls.start((pair) => this.server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }));
    const address = this.server.address() as AddressInfo;
    this.options.log.write('info', 'leakguard.webhook.listening', { host: address.address, port: address.port, fingerprint: this.tls.pair.fingerprint });
    return address;
  }

  /**
   * Stops accepting connections, answers requests in flight with `Connection: close` and closes
   * idle keep-alive connections (the API server keeps them open), so the process can exit at once.
   * Connections still busy after the drain timeout are cut.
   */
  async close(): Promise<void> {
    this.listening = false;
    this.closing = true;
    this.tls.stop();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      timer = setTimeout(() => {
        this.options.log.write('warn', 'leakguard.webhook.drain_timeout', { inFlight: this.inFlight.size });
        this.server.closeAllConnections();
      }, this.options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);
    });
    clearTimeout(timer);
  }

  private track(res: ServerResponse): void {
    this.inFlight.add(res);
    if (this.closing) res.setHeader('connection', 'close');
    res.on('close', () => {
      this.inFlight.delete(res);
      // A response whose headers went out before close() leaves its connection idle: close it.
      if (this.closing) setImmediate(() => this.server.closeIdleConnections());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/readyz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'LG_ERR_METHOD_NOT_ALLOWED', 'use GET');
      const ready = path === '/healthz' || this.listening;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ready ? 'ok\n' : 'not ready\n');
      return;
    }
    if (path !== INJECT_PATH) return sendError(res, 404, 'LG_ERR_NOT_FOUND', `no route ${path.slice(0, 100)}`);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 405, 'LG_ERR_METHOD_NOT_ALLOWED', 'use POST');
    }
    const started = process.hrtime.bigint();
    try {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (contentType !== 'application/json') {
        req.resume();
        throw new AdmissionRequestError('LG_ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'content-type must be application/json');
      }
      const raw = await readBody(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AdmissionRequestError('LG_ERR_BAD_REQUEST', 400, 'body is not valid JSON');
      }
      const { review, summary } = await reviewAdmission(body, { config: this.options.config, namespaces: this.options.namespaces });
      sendJson(res, 200, review);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.options.log.write('info', 'leakguard.admission', { ...summary, allowed: review.response.allowed, durationMs: Math.round(ms * 1000) / 1000 });
    } catch (err) {
      if (err instanceof AdmissionRequestError) {
        this.options.log.write('warn', 'leakguard.admission.rejected', { code: err.code, status: err.httpStatus, message: err.message });
        if (err.httpStatus === 413) res.setHeader('connection', 'close');
        return sendError(res, err.httpStatus, err.code, err.message);
      }
      if (err instanceof NamespaceLookupError || err instanceof NamespaceNotFoundError) {
        // 500: the API server falls back on the entry's failurePolicy.
        this.options.log.write('error', 'leakguard.admission.namespace_lookup_failed', { code: err.code, message: err.message });
        return sendError(res, 500, err.code, err.message);
      }
      if (err instanceof InjectorError) {
        this.options.log.write('error', 'leakguard.admission.failed', { code: err.code, message: err.message });
        return sendError(res, 500, err.code, err.message);
      }
      throw err;
    }
  }
}
