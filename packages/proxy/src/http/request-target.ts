/**
 * The path that route rules match against: percent-decoded (except `%2F`), dot segments
 * resolved, repeated slashes collapsed, so that `/%75pload` or `/a/../upload` cannot dodge a
 * rule written for `/upload`. Only matching uses it; the request is forwarded as sent.
 */

const NEEDS_NORMALISING = /%|\/\.|\/\/|\\/;

/** Splits a request target (`/path?query`) into its path and query string (without `?`). */
export function splitRequestTarget(url: string): { path: string; query: string | undefined } {
  const mark = url.indexOf('?');
  return mark === -1 ? { path: url, query: undefined } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

function decodePercent(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (whole, hex: string) => {
    const code = parseInt(hex, 16);
    // Keep an encoded slash encoded: decoding it would change the segment structure.
    return code === 0x2f ? whole : String.fromCharCode(code);
  });
}

/** Normalises a path for rule matching. Cheap when there is nothing to normalise. */
export function normalisePathForMatching(path: string): string {
  if (path === '' || path[0] !== '/') path = `/${path}`;
  if (!NEEDS_NORMALISING.test(path)) return path;
  const decoded = decodePercent(path).replace(/\\/g, '/');
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const segment = parts[i] as string;
    if (segment === '' && i < parts.length - 1) continue;
    if (segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** The host name of a `Host` header, lowercased, without port or IPv6 brackets. */
export function hostNameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close === -1 ? host : host.slice(1, close);
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
