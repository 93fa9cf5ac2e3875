// Namespace labels and annotations are not part of an AdmissionReview: they come from a
// NamespaceSource. In the cluster: a GET on the API server with the service-account token,
// cached for a few seconds. In tests and the CLI: an in-memory source.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { NamespaceLookupError, NamespaceNotFoundError } from './errors.js';
import { isJsonObject, stringMapAt } from './json.js';
import type { NamespaceMetadata } from './mutate.js';

export interface NamespaceSource {
  get(name: string): Promise<NamespaceMetadata>;
}

/** Fixed namespaces; unknown names get `fallback` (default: an unlabelled namespace). */
export class StaticNamespaceSource implements NamespaceSource {
  private readonly entries = new Map<string, NamespaceMetadata>();
  constructor(
    entries: NamespaceMetadata[] = [],
    private readonly fallback: (name: string) => NamespaceMetadata | undefined = (name) => ({ name, labels: {}, annotations: {} }),
  ) {
    for (const e of entries) this.entries.set(e.name, e);
  }
  set(entry: NamespaceMetadata): void {
    this.entries.set(entry.name, entry);
  }
  async get(name: string): Promise<NamespaceMetadata> {
    const found = this.entries.get(name) ?? this.fallback(name);
    if (!found) throw new NamespaceNotFoundError(`namespace "${name}" not found`);
    return found;
  }
}

export interface CachedNamespaceSourceOptions {
  /** How long a namespace's metadata is reused. Label changes take effect after this. */
  ttlMs: number;
  /** Bound on cached entries (oldest evicted first). */
  maxEntries?: number;
  now?: () => number;
}

/** TTL cache in front of another source; concurrent lookups of one name share a request. */
export class CachedNamespaceSource implements NamespaceSource {
  private readonly cache = new Map<string, { value: NamespaceMetadata; expires: number }>();
  private readonly inflight = new Map<string, Promise<NamespaceMetadata>>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  constructor(
    private readonly inner: NamespaceSource,
    private readonly options: CachedNamespaceSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 1000;
  }
  async get(name: string): Promise<NamespaceMetadata> {
    const hit = this.cache.get(name);
    if (hit && hit.expires > this.now()) return hit.value;
    const pending = this.inflight.get(name);
    if (pending) return pending;
    const request = this.inner
      .get(name)
      .then((value) => {
        this.cache.delete(name);
        this.cache.set(name, { value, expires: this.now() + this.options.ttlMs });
        while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
        return value;
      })
      .finally(() => this.inflight.delete(name));
    this.inflight.set(name, request);
    return request;
  }
}

export interface KubernetesNamespaceSourceOptions {
  /** e.g. https://10.96.0.1:443 */
  apiServer: string;
  tokenFile: string;
  caFile: string;
  timeoutMs?: number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster settings, from the environment every pod gets. */
export function inClusterOptions(env: NodeJS.ProcessEnv): KubernetesNamespaceSourceOptions {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new NamespaceLookupError('KUBERNETES_SERVICE_HOST is not set: not running in a cluster (pass --kube-api-server)');
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return { apiServer: `https://${bracketed}:${port}`, tokenFile: `${SERVICE_ACCOUNT_DIR}/token`, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt` };
}

/** GET /api/v1/namespaces/{name} with the service-account token (RBAC: get namespaces). */
export class KubernetesNamespaceSource implements NamespaceSource {
  private readonly agent: https.Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;
  constructor(private readonly options: KubernetesNamespaceSourceOptions) {
    this.base = new URL(options.apiServer);
    this.timeoutMs = options.timeoutMs ?? 3000;
    // The CA is read once at startup; the token is re-read per request (bound tokens rotate).
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: readFileSync(options.caFile) });
  }

  get(name: string): Promise<NamespaceMetadata> {
    let token: string;
    try {
      token = readFileSync(this.options.tokenFile, 'utf8').trim();
    } catch (err) {
      return Promise.reject(new NamespaceLookupError(`cannot read the service-account token: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    }
    const url = new URL(`/api/v1/namespaces/${encodeURIComponent(name)}`, this.base);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method: 'GET', agent: this.agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > 1 << 20) req.destroy(new NamespaceLookupError('namespace response larger than 1 MiB'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            if (res.statusCode === 404) return reject(new NamespaceNotFoundError(`namespace "${name}" not found`));
            if (res.statusCode !== 200) return reject(new NamespaceLookupError(`GET namespace "${name}": HTTP ${res.statusCode}`));
            let body: unknown;
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return reject(new NamespaceLookupError(`GET namespace "${name}": response is not JSON`));
            }
            const metadata = isJsonObject(body) && isJsonObject(body.metadata) ? body.metadata : undefined;
            if (!metadata) return reject(new NamespaceLookupError(`GET namespace "${name}": response has no metadata`));
            resolve({ name, labels: stringMapAt(metadata, 'labels'), annotations: stringMapAt(metadata, 'annotations') });
          });
          res.on('error', (err) => reject(err instanceof NamespaceLookupError ? err : new NamespaceLookupError(`GET namespace "${name}": ${err.message}`)));
        },
      );
      req.on('timeout', () => req.destroy(new NamespaceLookupError(`GET namespace "${name}": no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof NamespaceLookupError ? err : new NamespaceLookupError(`GET namespace "${name}": ${err.message}`)));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
