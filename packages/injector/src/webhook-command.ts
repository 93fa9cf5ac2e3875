// `leakguard webhook`: the mutating admission webhook server. Runs until SIGTERM/SIGINT, then
// stops accepting connections, answers what is in flight and resolves with exit code 0.
import type { CommandIO } from './command-io.js';
import { InjectorError, UsageError } from './errors.js';
import type { InjectorConfig } from './config.js';
import { INJECTOR_FLAGS_HELP, injectorConfigFromFlags, parseCommandFlags } from './injector-flags.js';
import { KubernetesApiClient, SERVICE_ACCOUNT_DIR, inClusterOptions } from './kubernetes-api.js';
import type { NamespaceSource } from './namespace-source.js';
import { CachedNamespaceSource, KubernetesNamespaceSource } from './namespace-source.js';
import { readOwnImage } from './own-image.js';
import { createStructuredLog } from './structured-log.js';
import { WebhookServer } from './webhook-server.js';

export const WEBHOOK_HELP = `Usage: leakguard webhook [options]

Serves the mutating admission webhook (POST /inject, GET /healthz, GET /readyz) over HTTPS.

      --host ADDR              listen address (default 0.0.0.0)            LEAKGUARD_WEBHOOK_HOST
      --port N                 listen port (default 9443)                  LEAKGUARD_WEBHOOK_PORT
      --tls-cert-file FILE     serving certificate, reloaded on change     LEAKGUARD_TLS_CERT_FILE
                               (default /etc/leakguard/webhook-tls/tls.crt)
      --tls-key-file FILE      its key (default …/tls.key)                 LEAKGUARD_TLS_KEY_FILE
      --tls-poll-interval S    re-read the TLS files every S seconds as    LEAKGUARD_TLS_POLL_INTERVAL
                               well as on change events (default 30)
      --kube-api-server URL    API server for namespace lookups            LEAKGUARD_KUBE_API_SERVER
                               (default: in-cluster, from KUBERNETES_SERVICE_HOST/PORT)
      --kube-token-file FILE   bearer token (default: the service account's) LEAKGUARD_KUBE_TOKEN_FILE
      --kube-ca-file FILE      API server CA (default: the service account's) LEAKGUARD_KUBE_CA_FILE
      --namespace-cache-ttl S  reuse a namespace's labels for S seconds    LEAKGUARD_NAMESPACE_CACHE_TTL
                               (default 5)
      --own-container NAME     without --image, inject the image of this   LEAKGUARD_OWN_CONTAINER
                               container of the webhook's own pod (default webhook;
                               the pod is LEAKGUARD_POD_NAME in LEAKGUARD_POD_NAMESPACE)
  -h, --help

${INJECTOR_FLAGS_HELP}
  The webhook's own namespace defaults to LEAKGUARD_POD_NAMESPACE (downward API).
  The API server is needed (namespace lookups), so --kube-api-server or in-cluster settings are
  required.`;

export interface WebhookRunOptions {
  env: NodeJS.ProcessEnv;
  /** Aborting stops the server (the CLI wires SIGTERM and SIGINT to it). */
  signal: AbortSignal;
  /** Called once the server listens (tests use it to learn the port). */
  onListening?: (port: number) => void;
}

function seconds(value: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag}: expected a number of seconds, got ${JSON.stringify(value)}`);
  return Number(value) * 1000;
}

export async function runWebhook(argv: string[], io: CommandIO, options: WebhookRunOptions): Promise<number> {
  const { env } = options;
  const log = createStructuredLog(io.stdout, 'webhook');
  let server: WebhookServer;
  let api: KubernetesApiClient | undefined;
  try {
    const v = parseCommandFlags(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-key-file': { type: 'string' },
      'tls-poll-interval': { type: 'string' },
      'kube-api-server': { type: 'string' },
      'kube-token-file': { type: 'string' },
      'kube-ca-file': { type: 'string' },
      'namespace-cache-ttl': { type: 'string' },
      'own-container': { type: 'string' },
    } as const);
    if (v.help) {
      io.stdout.write(`${WEBHOOK_HELP}\n`);
      return 0;
    }
    const portText = v.port ?? env.LEAKGUARD_WEBHOOK_PORT ?? '9443';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port: ${JSON.stringify(portText)} is not a port`);
    const apiServer = v['kube-api-server'] ?? env.LEAKGUARD_KUBE_API_SERVER;
    api = new KubernetesApiClient({
      apiServer: apiServer ?? inClusterOptions(env).apiServer,
      tokenFile: v['kube-token-file'] ?? env.LEAKGUARD_KUBE_TOKEN_FILE ?? `${SERVICE_ACCOUNT_DIR}/token`,
      caFile: v['kube-ca-file'] ?? env.LEAKGUARD_KUBE_CA_FILE ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`,
    });
    const overrides: Partial<InjectorConfig> = env.LEAKGUARD_POD_NAMESPACE ? { ownNamespace: env.LEAKGUARD_POD_NAMESPACE } : {};
    if (!v.image && !env.LEAKGUARD_INJECT_IMAGE && env.LEAKGUARD_POD_NAME && env.LEAKGUARD_POD_NAMESPACE) {
      const container = v['own-container'] ?? env.LEAKGUARD_OWN_CONTAINER ?? 'webhook';
      overrides.image = await readOwnImage(api, env.LEAKGUARD_POD_NAMESPACE, env.LEAKGUARD_POD_NAME, container);
    }
    const config = injectorConfigFromFlags(v, env, overrides);
    log.write('info', 'leakguard.webhook.config', { image: config.image, nativeSidecarDefault: config.nativeSidecarDefault, ownNamespace: config.ownNamespace });
    const namespaces: NamespaceSource = new CachedNamespaceSource(new KubernetesNamespaceSource(api), {
      ttlMs: seconds(v['namespace-cache-ttl'] ?? env.LEAKGUARD_NAMESPACE_CACHE_TTL ?? '5', '--namespace-cache-ttl'),
    });
    server = new WebhookServer({
      host: v.host ?? env.LEAKGUARD_WEBHOOK_HOST ?? '0.0.0.0',
      port: Number(portText),
      certFile: v['tls-cert-file'] ?? env.LEAKGUARD_TLS_CERT_FILE ?? '/etc/leakguard/webhook-tls/tls.crt',
      keyFile: v['tls-key-file'] ?? env.LEAKGUARD_TLS_KEY_FILE ?? '/etc/leakguard/webhook-tls/tls.key',
      tlsPollIntervalMs: seconds(v['tls-poll-interval'] ?? env.LEAKGUARD_TLS_POLL_INTERVAL ?? '30', '--tls-poll-interval'),
      config,
      namespaces,
      log,
    });
    const address = await server.start();
    options.onListening?.(address.port);
  } catch (err) {
    if (err instanceof InjectorError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as NodeJS.ErrnoException).code === 'EACCES') {
      api?.close();
      const code = err instanceof InjectorError ? err.code : (err as NodeJS.ErrnoException).code;
      io.stderr.write(`Error: ${(err as Error).message} (${code})\n`);
      if (err instanceof UsageError) io.stderr.write('Run "leakguard webhook --help" for usage.\n');
      return 2;
    }
    throw err;
  }
  if (!options.signal.aborted) await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  log.write('info', 'leakguard.webhook.stopping');
  await server.close();
  api?.close();
  log.write('info', 'leakguard.webhook.stopped');
  return 0;
}

/** Entry point for the `leakguard webhook` subcommand (argv after "webhook"). */
export function runWebhookCommand(argv: string[], io: CommandIO): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return runWebhook(argv, io, { env: process.env, signal: controller.signal }).finally(() => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  });
}
