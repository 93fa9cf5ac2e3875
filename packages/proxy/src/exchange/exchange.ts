/**
 * One request/response exchange through the inbound proxy, in named stages (like fastify hooks):
 *
 *   onRequest         policy snapshot, route rules, URL and header inspection
 *   inspectRequest    request body through the engine (held up to maxBufferBytes, then streamed)
 *   forwardUpstream   http-proxy with the keep-alive agent
 *   onResponse        response header inspection, choice of body path
 *   inspectResponse   response body through the engine (held, then streamed)
 *   onComplete        audit event and metrics, once, when the client connection is done with it
 *
 * The snapshot taken in onRequest serves the whole exchange, so a hot reload never changes an
 * exchange in flight.
 */
import { randomUUID } from 'node:crypto';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough, type Readable, type Stream } from 'node:stream';
import { LeakguardError, type Action, type ActionedFinding, type ProcessResult, type ScanBlockedError, type ScanStream } from '@leakguard/detectors';
import {
  ExchangeBlockedError,
  InspectionFailedError,
  NotReadyError,
  ProxyHttpError,
  UpstreamResetError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from '../errors.js';
import { cutConnection, errorBody, sendErrorResponse } from '../http/error-response.js';
import { addForwardedHeaders, appendVia, endToEndHeaders } from '../http/hop-by-hop.js';
import { hostNameOf, normalisePathForMatching, splitRequestTarget } from '../http/request-target.js';
import { FindingTally, strongerAction, type ExchangeOutcome } from '../observability/audit-log.js';
import type { PolicySnapshot } from '../policy/policy-snapshot.js';
import type { Direction, RouteDecision, RouteQuery } from '../policy/route-rules.js';
import { EnforcedBody, MonitoredBody, WholeBody } from './body-inspection.js';
import { BufferedBody, NO_BODY } from './buffered-body.js';
import type { ExchangeContext, TrackedExchange } from './exchange-context.js';
import { inspectHead, type HeadInspection } from './head-inspection.js';
import { sanitiseForLog } from './log-sanitiser.js';

/** Where http-proxy's shared events find the exchange of a request. */
const EXCHANGE = Symbol('leakguard.exchange');
type CarryingRequest = IncomingMessage & { [EXCHANGE]?: Exchange };

/** The exchange a request belongs to (for http-proxy's `proxyReq`/`proxyRes` events). */
export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as CarryingRequest)[EXCHANGE];
}

/** Connect-phase errors: the app was never reached. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
]);

/** Responses that never have a body, whatever their headers say. */
function responseHasNoBody(method: string, status: number, headers: IncomingMessage['headers']): boolean {
  return (
    method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200) || headers['content-length'] === '0'
  );
}

function requestHasBody(headers: IncomingMessage['headers']): boolean {
  const length = headers['content-length'];
  if (length !== undefined) return length !== '0';
  return headers['transfer-encoding'] !== undefined;
}

/** Content-Length as a number, when present and sane. */
function declaredLength(headers: IncomingMessage['headers']): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

function contentEncodingOf(headers: { 'content-encoding'?: string | string[] | number | undefined }): string | undefined {
  const value = headers['content-encoding'];
  if (value === undefined) return undefined;
  const text = (Array.isArray(value) ? value.join(',') : String(value)).trim().toLowerCase();
  return text === '' || text === 'identity' ? undefined : text;
}

