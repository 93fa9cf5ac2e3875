// admission.k8s.io/v1 AdmissionReview in, AdmissionReview out. Only Pod CREATE is mutated;
// everything else is allowed untouched. Namespace metadata comes from a NamespaceSource.
import { admitObject } from './admission.js';
import type { ObjectAdmission } from './admission.js';
import type { InjectorConfig } from './config.js';
import { AdmissionRequestError } from './errors.js';
import type { JsonObject } from './json.js';
import { isJsonObject, objectAt, stringAt } from './json.js';
import type { NamespaceSource } from './namespace-source.js';

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON array of RFC 6902 operations */
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  status?: { code: number; reason?: string; message: string };
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export interface AdmissionReviewDeps {
  config: InjectorConfig;
  namespaces: NamespaceSource;
}

/** What happened, for the log line (never the pod's contents). */
export interface AdmissionSummary {
  uid: string;
  namespace?: string;
  pod?: string;
  operation?: string;
  kind?: string;
  verdict: 'inject' | 'skip' | 'deny' | 'ignore';
  mode?: string;
  patchOperations: number;
  warnings: number;
}

function badRequest(message: string): AdmissionRequestError {
  return new AdmissionRequestError('LG_ERR_BAD_REQUEST', 400, message);
}

export async function reviewAdmission(body: unknown, deps: AdmissionReviewDeps): Promise<{ review: AdmissionReviewResponse; summary: AdmissionSummary }> {
  if (!isJsonObject(body)) throw badRequest('body is not a JSON object');
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
    throw badRequest('expected apiVersion admission.k8s.io/v1, kind AdmissionReview');
  }
  const request = objectAt(body, 'request');
  const uid = stringAt(request, 'uid');
  if (!request || !uid) throw badRequest('request.uid is missing');
  const kind = objectAt(request, 'kind');
  const operation = stringAt(request, 'operation');
  const answer = (response: Omit<AdmissionResponse, 'uid'>): AdmissionReviewResponse => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, ...response },
  });
  const isPod = kind?.group === '' && kind?.version === 'v1' && kind?.kind === 'Pod';
  if (!isPod || operation !== 'CREATE' || stringAt(request, 'subResource')) {
    return {
      review: answer({ allowed: true }),
      summary: { uid, operation, kind: stringAt(kind, 'kind'), verdict: 'ignore', patchOperations: 0, warnings: 0 },
    };
  }
  const pod = objectAt(request, 'object');
  if (!pod) throw badRequest('request.object is missing');
  const metadata = objectAt(pod, 'metadata');
  const namespaceName = stringAt(request, 'namespace') || stringAt(metadata, 'namespace');
  if (!namespaceName) throw badRequest('request.namespace is missing');
  const podName = stringAt(metadata, 'name') || `${stringAt(metadata, 'generateName') ?? ''}*`;

  // A lookup failure propagates: the server answers 500 and the API server applies this
  // webhook entry's failurePolicy (Fail for strict namespaces, Ignore for the others).
  const namespace = await deps.namespaces.get(namespaceName);
  // The AdmissionReview's Pod may lack apiVersion/kind; the schema lookup needs them.
  const object: JsonObject = { ...pod, apiVersion: stringAt(pod, 'apiVersion') ?? 'v1', kind: stringAt(pod, 'kind') ?? 'Pod' };
  const admission = admitObject(object, namespace, deps.config);
  const summary: AdmissionSummary = {
    uid,
    namespace: namespaceName,
    pod: podName,
    operation,
    kind: 'Pod',
    verdict: admission.verdict,
    mode: admission.mode,
    patchOperations: admission.patch.length,
    warnings: admission.warnings.length,
  };
  return { review: answer(toResponse(admission)), summary };
}

function toResponse(admission: ObjectAdmission): Omit<AdmissionResponse, 'uid'> {
  const patch = admission.patch;
  const response: Omit<AdmissionResponse, 'uid'> = { allowed: admission.allowed };
  if (!admission.allowed) {
    response.status = { code: 403, reason: 'Forbidden', message: admission.denial ?? 'denied' };
  } else if (patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (admission.warnings.length > 0) response.warnings = admission.warnings;
  response.auditAnnotations = {
    injected: String(admission.verdict === 'inject'),
    verdict: admission.verdict,
    ...(admission.mode ? { mode: admission.mode } : {}),
  };
  return response;
}
