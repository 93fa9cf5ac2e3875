/**
 * Errors of the proxy: one class per kind, each with a stable `code` and the HTTP status it
 * maps to when a client has to be told. Messages name hosts, fields, limits and detector ids,
 * never a detected value (house rule 4): they end up in error bodies and audit lines.
 */
import { LeakguardError } from '@leakguard/detectors';

/** An error that becomes an HTTP response: `{error: {code, message, detectors?, requestId}}`. */
export abstract class ProxyHttpError extends LeakguardError {
  /** The status sent to the client when its response headers were not sent yet. */
  abstract readonly status: number;
}

/** The app behind the proxy refused the connection or could not be reached at all. */
export class UpstreamUnreachableError extends ProxyHttpError {
  readonly status = 502;
  constructor(upstream: string, reason: string) {
    super('LG_ERR_UPSTREAM_UNREACHABLE', `upstream ${upstream} unreachable (${reason})`);
  }
}

/** The app did not send response headers within the upstream timeout. */
export class UpstreamTimeoutError extends ProxyHttpError {
  readonly status = 504;
  constructor(upstream: string, timeoutMs: number) {
    super('LG_ERR_UPSTREAM_TIMEOUT', `upstream ${upstream} sent no response within ${timeoutMs} ms`);
  }
}

/** The app closed or reset the connection before its response was complete. */
export class UpstreamResetError extends ProxyHttpError {
  readonly status = 502;
  constructor(upstream: string, reason: string) {
    super('LG_ERR_UPSTREAM_RESET', `upstream ${upstream} closed the connection before the response was complete (${reason})`);
  }
}

/** A `block` action stopped the exchange. Names the detectors, never the values. */
export class ExchangeBlockedError extends ProxyHttpError {
  readonly status = 403;
  readonly detectors: string[];
  constructor(direction: 'request' | 'response', detectors: string[]) {
    super('LG_ERR_BLOCKED', `${direction} blocked by policy: sensitive data detected (${detectors.join(', ')})`);
    this.detectors = detectors;
  }
}

/** Inspection itself failed (a decompression limit, a corrupt encoding, an engine fault) and `failMode` is `closed`. */
export class InspectionFailedError extends ProxyHttpError {
  readonly status: number;
  /** The `LG_ERR_*` code of the underlying fault (`LG_ERR_DECOMPRESSION_LIMIT`, `LG_ERR_DECODE`, …). */
  readonly causeCode: string;
  constructor(direction: 'request' | 'response', causeCode: string, detail: string) {
    super('LG_ERR_INSPECTION_FAILED', `${direction} body could not be inspected (${causeCode}: ${detail})`);
    // A request body we cannot inspect is the client's to fix (422); a response body is the app's (502).
    this.status = direction === 'request' ? 422 : 502;
    this.causeCode = causeCode;
  }
}

/** No valid policy is loaded yet: nothing is proxied uninspected. */
export class NotReadyError extends ProxyHttpError {
  readonly status = 503;
  constructor() {
    super('LG_ERR_NOT_READY', 'no valid policy is loaded: traffic is not proxied until one is');
  }
}

/** The request line plus headers exceed the configured limit. */
export class HeadersTooLargeError extends ProxyHttpError {
  readonly status = 431;
  constructor(limitBytes: number) {
    super('LG_ERR_HEADERS_TOO_LARGE', `request headers exceed ${limitBytes} bytes`);
  }
}

/** The client sent something that is not valid HTTP/1.x. */
export class BadRequestError extends ProxyHttpError {
  readonly status = 400;
  constructor(reason: string) {
    super('LG_ERR_BAD_REQUEST', `bad request: ${reason}`);
  }
}

/** The client did not send its headers or body in time. */
export class RequestTimeoutError extends ProxyHttpError {
  readonly status = 408;
  constructor(what: string) {
    super('LG_ERR_REQUEST_TIMEOUT', `client did not send the ${what} in time`);
  }
}

/** Protocol upgrades (WebSocket, h2c) would carry uninspected bytes: refused. */
export class UpgradeNotSupportedError extends ProxyHttpError {
  readonly status = 501;
  constructor() {
    super('LG_ERR_UPGRADE_UNSUPPORTED', 'protocol upgrades (WebSocket, h2c) are not inspected and therefore not proxied');
  }
}

/** One problem found in a policy document, by field path (`spec.detectors.us_ssn.action`). */
export interface PolicyIssue {
  path: string;
  message: string;
}

/** A policy document failed to parse or validate. Every issue names its field path. */
export class PolicyInvalidError extends LeakguardError {
  readonly issues: readonly PolicyIssue[];
  constructor(source: string, issues: readonly PolicyIssue[]) {
    super(
      'LG_ERR_POLICY_INVALID',
      `policy ${source} is invalid: ${issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')}`,
    );
    this.issues = issues;
  }
}

/** The policy file could not be read (missing, unreadable). */
export class PolicyUnreadableError extends LeakguardError {
  constructor(source: string, reason: string) {
    super('LG_ERR_POLICY_UNREADABLE', `policy ${source} could not be read (${reason})`);
  }
}

/** A command-line option or `LEAKGUARD_*` variable has an invalid value. */
export class UsageError extends LeakguardError {
  constructor(message: string) {
    super('LG_ERR_USAGE', message);
  }
}
