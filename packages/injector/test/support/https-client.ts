// A small HTTPS client for talking to the webhook on 127.0.0.1 in tests.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { AdmissionResponse, AdmissionReviewResponse } from '../../src/index.js';

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

export interface ReviewedPod {
  response: AdmissionResponse;
  /** The pod after the returned JSONPatch, applied as the API server does (the input when no patch). */
  patched: Record<string, unknown>;
}

/** Sends `pod` as a Pod CREATE AdmissionReview and applies the returned patch to a copy. */
export async function reviewPod(port: number, ca: Buffer, pod: Record<string, unknown>, uid: string): Promise<ReviewedPod> {
  const reply = await httpsRequest(port, ca, { body: admissionReview(uid, pod) });
  if (reply.status !== 200) throw new Error(`webhook answered ${reply.status}: ${reply.body}`);
  const { response } = JSON.parse(reply.body) as AdmissionReviewResponse;
  if (!response.patch) return { response, patched: structuredClone(pod) };
  const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
  return { response, patched: jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument };
}
