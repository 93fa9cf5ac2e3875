/**
 * Test harness: a real upstream app and a real proxy on 127.0.0.1, a policy written to a temp
 * directory, and every audit line and error body kept for the leak check that closes each test
 * file. Nothing here prints a body: bodies hold planted values.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { AuditLog } from '../../src/observability/audit-log.js';
import { ProxyMetrics } from '../../src/observability/proxy-metrics.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/server/proxy-runtime.js';
import { recordOutput } from './leak-check.js';

export const FINGERPRINT_KEY = 'leakguard-test-fingerprint-key';

/** What the upstream app saw of one request. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The request body ended cleanly (false: the proxy cut it off). */
  complete: boolean;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Upstream {
  readonly server: Server;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Requests whose body was cut off, or that were aborted before the app answered. */
  readonly aborted: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * An app on a random loopback port. By default it reads the whole request body before calling
 * `handler`; with `streaming`, `handler` gets the request right away (body not read).
 */
export async function startUpstream(handler: UpstreamHandler, options: { streaming?: boolean } = {}): Promise<Upstream> {
  const received: ReceivedRequest[] = [];
  const aborted: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    if (options.streaming) {
      handler(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    const record = (complete: boolean): ReceivedRequest => ({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks),
      complete,
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('aborted', () => aborted.push(record(false)));
    req.on('end', () => {
      const entry = record(true);
      received.push(entry);
      handler(req, res, entry.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    received,
    aborted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the transfer broke off (reset, truncated): the error code. */
  error?: string;
}

export interface RequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string;
  /** Write the body in these pieces, with a pause between them. */
  pieces?: Buffer[];
  /** The pause between pieces, ms (default 2). */
  pauseMs?: number;
}

/** One request on a fresh connection; never rejects for a broken transfer (see `error`). */
export function httpRequest(base: string, options: RequestOptions): Promise<HttpResult> {
  return new Promise((resolve) => {
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: string): void => {
      if (settled) return;
      settled = true;
      const body = Buffer.concat(chunks);
      if (status >= 400) recordOutput(`${status} ${body.toString('latin1')}`);
      resolve(error ? { status, headers, body, error } : { status, headers, body });
    };
    const req = request(`${base}${options.path}`, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      headers = res.headers;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.complete ? undefined : 'incomplete'));
      res.on('aborted', () => done('aborted'));
      res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
      res.on('close', () => done(res.complete ? undefined : 'closed'));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
    if (options.pieces) {
      // Each piece is its own TCP write once the connection is up (else they would queue together).
      const writePieces = async (): Promise<void> => {
        for (const piece of options.pieces ?? []) {
          req.write(piece);
          await new Promise((r) => setTimeout(r, options.pauseMs ?? 2));
        }
        req.end();
      };
      req.on('socket', (socket) => {
        socket.setNoDelay(true);
        if (socket.connecting) socket.once('connect', () => void writePieces());
        else void writePieces();
      });
      req.flushHeaders();
    } else {
      req.end(options.body);
    }
  });
}

export interface Harness {
  readonly proxy: RunningProxy;
  readonly base: string;
  readonly admin: string;
  readonly policyPath: string;
  readonly dir: string;
  /** Audit lines of this proxy, pending exchange events included. */
  readonly logs: string[];
  request(options: RequestOptions): Promise<HttpResult>;
  /** Rewrites the policy file and waits until the store has looked at it. */
  writePolicy(text: string): Promise<void>;
  /** Parsed audit events. */
  events(): Array<Record<string, unknown>>;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

export const TEST_LIMITS: Omit<ProxyOptions, 'upstream' | 'policyPath'> = {
  listen: { host: '127.0.0.1', port: 0 },
  adminListen: { host: '127.0.0.1', port: 0 },
  upstreamTimeoutMs: 10_000,
  upstreamMaxSockets: 64,
  upstreamKeepAliveMs: 2_000,
  policyPollMs: 0,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  fingerprintKey: FINGERPRINT_KEY,
};

/** Starts a proxy in front of `upstreamPort` with `policy` (YAML text); closes it when `t` ends. */
export async function startHarness(
  t: Test,
  policy: string,
  upstreamPort: number,
  overrides: Partial<ProxyOptions> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'leakguard-proxy-test-'));
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(policyPath, policy);
  const logs: string[] = [];
  const audit = new AuditLog({
    destination: {
      write: (line: string) => {
        logs.push(line);
        recordOutput(line);
      },
    },
  });
  const proxy = await startProxy({
    ...TEST_LIMITS,
    upstream: { host: '127.0.0.1', port: upstreamPort, label: `127.0.0.1:${upstreamPort}` },
    policyPath,
    audit,
    metrics: new ProxyMetrics({ defaultMetrics: false }),
    ...overrides,
  });
  const base = `http://127.0.0.1:${proxy.inboundAddress?.port}`;
  const admin = `http://127.0.0.1:${proxy.adminAddress?.port}`;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(close);
  return {
    proxy,
    base,
    admin,
    policyPath,
    dir,
    // Exchange events are serialised in batches (≤ 10 ms later): a test reads them all.
    get logs() {
      audit.writePending();
      return logs;
    },
    request: (options) => httpRequest(base, options),
    writePolicy: async (text) => {
      writeFileSync(policyPath, text);
      await proxy.store.reload('manual');
    },
    events: () => {
      audit.writePending();
      return logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    metricsText: async () => (await httpRequest(admin, { path: '/metrics' })).body.toString('utf8'),
    close,
  };
}

/** A matrix policy: one rule per action, chosen by the first path segment (`/log/…`, `/redact/…`, `/block/…`). */
export function actionPolicy(options: { name?: string; maxBufferBytes?: string; mode?: 'enforce' | 'monitor'; failMode?: 'open' | 'closed'; extra?: string } = {}): string {
  const ids = ['us_ssn', 'payment_card', 'us_mbi', 'uk_nhs'];
  const set = (action: string): string => `{ ${ids.map((id) => `${id}: { action: ${action} }`).join(', ')} }`;
  return `apiVersion: leakguard.io/v1alpha1
kind: DlpPolicy
metadata: { name: ${options.name ?? 'test-matrix'} }
spec:
  mode: ${options.mode ?? 'enforce'}
  failMode: ${options.failMode ?? 'closed'}
  inspect:
    maxBufferBytes: ${options.maxBufferBytes ?? '64Ki'}
    skipContentTypes: ["image/*"]
  detectors: ${set('log')}
  rules:
    - name: redact
      match: { paths: ["/redact/**"] }
      detectors: ${set('redact')}
    - name: block
      match: { paths: ["/block/**"] }
      detectors: ${set('block')}
${options.extra ?? ''}`;
}

/** Waits until `predicate` holds (polling), or fails after `ms`. */
export async function eventually(predicate: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return predicate();
}
