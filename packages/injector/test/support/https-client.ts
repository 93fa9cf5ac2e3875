// A small HTTPS client for talking to the webhook on 127.0.0.1 in tests.
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peer?: PeerCertificate;
}

export function httpsRequest(
  port: number,
  ca: Buffer,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: https.Agent },
): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/inject',
        ca,
        headers: options.headers ?? { 'content-type': 'application/json' },
        agent: options.agent ?? false,
        timeout: 10_000,
      },
      (res) => {
        // Read the peer certificate now: once the response ends the socket may be gone.
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), peer }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function admissionReview(uid: string, object: unknown, extra: Record<string, unknown> = {}): string {
  const metadata = (object as { metadata?: { namespace?: string } }).metadata;
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: metadata?.namespace,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object,
      oldObject: null,
      dryRun: false,
      ...extra,
    },
  });
}
