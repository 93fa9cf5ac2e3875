/**
 * The one shape of every error the proxy answers with:
 * `{"error": {"code", "message", "detectors"?, "requestId"}}`.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ErrorBody {
  error: { code: string; message: string; detectors?: string[]; requestId: string };
}

export function errorBody(code: string, message: string, requestId: string, detectors?: string[]): ErrorBody {
  return { error: detectors ? { code, message, detectors, requestId } : { code, message, requestId } };
}

/** Writes a JSON error response; the caller checked that headers were not sent yet. */
export function sendErrorResponse(
  res: ServerResponse,
  status: number,
  body: ErrorBody,
  options: { closeConnection?: boolean } = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'no-store',
    'x-request-id': body.error.requestId,
  };
  if (options.closeConnection) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
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