export class Exchange implements TrackedExchange {
  readonly id = randomUUID();
  inFlightPrev: TrackedExchange | null = null;
  inFlightNext: TrackedExchange | null = null;
  private readonly startedAt = performance.now();
  private snapshot: PolicySnapshot | undefined;
  private requestRoute: RouteDecision | undefined;
  private responseRoute: RouteDecision | undefined;
  private method: string;
  private host = '';
  private path = '/';
  private forwardHeaders: OutgoingHttpHeaders = {};
  private forwardUrl: string;
  /** Created at the first finding: most exchanges have none. */
  private tally: FindingTally | undefined;
  private action: Action | null = null;
  private redacted = false;
  private outcome: ExchangeOutcome | undefined;
  private error: { code: string; message: string } | undefined;
  private finished = false;
  private completed = false;
  private proxyReq: ClientRequest | undefined;
  private proxyRes: IncomingMessage | undefined;
  private upstreamTimer: NodeJS.Timeout | undefined;
  private requestBody: EnforcedBody | MonitoredBody | WholeBody | undefined;
  private responseBody: EnforcedBody | MonitoredBody | WholeBody | undefined;
  /** The complete (held) request body, kept for one retry on a stale keep-alive socket. */
  private replayBody: Buffer[] | undefined;
  private attempts = 0;
  /** The upstream request carries a body already in memory (no upload time to leave out of the timeout). */
  private bodyInMemory = false;
  private readonly scanNs = { request: 0, response: 0 };
  private readonly scanBytes = { request: 0, response: 0 };

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.forwardUrl = req.url ?? '/';
    (req as CarryingRequest)[EXCHANGE] = this;
  }

  /** Body bytes this exchange buffers in the proxy right now: what backpressure must keep bounded. */
  get heldBytes(): number {
    return (
      (this.requestBody?.bufferedBytes ?? 0) +
      (this.responseBody?.bufferedBytes ?? 0) +
      (this.proxyReq?.writableLength ?? 0) +
      (this.proxyRes && !this.responseBody ? this.proxyRes.readableLength : 0) +
      (this.responseBody ? 0 : this.res.writableLength)
    );
  }

  /**
   * Runs the exchange; `expectsContinue`: the client waits for `100 Continue` before its body.
   * The head is inspected, and the request sent on, in this turn's batch (see ExchangeBatch).
   */
  run(expectsContinue = false): void {
    this.ctx.tracker.add(this);
    this.res.once('close', this.onComplete);
    this.ctx.batch.add(
      () => this.live && this.onRequest(),
      (accepted) => {
        if (!accepted || !this.live) return;
        if (expectsContinue) this.res.writeContinue();
        this.inspectRequest();
      },
    );
  }

  /** Neither decided nor closed: batched steps run only while this holds. */
  private get live(): boolean {
    return !this.finished && !this.completed;
  }

  /** Ends the exchange at once (drain grace period over). */
  abort(): void {
    this.finish('aborted');
    this.destroyUpstream();
    cutConnection(this.res.socket);
  }

  // ---- onRequest ---------------------------------------------------------------------------

  private onRequest(): boolean {
    const snapshot = this.ctx.policy.current;
    if (!snapshot) {
      this.fail(new NotReadyError(), 'failed-closed');
      return false;
    }
    this.snapshot = snapshot;
    const { path, query } = splitRequestTarget(this.forwardUrl);
    this.path = path;
    this.host = hostNameOf(this.req.headers.host);
    if (snapshot.routes.size > 0) {
      const route: RouteQuery = { listener: this.ctx.listener, method: this.method, host: this.host, path: normalisePathForMatching(path) };
      this.requestRoute = snapshot.routes.resolve('request', route);
      this.responseRoute = snapshot.routes.resolve('response', route);
    } else {
      this.requestRoute = this.responseRoute = snapshot.routes.defaultDecision;
    }

    const headers: OutgoingHttpHeaders = endToEndHeaders(this.req.headers);
    // The proxy answers `Expect: 100-continue` itself (once the head passed); the app gets the body directly.
    if (headers.expect !== undefined) delete headers.expect;
    if (snapshot.inspectHeaders || snapshot.inspectUrl) {
      const head = inspectHead(
        snapshot.engine,
        snapshot.inspectHeaders ? (headers as Record<string, string | string[] | undefined>) : undefined,
        snapshot.inspectUrl ? this.forwardUrl : undefined,
        { overrides: this.requestRoute.overrides, monitor: snapshot.monitor },
      );
      if (this.recordHead('request', head)) return false;
      if (head.url !== undefined) this.forwardUrl = head.url;
    }
    addForwardedHeaders(headers, {
      address: this.req.socket.remoteAddress,
      encrypted: false,
      localPort: this.req.socket.localPort,
    });
    appendVia(headers, this.req.httpVersion);
    if (headers['x-request-id'] === undefined) headers['x-request-id'] = this.id;
    this.forwardHeaders = headers;
    return true;
  }

  /** Records head findings; returns true when they blocked the exchange. */
  private recordHead(direction: Direction, head: HeadInspection): boolean {
    this.scanNs[direction] += head.scanNs;
    if (head.findings.length === 0) return false;
    for (const { finding, location } of head.findings) this.record(direction, finding, location);
    if (head.url !== undefined || head.headersChanged) this.redacted = true;
    if (head.action === 'block' && !this.snapshot?.monitor) {
      const detectors = [...new Set(head.findings.filter((f) => f.finding.action === 'block').map((f) => f.finding.detector))];
      this.fail(new ExchangeBlockedError(direction, detectors), 'blocked');
      return true;
    }
    return false;
  }

  private record(direction: Direction, finding: ActionedFinding, location?: string): void {
    (this.tally ??= new FindingTally()).add(direction, finding, location);
    this.action = strongerAction(this.action, finding.action);
    this.ctx.metrics.recordFinding(finding.detector, finding.action, direction);
  }

  // ---- inspectRequest ----------------------------------------------------------------------

  private inspectRequest(): void {
    const snapshot = this.snapshot as PolicySnapshot;
    const headers = this.forwardHeaders;
    if (!requestHasBody(this.req.headers)) {
      this.replayBody = [];
      this.forwardUpstream(NO_BODY);
      return;
    }
    const chunkedIfUnsized = (): void => {
      if (headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
    };
    const contentType = this.req.headers['content-type'];
    if (snapshot.contentTypes.skips(contentType)) {
      chunkedIfUnsized();
      this.forwardUpstream(this.req);
      return;
    }
    const contentEncoding = contentEncodingOf(this.req.headers);
    if (this.fitsWholeBodyPath(this.req.headers, contentEncoding)) {
      this.inspectWholeRequest(contentType, contentEncoding);
      return;
    }
    const scan = this.createScan('request', contentType, contentEncoding, () => {
      chunkedIfUnsized();
      this.forwardUpstream(this.req);
    });
    if (!scan) return;

    if (snapshot.monitor) {
      chunkedIfUnsized();
      const sink = new PassThrough();
      const body = new MonitoredBody(this.req, sink, scan, {
        fault: (error) => this.inspectionFault('request', error, false),
        sourceFailed: () => this.clientGone(),
      });
      this.requestBody = body;
      body.start();
      this.forwardUpstream(sink);
      return;
    }

    const body = new EnforcedBody(this.req, scan, snapshot.maxBufferBytes, snapshot.failMode === 'open', {
      release: (complete, length) => {
        if (this.finished) return undefined;
        if (complete) {
          headers['content-length'] = String(length);
          delete headers['transfer-encoding'];
        } else if (contentEncoding !== undefined) {
          // Re-encoded or decoded output has a new length, unknown until the end.
          delete headers['content-length'];
          headers['transfer-encoding'] = 'chunked';
        } else {
          chunkedIfUnsized();
        }
        this.applyOutputEncoding(headers, contentEncoding, scan);
        const sink = new PassThrough();
        if (complete) this.replayBody = [];
        this.forwardUpstream(sink);
        if (complete && this.replayBody) {
          // Keep what goes out, for a retry on a stale keep-alive connection.
          sink.on('data', (chunk: Buffer) => this.replayBody?.push(chunk));
        }
        return sink;
      },
      blocked: (error, released) => this.bodyBlocked('request', error, released),
      fault: (error, released, raw) => {
        if (this.inspectionFault('request', error, released)) {
          // Fail open: the original bytes go through, uninspected from here on.
          chunkedIfUnsized();
          const sink = new PassThrough();
          for (const chunk of raw ?? []) sink.write(chunk);
          this.req.pipe(sink);
          this.forwardUpstream(sink);
        }
      },
      sourceFailed: () => this.clientGone(),
    });
    this.requestBody = body;
    body.start();
  }

  /**
   * Small bodies of known length, that the hold would keep whole anyway, are read whole and
   * inspected in one engine call: cheaper than a stream per body, same decisions. Not for
   * monitor mode (which forwards as it reads) nor for compressed bodies forwarded decoded.
   */
  private fitsWholeBodyPath(headers: IncomingMessage['headers'], contentEncoding: string | undefined): boolean {
    const snapshot = this.snapshot as PolicySnapshot;
    const length = declaredLength(headers);
    return !snapshot.monitor && length !== undefined && length <= snapshot.maxBufferBytes && (contentEncoding === undefined || snapshot.recompress);
  }

  /** Runs the engine over a whole body; undefined when it faulted (already handled by failMode). */
  private processWhole(direction: Direction, raw: Buffer, contentType: string | undefined, contentEncoding: string | undefined): ProcessResult | undefined {
    const snapshot = this.snapshot as PolicySnapshot;
    const route = (direction === 'request' ? this.requestRoute : this.responseRoute) as RouteDecision;
    const started = performance.now();
    try {
      return snapshot.engine.process(raw, { contentType, contentEncoding, overrides: route.overrides });
    } catch (error) {
      this.inspectionFaultOnWhole(direction, error as Error, raw);
      return undefined;
    } finally {
      this.scanNs[direction] += (performance.now() - started) * 1e6;
    }
  }

  private inspectionFaultOnWhole(direction: Direction, error: Error, raw: Buffer): void {
    if (!this.inspectionFault(direction, error, false)) return;
    // Failing open: the original bytes go through unchanged.
    if (direction === 'request') this.forwardUpstream(new BufferedBody(raw));
    else this.pendingRawResponse = raw;
  }

  private pendingRawResponse: Buffer | undefined;

  /** The strongest-action findings of a result, recorded; returns the detectors that blocked, if any. */
  private recordResult(direction: Direction, result: ProcessResult): string[] | undefined {
    for (const finding of result.findings) this.record(direction, finding);
    if (result.action !== 'block') return undefined;
    return [...new Set(result.findings.filter((f) => f.action === 'block').map((f) => f.detector))];
  }

  private inspectWholeRequest(contentType: string | undefined, contentEncoding: string | undefined): void {
    const body = new WholeBody(this.req, {
      complete: (raw) =>
        this.ctx.batch.add(
          () => (this.live ? this.processWhole('request', raw, contentType, contentEncoding) : undefined),
          (result) => this.forwardWholeRequest(raw, result),
          raw.length,
        ),
      sourceFailed: () => this.clientGone(),
    });
    this.requestBody = body;
    body.start();
  }

  /** Sends an inspected whole request on; `result` undefined: the exchange ended, or a fault was handled by failMode. */
  private forwardWholeRequest(raw: Buffer, result: ProcessResult | undefined): void {
    if (result === undefined || !this.live) return;
    const blockedBy = this.recordResult('request', result);
    if (blockedBy) {
      this.fail(new ExchangeBlockedError('request', blockedBy), 'blocked');
      return;
    }
    if (result.output !== raw && result.findings.some((f) => f.action !== 'log')) this.redacted = true;
    const headers = this.forwardHeaders;
    headers['content-length'] = String(result.output.length);
    if (headers['transfer-encoding'] !== undefined) delete headers['transfer-encoding'];
    this.replayBody = [result.output];
    this.forwardUpstream(new BufferedBody(result.output));
  }

  /** A ScanStream for one body; on a fault creating it, fails closed or calls `passThrough`. */
  private createScan(
    direction: Direction,
    contentType: string | undefined,
    contentEncoding: string | undefined,
    passThrough: () => void,
  ): ScanStream | undefined {
    const snapshot = this.snapshot as PolicySnapshot;
    const route = (direction === 'request' ? this.requestRoute : this.responseRoute) as RouteDecision;
    try {
      const scan = snapshot.engine.createStream({
        contentType,
        contentEncoding,
        overrides: route.overrides,
        monitor: snapshot.monitor,
        recompress: snapshot.recompress,
      });
      scan.on('finding', (finding: ActionedFinding) => this.record(direction, finding));
      return scan;
    } catch (error) {
      // Failing open with nothing consumed yet: the body passes as it is.
      if (this.inspectionFault(direction, error as Error, false)) passThrough();
      return undefined;
    }
  }

  /** Content-Encoding after inspection: kept when re-encoded, dropped when the engine decoded the body. */
  private applyOutputEncoding(headers: OutgoingHttpHeaders, inputEncoding: string | undefined, scan: ScanStream): void {
    if (inputEncoding === undefined) return;
    if (scan.outputEncoding === 'identity') delete headers['content-encoding'];
    else headers['content-encoding'] = scan.outputEncoding;
  }

  // ---- forwardUpstream ---------------------------------------------------------------------

  private forwardUpstream(body: Stream | undefined): void {
    if (this.finished) return;
    this.attempts++;
    this.bodyInMemory = body instanceof BufferedBody;
    this.req.headers = this.forwardHeaders as IncomingMessage['headers'];
    this.req.url = this.forwardUrl;
    this.armUpstreamTimer();
    const onError = (error: Error): void => this.onUpstreamError(error);
    if (body) this.ctx.proxy.web(this.req, this.res, { buffer: body }, onError);
    else this.ctx.proxy.web(this.req, this.res, onError as never);
  }

  private armUpstreamTimer(): void {
    const ms = this.ctx.upstreamTimeoutMs;
    if (ms <= 0) return;
    if (this.upstreamTimer) {
      this.upstreamTimer.refresh();
      return;
    }
    this.upstreamTimer = setTimeout(() => {
      if (this.proxyRes || this.finished) return;
      this.fail(new UpstreamTimeoutError(this.ctx.upstream.label, ms), 'upstream-error');
    }, ms);
    this.upstreamTimer.unref();
  }

  private clearUpstreamTimer(): void {
    if (this.upstreamTimer) clearTimeout(this.upstreamTimer);
    this.upstreamTimer = undefined;
  }

  /** http-proxy's `proxyReq` (the upstream request got a socket). */
  onUpstreamRequest(proxyReq: ClientRequest): void {
    if (this.finished) {
      proxyReq.destroy();
      return;
    }
    this.proxyReq = proxyReq;
    // A body already in memory goes out at once: the timeout simply runs from connect to answer.
    if (this.bodyInMemory) return;
    const socket = proxyReq.socket;
    // The timeout covers connecting and then waiting for the answer, not the upload in between.
    if (socket && socket.connecting) socket.once('connect', () => this.pauseUpstreamTimer());
    else this.pauseUpstreamTimer();
    proxyReq.once('finish', () => {
      if (!this.proxyRes && !this.finished) this.armUpstreamTimer();
    });
  }

  private pauseUpstreamTimer(): void {
    if (this.upstreamTimer && !this.proxyRes) {
      clearTimeout(this.upstreamTimer);
      this.upstreamTimer = undefined;
    }
  }

  private onUpstreamError(error: Error): void {
    if (this.finished || this.res.writableEnded) return;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const upstream = this.ctx.upstream.label;
    if (error === this.req.errored) {
      this.clientGone();
      return;
    }
    if (!this.proxyRes && code === 'ECONNRESET' && this.proxyReq?.reusedSocket && this.attempts < 2 && this.replayBody) {
      // The app closed an idle keep-alive connection just as it was reused: the request never
      // reached it, so it is safe to send again on a fresh connection.
      this.proxyReq = undefined;
      this.forwardUpstream(new BufferedBody(this.replayBody.length === 1 ? (this.replayBody[0] as Buffer) : Buffer.concat(this.replayBody)));
      return;
    }
    if (this.proxyRes) {
      this.fail(new UpstreamResetError(upstream, code || error.message), 'upstream-error');
    } else if (UNREACHABLE_CODES.has(code)) {
      this.fail(new UpstreamUnreachableError(upstream, code), 'upstream-error');
    } else {
      this.fail(new UpstreamResetError(upstream, code || 'socket hang up'), 'upstream-error');
    }
  }

  // ---- onResponse --------------------------------------------------------------------------

  /** http-proxy's `proxyRes`: the app's status line and headers arrived. */
  onResponse(proxyRes: IncomingMessage): void {
    this.clearUpstreamTimer();
    if (this.finished) {
      proxyRes.destroy();
      return;
    }
    this.proxyRes = proxyRes;
    const snapshot = this.snapshot as PolicySnapshot;
    const headers = endToEndHeaders(proxyRes.headers) as OutgoingHttpHeaders;
    if (snapshot.inspectHeaders) {
      const head = inspectHead(snapshot.engine, headers as Record<string, string | string[] | undefined>, undefined, {
        overrides: (this.responseRoute as RouteDecision).overrides,
        monitor: snapshot.monitor,
      });
      if (this.recordHead('response', head)) {
        proxyRes.destroy();
        return;
      }
    }
    appendVia(headers, proxyRes.httpVersion);
    if (this.ctx.tracker.draining) headers.connection = 'close';

    const status = proxyRes.statusCode ?? 502;
    if (responseHasNoBody(this.method, status, proxyRes.headers)) {
      this.writeHead(status, proxyRes.statusMessage, headers);
      this.res.end();
      proxyRes.resume();
      return;
    }
    const contentType = proxyRes.headers['content-type'];
    if (snapshot.contentTypes.skips(contentType)) {
      this.passResponseThrough(proxyRes, headers);
      return;
    }
    this.inspectResponse(proxyRes, headers, status, contentType);
  }

  private writeHead(status: number, message: string | undefined, headers: OutgoingHttpHeaders): void {
    if (message) this.res.writeHead(status, message, headers);
    else this.res.writeHead(status, headers);
  }

  private passResponseThrough(proxyRes: IncomingMessage, headers: OutgoingHttpHeaders): void {
    this.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
    proxyRes.pipe(this.res);
    proxyRes.once('error', () => this.responseBroke('aborted'));
    proxyRes.once('aborted', () => this.responseBroke('aborted'));
  }

  // ---- inspectResponse ---------------------------------------------------------------------

  private inspectResponse(proxyRes: IncomingMessage, headers: OutgoingHttpHeaders, status: number, contentType: string | undefined): void {
    const snapshot = this.snapshot as PolicySnapshot;
    const contentEncoding = contentEncodingOf(proxyRes.headers);
    if (this.fitsWholeBodyPath(proxyRes.headers, contentEncoding)) {
      this.inspectWholeResponse(proxyRes, headers, status, contentType, contentEncoding);
      return;
    }
    const scan = this.createScan('response', contentType, contentEncoding, () => this.passResponseThrough(proxyRes, headers));
    if (!scan) return;

    if (snapshot.monitor) {
      this.writeHead(status, proxyRes.statusMessage, headers);
      const body = new MonitoredBody(proxyRes, this.res, scan, {
        fault: (error) => this.inspectionFault('response', error, true),
        sourceFailed: () => this.responseBroke('aborted'),
      });
      this.responseBody = body;
      body.start();
      return;
    }

    const body = new EnforcedBody(proxyRes, scan, snapshot.maxBufferBytes, snapshot.failMode === 'open', {
      release: (complete, length) => {
        if (this.finished) return undefined;
        if (complete) {
          headers['content-length'] = String(length);
          if (scan.findings.some((f) => f.action !== 'log')) {
            // The representation changed: validators of the original bytes no longer hold.
            dropValidators(headers);
          }
        } else if (contentEncoding !== undefined) {
          delete headers['content-length'];
        }
        this.applyOutputEncoding(headers, contentEncoding, scan);
        this.writeHead(status, proxyRes.statusMessage, headers);
        return this.res;
      },
      blocked: (error, released) => this.bodyBlocked('response', error, released),
      fault: (error, released, raw) => {
        if (this.inspectionFault('response', error, released)) {
          const original = endToEndHeaders(proxyRes.headers) as OutgoingHttpHeaders;
          appendVia(original, proxyRes.httpVersion);
          this.writeHead(status, proxyRes.statusMessage, original);
          for (const chunk of raw ?? []) this.res.write(chunk);
          proxyRes.pipe(this.res);
        }
      },
      sourceFailed: (_error, released) => this.responseBroke(released ? 'aborted' : 'reset'),
    });
    this.responseBody = body;
    body.start();
  }

  private inspectWholeResponse(
    proxyRes: IncomingMessage,
    headers: OutgoingHttpHeaders,
    status: number,
    contentType: string | undefined,
    contentEncoding: string | undefined,
  ): void {
    const body = new WholeBody(proxyRes, {
      complete: (raw) =>
        this.ctx.batch.add(
          () => (this.live ? this.processWhole('response', raw, contentType, contentEncoding) : undefined),
          (result) => this.releaseWholeResponse(proxyRes, headers, status, result),
          raw.length,
        ),
      sourceFailed: () => this.responseBroke('reset'),
    });
    this.responseBody = body;
    body.start();
  }

  /** Sends an inspected whole response on; `result` undefined: the exchange ended, or the engine faulted. */
  private releaseWholeResponse(proxyRes: IncomingMessage, headers: OutgoingHttpHeaders, status: number, result: ProcessResult | undefined): void {
    if (!this.live) return;
    if (!result) {
      // A fault that failed open: the original bytes go out as they came.
      const original = this.pendingRawResponse;
      if (original) {
        this.writeHead(status, proxyRes.statusMessage, headers);
        this.res.end(original);
      }
      return;
    }
    const blockedBy = this.recordResult('response', result);
    if (blockedBy) {
      this.fail(new ExchangeBlockedError('response', blockedBy), 'blocked');
      return;
    }
    if (result.findings.some((f) => f.action !== 'log')) {
      this.redacted = true;
      // The representation changed: validators of the original bytes no longer hold.
      dropValidators(headers);
    }
    headers['content-length'] = String(result.output.length);
    this.writeHead(status, proxyRes.statusMessage, headers);
    this.res.end(result.output);
  }

  // ---- decisions ---------------------------------------------------------------------------

  private bodyBlocked(direction: Direction, error: ScanBlockedError, released: boolean): void {
    if (direction === 'request') {
      // Whatever reached the app so far is cut off before the blocked value.
      this.destroyUpstream();
      this.fail(new ExchangeBlockedError('request', error.detectors), 'blocked');
      return;
    }
    this.proxyRes?.destroy();
    if (!released && !this.res.headersSent) this.fail(new ExchangeBlockedError('response', error.detectors), 'blocked');
    else this.cut('response', 'cut');
  }

  /**
   * A fault inside inspection. Returns true when the caller should fail open (policy `open` and
   * nothing was released yet); otherwise the exchange has been refused or cut.
   */
  private inspectionFault(direction: Direction, error: Error, released: boolean): boolean {
    const snapshot = this.snapshot as PolicySnapshot;
    const causeCode = error instanceof LeakguardError ? error.code : 'LG_ERR_ENGINE';
    const detail = error instanceof LeakguardError ? error.message : error.name;
    this.ctx.metrics.inspectionErrors.labels(causeCode).inc();
    const failure = new InspectionFailedError(direction, causeCode, detail);
    this.error = { code: failure.code, message: failure.message };
    if (snapshot.monitor) {
      // Monitor mode changes nothing, faults included: the body passes as it is.
      this.outcome = 'monitored';
      return true;
    }
    if (snapshot.failMode === 'open' && !released) {
      this.outcome = 'failed-open';
      return true;
    }
    if (direction === 'request') this.destroyUpstream();
    else this.proxyRes?.destroy();
    if (this.res.headersSent) this.cut(direction, 'failed-closed');
    else this.fail(failure, 'failed-closed');
    return false;
  }

  private responseBroke(kind: 'reset' | 'aborted'): void {
    if (this.finished) return;
    if (!this.res.headersSent) {
      this.fail(new UpstreamResetError(this.ctx.upstream.label, 'closed mid-body'), 'upstream-error');
      return;
    }
    // The client must see a truncated transfer, never a complete-looking one.
    this.error = { code: 'LG_ERR_UPSTREAM_RESET', message: `upstream ${this.ctx.upstream.label} closed the connection mid-body (${kind})` };
    this.finish('upstream-error');
    cutConnection(this.res.socket);
  }

  private clientGone(): void {
    if (this.finished) return;
    this.finish('aborted');
    this.destroyUpstream();
    if (!this.res.headersSent) this.res.destroy();
  }

  /** Answers with a JSON error, or cuts when the response already started. */
  private fail(error: ProxyHttpError, outcome: ExchangeOutcome): void {
    if (this.finished) return;
    this.error = { code: error.code, message: error.message };
    if (this.res.headersSent) {
      this.cut(error instanceof ExchangeBlockedError ? 'response' : 'request', outcome === 'blocked' ? 'cut' : outcome);
      return;
    }
    this.finish(outcome);
    this.destroyUpstream();
    const detectors = error instanceof ExchangeBlockedError ? error.detectors : undefined;
    this.discardRequestBody();
    sendErrorResponse(this.res, error.status, errorBody(error.code, error.message, this.id, detectors), {
      closeConnection: this.ctx.tracker.draining,
      request: this.req,
    });
  }

  private cut(direction: Direction, outcome: ExchangeOutcome): void {
    if (this.finished) return;
    this.finish(outcome);
    this.ctx.metrics.streamCuts.labels(direction).inc();
    this.destroyUpstream();
    cutConnection(this.res.socket);
  }

  private finish(outcome: ExchangeOutcome): void {
    this.finished = true;
    if (this.outcome === undefined || outcome !== 'aborted') this.outcome = outcome;
    this.clearUpstreamTimer();
    this.requestBody?.stop();
    this.responseBody?.stop();
  }

  private destroyUpstream(): void {
    this.proxyReq?.destroy();
    this.proxyRes?.destroy();
  }

  /** Reads and drops the rest of a refused request, so the connection stays usable for the next one. */
  private discardRequestBody(): void {
    if (this.req.complete || this.req.destroyed) return;
    this.req.unpipe();
    this.req.removeAllListeners('data');
    this.req.resume();
  }

  // ---- onComplete --------------------------------------------------------------------------

  private readonly onComplete = (): void => {
    if (this.completed) return;
    this.completed = true;
    this.clearUpstreamTimer();
    this.ctx.tracker.delete(this);
    if (!this.res.writableFinished && !this.finished) {
      this.finish('aborted');
      this.destroyUpstream();
    }
    if (this.requestBody) {
      this.scanNs.request += this.requestBody.scanNs;
      this.scanBytes.request += this.requestBody.bytesIn;
    }
    if (this.responseBody) {
      this.scanNs.response += this.responseBody.scanNs;
      this.scanBytes.response += this.responseBody.bytesIn;
    }
    const { metrics } = this.ctx;
    const seconds = (performance.now() - this.startedAt) / 1e3;
    const snapshot = this.snapshot;
    const ruleLabel = this.requestRoute && this.requestRoute.ruleIndex >= 0 ? this.requestRoute.ruleLabel : (this.responseRoute?.ruleLabel ?? 'default');
    // 499: the client went away before any response (nginx's convention).
    metrics.recordExchange(ruleLabel, this.res.headersSent ? this.res.statusCode : 499, this.action, seconds);
    if (this.scanNs.request > 0 || this.scanBytes.request > 0) metrics.recordScan('request', this.scanBytes.request, this.scanNs.request / 1e9);
    if (this.scanNs.response > 0 || this.scanBytes.response > 0) metrics.recordScan('response', this.scanBytes.response, this.scanNs.response / 1e9);
    if (!snapshot) return; // not ready: counted, not audited per request
    if (!this.tally && !this.error) return;
    this.audit(snapshot, seconds);
  };

  private audit(snapshot: PolicySnapshot, seconds: number): void {
    const sanitise = (text: string): string => sanitiseForLog(snapshot.engine, text);
    const tally = this.tally ?? new FindingTally();
    const outcome: ExchangeOutcome =
      this.outcome ??
      (snapshot.monitor && tally.count > 0 ? 'monitored' : this.redacted || this.action === 'redact' ? 'redacted' : 'forwarded');
    const record = {
      requestId: this.id,
      listener: this.ctx.listener,
      method: this.method,
      host: sanitise(this.host),
      path: sanitise(this.path),
      status: this.res.headersSent ? this.res.statusCode : 499,
      policy: { name: snapshot.name, revision: snapshot.revision },
      mode: snapshot.mode,
      rules: { request: this.requestRoute?.ruleLabel ?? 'default', response: this.responseRoute?.ruleLabel ?? 'default' },
      action: this.action,
      outcome,
      direction: tally.direction,
      detectors: tally.summaries(sanitise),
      durationMs: Math.round(seconds * 1e6) / 1e3,
      error: this.error,
    };
    if (tally.count > 0) this.ctx.audit.exchange(record);
    else this.ctx.audit.exchangeError(record);
  }
}

/** Headers that vouch for the original bytes of a body (they would not match a redacted one). */
const VALIDATOR_HEADERS = ['etag', 'content-md5', 'digest', 'content-digest', 'repr-digest'] as const;

/**
 * Removes the validators a response carries. Only present ones are deleted: a `delete` of any
 * property turns the headers object into a slow dictionary for the rest of its life.
 */
function dropValidators(headers: OutgoingHttpHeaders): void {
  for (const name of VALIDATOR_HEADERS) if (headers[name] !== undefined) delete headers[name];
}

/** Wires http-proxy's shared events to the exchanges they belong to. */
export function routeProxyEvents(proxy: ExchangeContext['proxy']): void {
  proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => exchangeOf(req)?.onUpstreamRequest(proxyReq));
  proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage) => {
    const exchange = exchangeOf(req);
    if (exchange) exchange.onResponse(proxyRes);
    else proxyRes.destroy();
  });
}
