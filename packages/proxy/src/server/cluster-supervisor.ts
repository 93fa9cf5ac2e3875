/**
 * `--workers N`: the primary forks N workers that share the inbound listener (node:cluster
 * round-robins connections), restarts any that crash, and serves the admin port itself:
 * `/readyz` is ready only when every worker has a valid policy, `/metrics` sums them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { CommandIO } from '../cli/command-io.js';
import type { ProxyCommandConfig } from '../cli/proxy-command.js';
import { AuditLog } from '../observability/audit-log.js';
import { ProxyMetrics } from '../observability/proxy-metrics.js';
import type { PolicyLoadEvent } from '../policy/policy-store.js';
import { createAdminServer } from './admin-server.js';
import { formatAddress, listen } from './listen-address.js';
import { describePolicy, type RunningProxy } from './proxy-runtime.js';

const STATE_MESSAGE = 'leakguard:worker-state';
const RESTART_DELAY_MS = 1000;

interface WorkerState {
  type: typeof STATE_MESSAGE;
  ready: boolean;
  policy: Record<string, unknown> | undefined;
}

function isWorkerState(message: unknown): message is WorkerState {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === STATE_MESSAGE;
}

/** The worker side: metrics answered to the primary, readiness reported on every change. */
export interface WorkerReporter {
  readonly metrics: ProxyMetrics;
  policyLoaded(event: PolicyLoadEvent): void;
  started(proxy: RunningProxy): void;
  draining(): void;
}

export function workerReporter(): WorkerReporter {
  const metrics = new ProxyMetrics();
  // Constructing one installs prom-client's worker-side listener; our registry is what it reports.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  let proxy: RunningProxy | undefined;
  let draining = false;
  const send = (): void => {
    const policy = proxy?.store.current ? describePolicy(proxy.store.current) : undefined;
    const state: WorkerState = { type: STATE_MESSAGE, ready: !draining && (proxy?.ready ?? false), policy };
    if (process.connected) process.send?.(state);
  };
  return {
    metrics,
    policyLoaded: () => send(),
    started: (running) => {
      proxy = running;
      send();
    },
    draining: () => {
      draining = true;
      send();
    },
  };
}

/** The primary: resolves with the exit code once every worker has stopped. */
export async function runClusterPrimary(config: ProxyCommandConfig, io: CommandIO): Promise<number> {
  const audit = new AuditLog({ level: config.logLevel, pod: config.pod, namespace: config.namespace });
  const aggregator = new AggregatorRegistry();
  const states = new Map<number, WorkerState>();
  let draining = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (isWorkerState(message)) states.set(worker.id, message);
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    states.delete(worker.id);
    if (draining) return;
    audit.error('LG_ERR_WORKER_EXIT', `worker ${worker.id} exited (${signal ?? `code ${code}`}); restarting`, { worker: worker.id });
    setTimeout(() => {
      if (!draining) fork();
    }, RESTART_DELAY_MS).unref();
  });

  let admin: Server | undefined;
  if (config.proxy.adminListen) {
    admin = createAdminServer({
      readiness: () => {
        if (draining) return { ready: false, reason: 'draining' };
        const ready = [...states.values()].filter((state) => state.ready).length;
        return ready === config.workers ? { ready: true } : { ready: false, reason: `${ready} of ${config.workers} workers ready` };
      },
      policy: () => [...states.values()].find((state) => state.policy)?.policy,
      metrics: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    });
    try {
      const address = await listen(admin, config.proxy.adminListen);
      audit.lifecycle('leakguard proxy primary: admin listening', { admin: formatAddress(address), workers: config.workers });
    } catch (error) {
      io.stderr.write(`leakguard proxy: could not start the admin listener: ${(error as Error).message}\n`);
      return 1;
    }
  }
  for (let i = 0; i < config.workers; i++) fork();

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      if (draining) return;
      draining = true;
      audit.lifecycle(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      const exited = workers.map((worker) => new Promise<void>((done) => (worker.isDead() ? done() : worker.once('exit', () => done()))));
      for (const worker of workers) worker.process.kill('SIGTERM');
      const deadline = setTimeout(() => {
        for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
      }, config.drainTimeoutMs + 5000);
      void Promise.all(exited).then(async () => {
        clearTimeout(deadline);
        admin?.closeAllConnections();
        await new Promise<void>((done) => (admin ? admin.close(() => done()) : done()));
        audit.lifecycle('stopped');
        await audit.flush();
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.on('SIGHUP', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    });
  });
}
