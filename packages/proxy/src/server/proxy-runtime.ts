/**
 * A running proxy: policy store (with hot reload), the inbound listener in front of the app,
 * the admin listener, metrics, audit log, and graceful drain. `leakguard proxy`, the demo and
 * the tests all start it through `startProxy`.
 */
import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import HttpProxy from 'http-proxy';
import { routeProxyEvents } from '../exchange/exchange.js';
import { ExchangeBatch } from '../exchange/exchange-batch.js';
import type { ExchangeContext, UpstreamTarget } from '../exchange/exchange-context.js';
import { AuditLog } from '../observability/audit-log.js';
import { ProxyMetrics } from '../observability/proxy-metrics.js';
import { compilePolicy } from '../policy/policy-loader.js';
import type { PolicySnapshot } from '../policy/policy-snapshot.js';
import { PolicyStore, type PolicyLoadEvent } from '../policy/policy-store.js';
import { createAdminServer } from './admin-server.js';
import { DrainController } from './drain-controller.js';
import { createInboundServer, type InboundServerLimits } from './inbound-server.js';
import { formatAddress, listen, type ListenAddress } from './listen-address.js';

export interface ProxyOptions extends InboundServerLimits {
  /** The app; without one no inbound listener is started (a pod that declares no port). */
  upstream: UpstreamTarget | undefined;
  policyPath: string;
  listen: ListenAddress;
  /** `null`: no admin listener (cluster workers; the primary serves it). */
  adminListen: ListenAddress | null;
  /** Upstream connect + answer timeout, ms (0: none). */
  upstreamTimeoutMs: number;
  /** Most concurrent connections to the app. */
  upstreamMaxSockets: number;
  /** How long an idle keep-alive connection to the app is kept, ms (below the app's own idle timeout). */
  upstreamKeepAliveMs: number;
  /** Fallback poll of the policy file, ms (0: watch only). */
  policyPollMs: number;
  fingerprintKey?: string | Buffer;
  audit?: AuditLog;
  metrics?: ProxyMetrics;
  /** Called after every policy load attempt (cluster workers report readiness with it). */
  onPolicyLoad?: (event: PolicyLoadEvent) => void;
}

export interface RunningProxy {
  readonly inboundAddress: AddressInfo | undefined;
  readonly adminAddress: AddressInfo | undefined;
  readonly store: PolicyStore;
  readonly metrics: ProxyMetrics;
  readonly audit: AuditLog;
  readonly inbound: Server | undefined;
  /** Ready: a valid policy is loaded and the proxy is not draining. */
  readonly ready: boolean;
  readonly inFlight: number;
  /** Body bytes held in memory by the exchanges in flight. */
  readonly heldBytes: number;
  /** Stops accepting, waits for exchanges in flight up to `graceMs`, then closes everything. Resolves with the number of exchanges cut. */
  drain(graceMs: number): Promise<number>;
  /** Immediate close (tests): same as a drain with no grace. */
  close(): Promise<void>;
}

/** Readable description of a snapshot for `/policy` and lifecycle lines. */
export function describePolicy(snapshot: PolicySnapshot): Record<string, unknown> {
  return {
    name: snapshot.name,
    revision: snapshot.revision,
    mode: snapshot.mode,
    failMode: snapshot.failMode,
    source: snapshot.source,
    loadedAt: snapshot.loadedAt.toISOString(),
    detectors: snapshot.engine.detectorIds,
    rules: snapshot.routes.size,
  };
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const metrics = options.metrics ?? new ProxyMetrics();
  const audit = options.audit ?? new AuditLog();
  const tracker = new DrainController();
  metrics.inFlightSource = () => tracker.size;
  const updateReady = (): void => metrics.ready.set(store.ready && !tracker.draining ? 1 : 0);
  const store: PolicyStore = new PolicyStore({
    path: options.policyPath,
    compile: (text, source) => compilePolicy(text, source, { fingerprintKey: options.fingerprintKey }),
    pollIntervalMs: options.policyPollMs,
    onLoad: (event) => {
      audit.policy(event);
      metrics.policyReloads.labels(event.result).inc();
      if (event.snapshot) metrics.setPolicy(event.snapshot.name, event.snapshot.revision, event.snapshot.mode);
      updateReady();
      options.onPolicyLoad?.(event);
    },
  });
  await store.start();

  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.upstreamMaxSockets,
    maxFreeSockets: Math.min(options.upstreamMaxSockets, 256),
    // Idle sockets are dropped before the app's own keep-alive timeout can race a reuse.
    timeout: options.upstreamKeepAliveMs,
    scheduling: 'lifo',
  });
  let inbound: Server | undefined;
  if (options.upstream) {
    const { host, port } = options.upstream;
    const proxy = HttpProxy.createProxyServer({
      target: { protocol: 'http:', host, hostname: host, port },
      agent,
      selfHandleResponse: true,
      xfwd: false,
    });
    routeProxyEvents(proxy);
    const ctx: ExchangeContext = {
      listener: 'inbound',
      policy: store,
      proxy,
      agent,
      upstream: options.upstream,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      metrics,
      audit,
      tracker,
      batch: new ExchangeBatch(() => tracker.size),
    };
    inbound = createInboundServer(ctx, options);
  }

  let admin: Server | undefined;
  let inboundAddress: AddressInfo | undefined;
  let adminAddress: AddressInfo | undefined;
  try {
    if (inbound) inboundAddress = await listen(inbound, options.listen);
    if (options.adminListen) {
      admin = createAdminServer({
        readiness: () =>
          tracker.draining
            ? { ready: false, reason: 'draining' }
            : store.ready
              ? { ready: true }
              : { ready: false, reason: 'no valid policy loaded' },
        policy: () => (store.current ? describePolicy(store.current) : undefined),
        metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      });
      adminAddress = await listen(admin, options.adminListen);
    }
  } catch (error) {
    store.close();
    inbound?.close();
    admin?.close();
    agent.destroy();
    throw error;
  }
  updateReady();
  audit.lifecycle('leakguard proxy listening', {
    inbound: inboundAddress ? formatAddress(inboundAddress) : null,
    admin: adminAddress ? formatAddress(adminAddress) : null,
    upstream: options.upstream?.label ?? null,
    ready: store.ready,
  });

  let drained: Promise<number> | undefined;
  const drain = (graceMs: number): Promise<number> => {
    drained ??= (async () => {
      const wasDraining = tracker.draining;
      const draining = tracker.drain(inbound ? [inbound] : [], graceMs);
      if (!wasDraining) {
        updateReady();
        audit.lifecycle('draining', { inFlight: tracker.size, graceMs });
      }
      const cut = await draining;
      store.close();
      agent.destroy();
      if (admin) {
        admin.closeAllConnections();
        await new Promise<void>((resolve) => admin?.close(() => resolve()));
      }
      audit.lifecycle('stopped', { cut });
      await audit.flush();
      return cut;
    })();
    return drained;
  };

  return {
    inboundAddress,
    adminAddress,
    store,
    metrics,
    audit,
    inbound,
    get ready() {
      return store.ready && !tracker.draining;
    },
    get inFlight() {
      return tracker.size;
    },
    get heldBytes() {
      return tracker.heldBytes;
    },
    drain,
    close: async () => {
      await drain(0);
    },
  };
}
