/**
 * `leakguard proxy`: the sidecar. Runs one process, or with `--workers N` a node:cluster of N
 * workers sharing the listeners, the primary serving the admin port (readiness of every
 * worker, metrics aggregated across them).
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Level } from 'pino';
import { parseByteSize } from '../config/byte-size.js';
import { parseDuration } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { AuditLog } from '../observability/audit-log.js';
import { runClusterPrimary, workerReporter } from '../server/cluster-supervisor.js';
import { formatAddress, parseListenAddress, type ListenAddress } from '../server/listen-address.js';
import { startProxy, type ProxyOptions } from '../server/proxy-runtime.js';
import type { CommandIO } from './command-io.js';
import { convertOption, parseOptions, renderOptions, type OptionSpec } from './option-parser.js';

export const PROXY_OPTIONS: readonly OptionSpec[] = [
  { name: 'upstream', env: 'LEAKGUARD_UPSTREAM', value: 'HOST:PORT', description: 'The app to protect (127.0.0.1:8080, or just 8080). Without it no inbound listener is started.' },
  { name: 'policy', env: 'LEAKGUARD_POLICY', value: 'FILE', default: '/etc/leakguard/policy/policy.yaml', description: 'DlpPolicy file (YAML or JSON); its directory is watched for hot reload.' },
  { name: 'listen', env: 'LEAKGUARD_LISTEN', value: '[HOST:]PORT', default: '15100', description: 'Inbound listener (reverse proxy in front of the app).' },
  { name: 'egress-listen', env: 'LEAKGUARD_EGRESS_LISTEN', value: '[HOST:]PORT', default: '15101', description: 'Reserved for the egress forward proxy (not built yet: nothing listens there).' },
  { name: 'admin-listen', env: 'LEAKGUARD_ADMIN_LISTEN', value: '[HOST:]PORT', default: '15102', description: 'Admin listener: /healthz, /readyz, /metrics, /policy.' },
  { name: 'workers', env: 'LEAKGUARD_WORKERS', value: 'N', default: '1', description: 'Worker processes sharing the listeners (node:cluster), for pods given more than one CPU.' },
  { name: 'upstream-timeout', env: 'LEAKGUARD_UPSTREAM_TIMEOUT', value: 'DURATION', default: '60s', description: 'Time for the app to accept the connection, then to start answering once the request is sent (504 after).' },
  { name: 'upstream-max-sockets', env: 'LEAKGUARD_UPSTREAM_MAX_SOCKETS', value: 'N', default: '256', description: 'Most concurrent connections to the app (keep-alive pool).' },
  { name: 'upstream-keepalive', env: 'LEAKGUARD_UPSTREAM_KEEPALIVE', value: 'DURATION', default: '4s', description: "Idle time after which a pooled app connection is closed (keep it below the app's own keep-alive timeout)." },
  { name: 'headers-timeout', env: 'LEAKGUARD_HEADERS_TIMEOUT', value: 'DURATION', default: '15s', description: 'Time for a client to send its request headers (408 after).' },
  { name: 'request-timeout', env: 'LEAKGUARD_REQUEST_TIMEOUT', value: 'DURATION', default: '5m', description: 'Time for a client to send its whole request (408 after; 0: none).' },
  { name: 'idle-timeout', env: 'LEAKGUARD_IDLE_TIMEOUT', value: 'DURATION', default: '65s', description: 'Idle time of a client keep-alive connection between requests.' },
  { name: 'max-header-size', env: 'LEAKGUARD_MAX_HEADER_SIZE', value: 'SIZE', default: '16Ki', description: 'Largest request line + headers (431 beyond).' },
  { name: 'drain-timeout', env: 'LEAKGUARD_DRAIN_TIMEOUT', value: 'DURATION', default: '25s', description: 'On SIGTERM, how long exchanges in flight may take to finish before they are cut.' },
  { name: 'policy-poll', env: 'LEAKGUARD_POLICY_POLL', value: 'DURATION', default: '5s', description: 'Fallback re-read of the policy file, for volumes where directory watches miss events (0: off).' },
  { name: 'fingerprint-key-file', env: 'LEAKGUARD_FINGERPRINT_KEY_FILE', value: 'FILE', description: 'File holding the HMAC key for fingerprints (LEAKGUARD_FINGERPRINT_KEY, when set, wins; with neither, a random per-process key).' },
  { name: 'log-level', env: 'LEAKGUARD_LOG_LEVEL', value: 'LEVEL', default: 'info', description: 'Audit/log level: error, warn, info or debug.' },
];

export const PROXY_USAGE = `Usage: leakguard proxy --upstream HOST:PORT [--policy FILE] [options]

Runs the Leakguard sidecar: a reverse proxy in front of the app that inspects every request and
response (URL, headers, bodies) and logs, redacts or blocks sensitive data as the policy says.
Audit events are JSON lines on stdout. SIGTERM drains; SIGHUP re-reads the policy.

Options (each also read from its LEAKGUARD_* variable):
${renderOptions(PROXY_OPTIONS)}

Also read from the environment: LEAKGUARD_FINGERPRINT_KEY (the key itself),
LEAKGUARD_POD_NAME and LEAKGUARD_POD_NAMESPACE (added to every audit event).
`;

/** Everything `leakguard proxy` needs, parsed and checked. */
export interface ProxyCommandConfig {
  proxy: Omit<ProxyOptions, 'audit' | 'metrics' | 'onPolicyLoad'>;
  upstream: ListenAddress | undefined;
  workers: number;
  drainTimeoutMs: number;
  logLevel: Level;
  /** Where the fingerprint key came from (`env`, `file`, or `random`). */
  keySource: 'env' | 'file' | 'random';
  pod: string | undefined;
  namespace: string | undefined;
}

