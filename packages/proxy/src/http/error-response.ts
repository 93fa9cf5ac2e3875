/**
 * The one shape of every error the proxy answers with:
 * `{"error": {"code", "message", "detectors"?, "requestId"}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ErrorBody {
  error: { code: string; message: string; detectors?: string[]; requestId: string };
}

export function errorBody(code: string, message: string, requestId: string, detectors?: string[]): ErrorBody {
  return { error: detectors ? { code, message, detectors, requestId } : { code, message, requestId } };
}

/**
 * How long an error answered before the request body was in may hold its closing connection
 * open while the client finishes sending (nginx's lingering close does the same, 5 s).
 */
const LINGER_MS = 5000;

export interface ErrorResponseOptions {
  closeConnection?: boolean;
  /** The request being answered, when its body may still be arriving (already being discarded). */
  request?: IncomingMessage;
}

/**
 * Writes a JSON error response; the caller checked that headers were not sent yet.
 *
 * When the connection closes after the response (the client asked for it, or the proxy is
 * draining) while the client is still sending its body, the response is written at once but
 * ended only when that body is in, or after LINGER_MS: closing a socket with unread input makes
 * the kernel answer with a reset, which discards the error before the client reads it.
 */
export function sendErrorResponse(res: ServerResponse, status: number, body: ErrorBody, options: ErrorResponseOptions = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'no-store',
    'x-request-id': body.error.requestId,
  };
  if (options.closeConnection) headers.connection = 'close';
  res.writeHead(status, headers);
  const request = options.request;
  const closes = options.closeConnection === true || !res.shouldKeepAlive;
  if (request === undefined || !closes || request.complete || request.destroyed) {
    res.end(payload);
    return;
  }
  res.write(payload);
  const end = (): void => {
    clearTimeout(timer);
    request.off('end', end);
    request.off('close', end);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(end, LINGER_MS);
  timer.unref();
  request.once('end', end);
  request.once('close', end);
}

/** Raw-socket form for errors raised before Node built a request (parse errors, oversized headers). */
export function writeSocketError(socket: Socket, status: number, reason: string, body: ErrorBody): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${payload}`,
  );
}

/**
 * Cuts a connection so that the peer sees a broken transfer, never a complete-looking one:
 * a TCP reset rather than an orderly close (which, for a body without a length, reads as the end).
 */
export function cutConnection(socket: Socket | null | undefined): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
