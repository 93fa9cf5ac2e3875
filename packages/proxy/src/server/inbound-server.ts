/**
 * The inbound listener (:15100): a reverse proxy in front of the app on 127.0.0.1. Requests it
 * cannot even parse are answered here, in the same JSON error shape as everything else.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { BadRequestError, HeadersTooLargeError, RequestTimeoutError, UpgradeNotSupportedError, type ProxyHttpError } from '../errors.js';
import { Exchange } from '../exchange/exchange.js';
import type { ExchangeContext } from '../exchange/exchange-context.js';
import { errorBody, writeSocketError } from '../http/error-response.js';

export interface InboundServerLimits {
  /** Largest request line + headers, bytes (431 beyond). */
  maxHeaderBytes: number;
  /** Time to receive the complete headers, ms. */
  headersTimeoutMs: number;
  /** Time to receive the complete request, ms (0: none). */
  requestTimeoutMs: number;
  /** Idle time of a keep-alive connection between requests, ms. */
  idleTimeoutMs: number;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
};

function answerOnSocket(ctx: ExchangeContext, socket: Duplex, error: ProxyHttpError): void {
  const requestId = randomUUID();
  ctx.audit.error(error.code, error.message, { requestId, listener: ctx.listener });
  ctx.metrics.recordExchange('default', error.status, null, 0);
  writeSocketError(socket as Socket, error.status, REASONS[error.status] ?? 'Error', errorBody(error.code, error.message, requestId));
}

/**
 * Host headers in a request. Node keeps the first of several; an app behind the proxy may read
 * the last, so a route rule on hosts could be evaded: RFC 9112 §3.2 says answer 400.
 */
function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

function startExchange(ctx: ExchangeContext, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
  if (hostHeaderCount(req.rawHeaders) > 1) {
    answerOnSocket(ctx, req.socket, new BadRequestError('more than one Host header'));
    return;
  }
  new Exchange(ctx, req, res).run(expectsContinue);
}

export function createInboundServer(ctx: ExchangeContext, limits: InboundServerLimits): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      // How often the header/request timeouts are checked (Node's default, 30 s, would let a
      // 15 s headers timeout run to 45 s).
      connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
      noDelay: true,
    },
    (req, res) => startExchange(ctx, req, res, false),
  );
  // `Expect: 100-continue`: the head is inspected before the client is told to send its body,
  // so a request refused for its URL or headers never uploads it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => startExchange(ctx, req, res, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Never log `error.rawPacket`: it is the client's bytes.
    if (error.code === 'HPE_HEADER_OVERFLOW') answerOnSocket(ctx, socket, new HeadersTooLargeError(limits.maxHeaderBytes));
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') answerOnSocket(ctx, socket, new RequestTimeoutError('request'));
    else answerOnSocket(ctx, socket, new BadRequestError(error.code ?? 'malformed HTTP'));
  });
  // Upgraded connections (WebSocket, h2c) would carry bytes the engine never sees.
  server.on('upgrade', (_req, socket: Duplex) => answerOnSocket(ctx, socket, new UpgradeNotSupportedError()));
  server.on('connect', (_req, socket: Duplex) => answerOnSocket(ctx, socket, new BadRequestError('CONNECT is not supported by the inbound proxy')));
  return server;
}