const positiveInteger = (text: string): number | undefined => (/^[0-9]+$/.test(text) && Number(text) > 0 ? Number(text) : undefined);

/** Reads the fingerprint key: the variable wins over the file; a trailing newline of the file is not key material. */
export function resolveFingerprintKey(keyFile: string | undefined, env: NodeJS.ProcessEnv): { key: Buffer | undefined; source: 'env' | 'file' | 'random' } {
  const fromEnv = env.LEAKGUARD_FINGERPRINT_KEY;
  if (fromEnv) return { key: Buffer.from(fromEnv, 'utf8'), source: 'env' };
  if (!keyFile) return { key: undefined, source: 'random' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(keyFile);
  } catch (error) {
    throw new UsageError(`fingerprint key file ${keyFile} could not be read (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  if (end === 0) throw new UsageError(`fingerprint key file ${keyFile} is empty`);
  return { key: bytes.subarray(0, end), source: 'file' };
}

export function parseProxyCommand(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyCommandConfig | 'help' {
  const parsed = parseOptions(PROXY_OPTIONS, argv, env);
  if (parsed.help) return 'help';
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (see --help)`);
  const duration = (name: string): number => convertOption(parsed, name, parseDuration, 'a duration like 500ms, 30s, 5m') as number;
  const address = (name: string): ListenAddress | undefined => {
    const text = parsed.values.get(name);
    return text === undefined ? undefined : parseListenAddress(text, parsed.origin.get(name) ?? `--${name}`);
  };
  const upstream = address('upstream');
  if (upstream && upstream.host === undefined) upstream.host = '127.0.0.1';
  const headersTimeoutMs = duration('headers-timeout');
  const requestTimeoutMs = duration('request-timeout');
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) throw new UsageError('--headers-timeout must not exceed --request-timeout');
  const logLevel = parsed.values.get('log-level') as string;
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) throw new UsageError(`${parsed.origin.get('log-level')}: "${logLevel}" is not one of error, warn, info, debug`);
  const { key, source } = resolveFingerprintKey(parsed.values.get('fingerprint-key-file'), env);
  return {
    proxy: {
      upstream: upstream ? { host: upstream.host as string, port: upstream.port, label: formatAddress(upstream) } : undefined,
      policyPath: parsed.values.get('policy') as string,
      listen: address('listen') as ListenAddress,
      adminListen: address('admin-listen') as ListenAddress,
      upstreamTimeoutMs: duration('upstream-timeout'),
      upstreamMaxSockets: convertOption(parsed, 'upstream-max-sockets', positiveInteger, 'a positive integer') as number,
      upstreamKeepAliveMs: duration('upstream-keepalive'),
      policyPollMs: duration('policy-poll'),
      headersTimeoutMs,
      requestTimeoutMs,
      idleTimeoutMs: duration('idle-timeout'),
      maxHeaderBytes: convertOption(parsed, 'max-header-size', parseByteSize, 'a size like 16Ki or 32768') as number,
      fingerprintKey: key,
    },
    upstream,
    workers: convertOption(parsed, 'workers', positiveInteger, 'a positive integer') as number,
    drainTimeoutMs: duration('drain-timeout'),
    logLevel: logLevel as Level,
    keySource: source,
    pod: env.LEAKGUARD_POD_NAME || undefined,
    namespace: env.LEAKGUARD_POD_NAMESPACE || undefined,
  };
}

/** Resolves when the process should exit, with the exit code. */
export async function runProxyCommand(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: ProxyCommandConfig | 'help';
  try {
    config = parseProxyCommand(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`leakguard proxy: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (config === 'help') {
    io.stdout.write(PROXY_USAGE);
    return 0;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    if (config.keySource === 'random') {
      // One random key for every worker, so their fingerprints agree with each other.
      env.LEAKGUARD_FINGERPRINT_KEY = randomBytes(32).toString('hex');
    }
    return runClusterPrimary(config, io);
  }
  return runSingleProcess(config, io);
}

async function runSingleProcess(config: ProxyCommandConfig, io: CommandIO): Promise<number> {
  const audit = new AuditLog({ level: config.logLevel, pod: config.pod, namespace: config.namespace });
  const reporter = cluster.isWorker ? workerReporter() : undefined;
  if (config.keySource === 'random' && !cluster.isWorker) {
    audit.lifecycle('no fingerprint key (LEAKGUARD_FINGERPRINT_KEY[_FILE]): fingerprints are random per process and cannot be correlated');
  }
  let proxy;
  try {
    proxy = await startProxy({
      ...config.proxy,
      adminListen: cluster.isWorker ? null : config.proxy.adminListen,
      audit,
      metrics: reporter?.metrics,
      onPolicyLoad: reporter ? (event) => reporter.policyLoaded(event) : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    audit.error(code ?? 'LG_ERR_STARTUP', `could not start: ${(error as Error).message}`);
    await audit.flush();
    io.stderr.write(`leakguard proxy: could not start: ${(error as Error).message}\n`);
    return 1;
  }
  reporter?.started(proxy);
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.off('SIGHUP', reload);
      audit.lifecycle(`${signal}: stopping`, { inFlight: proxy.inFlight });
      reporter?.draining();
      void proxy.drain(config.drainTimeoutMs).then(() => resolve(0));
    };
    const reload = (): void => void proxy.store.reload('signal');
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', reload);
  });
}
