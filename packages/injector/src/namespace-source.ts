// Namespace labels and annotations are not part of an AdmissionReview: they come from a
// NamespaceSource. In the cluster: a GET on the API server with the service-account token,
// cached for a few seconds. In tests and the CLI: an in-memory source.
import { KubernetesApiError, NamespaceLookupError, NamespaceNotFoundError } from './errors.js';
import { objectAt, stringMapAt } from './json.js';
import type { KubernetesApiClient } from './kubernetes-api.js';
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

/** GET /api/v1/namespaces/{name} (RBAC: get namespaces). */
export class KubernetesNamespaceSource implements NamespaceSource {
  constructor(private readonly api: KubernetesApiClient) {}

  async get(name: string): Promise<NamespaceMetadata> {
    let body;
    try {
      body = await this.api.getJson(`/api/v1/namespaces/${encodeURIComponent(name)}`);
    } catch (err) {
      if (err instanceof KubernetesApiError && err.status === 404) throw new NamespaceNotFoundError(`namespace "${name}" not found`);
      throw new NamespaceLookupError(`namespace "${name}": ${(err as Error).message}`, { cause: err });
    }
    const metadata = objectAt(body, 'metadata');
    if (!metadata) throw new NamespaceLookupError(`namespace "${name}": response has no metadata`);
    return { name, labels: stringMapAt(metadata, 'labels'), annotations: stringMapAt(metadata, 'annotations') };
  }
}
