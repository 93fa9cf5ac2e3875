// GETs on the API server from inside the cluster: the service-account token (re-read per
// request, bound tokens rotate), the cluster CA (read once), keep-alive connections.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { KubernetesApiError } from './errors.js';
import type { JsonObject } from './json.js';
import { isJsonObject } from './json.js';

export interface KubernetesApiOptions {
  /** e.g. https://10.96.0.1:443 */
  apiServer: string;
  tokenFile: string;
  caFile: string;
  timeoutMs?: number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster settings, from the environment every pod gets. */
export function inClusterOptions(env: NodeJS.ProcessEnv): KubernetesApiOptions {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new KubernetesApiError('KUBERNETES_SERVICE_HOST is not set: not running in a cluster (pass --kube-api-server)', 0);
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return { apiServer: `https://${bracketed}:${port}`, tokenFile: `${SERVICE_ACCOUNT_DIR}/token`, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt` };
}

export class KubernetesApiClient {
  private readonly agent: https.Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(private readonly options: KubernetesApiOptions) {
    this.base = new URL(options.apiServer);
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: readFileSync(options.caFile) });
  }

  /** GET `path`; rejects with KubernetesApiError (`status` 0 when no HTTP answer came). */
  getJson(path: string): Promise<JsonObject> {
    let token: string;
    try {
      token = readFileSync(this.options.tokenFile, 'utf8').trim();
    } catch (err) {
      return Promise.reject(new KubernetesApiError(`cannot read the service-account token: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 0));
    }
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const fail = (message: string, status = 0) => reject(new KubernetesApiError(`GET ${path}: ${message}`, status));
      const req = https.request(url, { method: 'GET', agent: this.agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 1 << 20) req.destroy(new Error('response larger than 1 MiB'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== 200) return fail(`HTTP ${status}`, status);
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return fail('response is not JSON', status);
          }
          if (!isJsonObject(body)) return fail('response is not an object', status);
          resolve(body);
        });
        res.on('error', (err) => fail(err.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => fail(err.message));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
