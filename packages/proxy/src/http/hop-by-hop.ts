/**
 * Header rewriting at the proxy hop (RFC 9110 §7.6.1): hop-by-hop headers, and the ones the
 * `Connection` header names, stop here; `X-Forwarded-*` and `Via` record the hop.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** `Via` token of this hop (the protocol version is filled in per message). */
export const VIA_PSEUDONYM = 'leakguard';

/** Copies `headers` without hop-by-hop fields (including those `Connection` lists). */
export function endToEndHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = headers.connection;
  const listed = named ? new Set(named.toLowerCase().split(',').map((token) => token.trim())) : undefined;
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

function appendValue(existing: string | string[] | number | undefined, value: string): string {
  if (existing === undefined) return value;
  const text = Array.isArray(existing) ? existing.join(', ') : String(existing);
  return text === '' ? value : `${text}, ${value}`;
}

/** Adds this hop to `Via` (`1.1 leakguard`). */
export function appendVia(headers: OutgoingHttpHeaders, httpVersion: string): void {
  headers.via = appendValue(headers.via, `${httpVersion} ${VIA_PSEUDONYM}`);
}

/** Sets `X-Forwarded-For/-Proto/-Host/-Port` for the request forwarded to the app. */
export function addForwardedHeaders(
  headers: OutgoingHttpHeaders,
  client: { address: string | undefined; encrypted: boolean; localPort: number | undefined },
): void {
  if (client.address) headers['x-forwarded-for'] = appendValue(headers['x-forwarded-for'], client.address);
  // An edge in front of the pod (ingress, load balancer) knows the original scheme/host better: keep theirs.
  if (headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = client.encrypted ? 'https' : 'http';
  if (headers['x-forwarded-host'] === undefined && headers.host !== undefined) headers['x-forwarded-host'] = headers.host;
  if (headers['x-forwarded-port'] === undefined && client.localPort !== undefined) headers['x-forwarded-port'] = String(client.localPort);
}
