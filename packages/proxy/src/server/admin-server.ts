/**
 * The admin listener (:15102): `/healthz` (the process is alive), `/readyz` (a valid policy is
 * loaded and the proxy is not draining), `/metrics` (Prometheus text format) and `/policy`
 * (which revision serves traffic). Probes and scrapes only: no user data is ever served.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';

export interface AdminStatus {
  /** Ready for traffic, and why not when not. */
  readiness(): { ready: boolean; reason?: string };
  /** The active policy, if any. */
  policy(): Record<string, unknown> | undefined;
  /** Prometheus exposition text and its content type. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' });
  res.end(payload);
}

export function createAdminServer(status: AdminStatus): Server {
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'LG_ERR_METHOD_NOT_ALLOWED', message: 'admin endpoints accept GET only' } });
      return;
    }
    switch (path) {
      case '/healthz':
        json(res, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const readiness = status.readiness();
        json(res, readiness.ready ? 200 : 503, readiness.ready ? { status: 'ready' } : { status: 'not ready', reason: readiness.reason });
        return;
      }
      case '/metrics':
        status.metrics().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
            res.end(body);
          },
          () => json(res, 500, { error: { code: 'LG_ERR_METRICS', message: 'metrics could not be collected' } }),
        );
        return;
      case '/policy': {
        const policy = status.policy();
        json(res, policy ? 200 : 404, policy ?? { error: { code: 'LG_ERR_NOT_READY', message: 'no valid policy is loaded' } });
        return;
      }
      default:
        json(res, 404, { error: { code: 'LG_ERR_NOT_FOUND', message: 'admin endpoints: /healthz /readyz /metrics /policy' } });
    }
  });
}
