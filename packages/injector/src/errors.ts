// One class per kind of error, each with a stable code (design.md §2). Messages name the
// Kubernetes object and field at fault; they never carry pod contents beyond that.

export abstract class InjectorError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command line that cannot be run (unknown option, missing value). Exit code 2. */
export class UsageError extends InjectorError {
  readonly code = 'LG_ERR_USAGE';
}

/** An injector setting (flag, env var) with a value that cannot be used. */
export class InjectorConfigError extends InjectorError {
  readonly code = 'LG_ERR_INJECTOR_CONFIG';
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
  }
}

/** A Kubernetes resource quantity ("100m", "128Mi") that does not parse. */
export class QuantityError extends InjectorError {
  readonly code = 'LG_ERR_QUANTITY';
}

/** A manifest stream that is not YAML/JSON Kubernetes objects. */
export class ManifestParseError extends InjectorError {
  readonly code = 'LG_ERR_MANIFEST_PARSE';
}

/** An AdmissionReview request the webhook cannot answer (HTTP 4xx). */
export class AdmissionRequestError extends InjectorError {
  readonly code: 'LG_ERR_BAD_REQUEST' | 'LG_ERR_UNSUPPORTED_MEDIA_TYPE' | 'LG_ERR_PAYLOAD_TOO_LARGE' | 'LG_ERR_METHOD_NOT_ALLOWED' | 'LG_ERR_NOT_FOUND';
  constructor(
    code: AdmissionRequestError['code'],
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}

/** A request to the Kubernetes API server failed (`status` 0: no HTTP answer). */
export class KubernetesApiError extends InjectorError {
  readonly code = 'LG_ERR_KUBE_API';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** The namespace's labels/annotations could not be read (API server down, RBAC, timeout). */
export class NamespaceLookupError extends InjectorError {
  readonly code = 'LG_ERR_NAMESPACE_LOOKUP';
}

/** The namespace of a request does not exist. */
export class NamespaceNotFoundError extends InjectorError {
  readonly code = 'LG_ERR_NAMESPACE_NOT_FOUND';
}

/** TLS certificate/key files missing or not a matching pair. */
export class TlsMaterialError extends InjectorError {
  readonly code = 'LG_ERR_TLS_MATERIAL';
}

/** The computed JSONPatch does not reproduce the mutated pod: a bug, never sent. */
export class PatchMismatchError extends InjectorError {
  readonly code = 'LG_ERR_PATCH_MISMATCH';
}
