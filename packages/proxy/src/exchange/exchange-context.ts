/** What every exchange of one listener shares: built once at startup. */
import type { Agent } from 'node:http';
import type HttpProxy from 'http-proxy';
import type { AuditLog } from '../observability/audit-log.js';
import type { ProxyMetrics } from '../observability/proxy-metrics.js';
import type { PolicySnapshot } from '../policy/policy-snapshot.js';
import type { Listener } from '../policy/route-rules.js';
import type { ExchangeBatch } from './exchange-batch.js';

/** The app behind the proxy. */
export interface UpstreamTarget {
  host: string;
  port: number;
  /** `host:port`, for messages. */
  label: string;
}

/**
 * An exchange as the in-flight list sees it. The list is intrusive (the links live on the
 * exchange) rather than a `Set`: see `DrainController` for why.
 */
export interface TrackedExchange {
  abort(): void;
  /** Bytes the exchange holds in memory (held body output, raw copies). */
  readonly heldBytes: number;
  /** Owned by the tracker. */
  inFlightPrev: TrackedExchange | null;
  /** Owned by the tracker. */
  inFlightNext: TrackedExchange | null;
}

/** Exchanges in flight, for draining on SIGTERM. */
export interface ExchangeTracker {
  readonly draining: boolean;
  add(exchange: TrackedExchange): void;
  delete(exchange: TrackedExchange): void;
}

export interface ExchangeContext {
  readonly listener: Listener;
  readonly policy: { readonly current: PolicySnapshot | undefined };
  readonly proxy: HttpProxy;
  readonly agent: Agent;
  readonly upstream: UpstreamTarget;
  /** Time the app has to accept the connection, and then to answer once the request is sent (ms, 0 = none). */
  readonly upstreamTimeoutMs: number;
  readonly metrics: ProxyMetrics;
  readonly audit: AuditLog;
  readonly tracker: ExchangeTracker;
  /** Where exchanges run their inspect-then-forward steps, together per event-loop turn. */
  readonly batch: ExchangeBatch;
}
