/**
 * Public types of the Leakguard detection engine. These shapes are the contract with
 * `@leakguard/proxy` and with users of `leakguard scan`; see shared design.md §3.
 */

/** How sure the engine is that a match is a real identifier: validation and context keywords decide. */
export type Confidence = 'low' | 'medium' | 'high';

/** What the policy does with a finding. The strongest action of an exchange wins (block > redact > log). */
export type Action = 'log' | 'redact' | 'block';

/** Ids of the detectors that ship with the engine. */
export type BuiltinDetectorId = 'us_ssn' | 'payment_card' | 'us_mbi' | 'us_hicn' | 'us_npi' | 'uk_nhs';

/** Validators a custom detector may name. */
export type ValidatorName = 'luhn' | 'mod11' | 'none';

/**
 * One detected identifier. No field ever holds the raw value: `fingerprint` is a keyed hash,
 * `masked` keeps only what the redaction settings allow to be seen.
 */
export interface Finding {
  /** `us_ssn`, `payment_card`, …, or the id of a custom detector. */
  detector: string;
  /** Byte offset of the first byte of the value in the content-decoded body (after gzip/br/deflate, before any text unescaping). */
  start: number;
  /** Byte offset one past the last byte of the value, same coordinates as `start`. */
  end: number;
  confidence: Confidence;
  /** First 16 hex digits of HMAC-SHA256(key, canonical value). */
  fingerprint: string;
  /** The value with all but the kept characters masked, e.g. `***-**-6789`. Present only when masking is enabled. */
  masked?: string;
  /** Where in the document the value was found (JSON pointer, XML path, form field), where known. */
  location?: string;
}

/** A finding together with the action the stream's settings resolved for it. */
export interface ActionedFinding extends Finding {
  action: Action;
}

/** How a redacted value is overwritten. */
export interface RedactionSettings {
  /** Trailing letters/digits left visible (0 = mask everything). Default 0. */
  keepLast?: number;
}

/** Settings of one detector, built-in or custom, as they appear under `spec.detectors` in a policy. */
export interface DetectorSettings {
  /** `false` turns the detector off. Default `true`. */
  enabled?: boolean;
  /** Default `log`. */
  action?: Action;
  /** Findings below this confidence are dropped. Default `medium`. */
  minConfidence?: Confidence;
  redaction?: RedactionSettings;
  /** Custom detectors only: an RE2 pattern. */
  pattern?: string;
  /** Custom detectors only (required with `pattern`): the longest match, in bytes. Bounds the hold-back window. */
  maxLength?: number;
  /** Context words (case-insensitive) that raise confidence when found near a match. Replaces a built-in's defaults when given. */
  keywords?: string[];
  /** Custom detectors only: a check on the letters/digits of a match. Default `none`. */
  validator?: ValidatorName;
  /** Custom detectors only: confidence of a match with no keyword nearby. Default `medium`. */
  baseConfidence?: Confidence;
}

/** Limits that stop decompression bombs. */
export interface DecodingLimits {
  /** Most bytes one body may decompress to. Default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Largest decompressed/compressed ratio tolerated once more than 1 MiB came out. Default 200. */
  maxCompressionRatio?: number;
}

/** Everything `createEngine` needs. Compiled once (at startup or policy reload), never on the hot path. */
export interface EngineConfig {
  /**
   * Detector settings by id. Built-ins that are not listed run with their defaults;
   * `{ enabled: false }` turns one off. Any other id declares a custom detector.
   */
  detectors?: Record<string, DetectorSettings>;
  /** HMAC key for fingerprints. Default: `LEAKGUARD_FINGERPRINT_KEY`, else a random per-process key. */
  fingerprintKey?: string | Buffer;
  /** Include `masked` in findings. Default `true`. */
  includeMasked?: boolean;
  /** Bytes of context inspected before a match for keywords. Default 64. */
  contextBefore?: number;
  /** Bytes of context inspected after a match for keywords. Default 32. */
  contextAfter?: number;
  decoding?: DecodingLimits;
}

/** Per-call or per-stream settings; overrides are how per-route policy rules reach the engine. */
export interface ScanOptions {
  /** The `Content-Type` of the body, charset included (`application/json; charset=utf-16`). */
  contentType?: string;
  /** The `Content-Encoding` of the body (`gzip`, `deflate`, `br`, `identity`, or a comma-separated list). */
  contentEncoding?: string;
  /** Per-detector overrides (action, minConfidence, redaction, enabled) on top of the engine's config. */
  overrides?: Record<string, Partial<Pick<DetectorSettings, 'enabled' | 'action' | 'minConfidence' | 'redaction'>>>;
  /** Report and decide, but change no byte (policy `mode: monitor`). Default `false`. */
  monitor?: boolean;
}

/** Options of `engine.createStream`. */
export interface ScanStreamOptions extends ScanOptions {
  /**
   * For compressed bodies: `true` re-compresses the (redacted) output in the same encoding;
   * `false` (default) emits the decompressed body, and `stream.outputEncoding` says `identity`
   * so the caller drops `Content-Encoding` and `Content-Length`.
   */
  recompress?: boolean;
  /** Most bytes held back at once (the window). Defaults to what the detectors need; never less. */
  highWaterMark?: number;
}

/** What `engine.process` returns. */
export interface ProcessResult {
  findings: ActionedFinding[];
  /** The body after redaction (same bytes when nothing was redacted or in monitor mode). */
  output: Buffer;
  /** The strongest action among the findings, or `null` when there were none. */
  action: Action | null;
}

/**
 * The raw→view mapping used by the streaming scanner. The view is what detectors match on
 * (text escapes decoded, full-width folded, zero-width removed); offsets map back to the raw
 * (content-decoded) bytes so that redaction rewrites what was actually sent.
 * All offsets are absolute from the start of the body.
 */
export interface ViewMapper {
  /** Appends raw bytes; returns the view bytes they completed (a partial escape is held until more input). */
  push(raw: Buffer): Buffer;
  /** End of input: returns the view bytes of whatever was held. */
  flush(): Buffer;
  /** Raw offset where the character behind view byte `v` begins. */
  rawStart(v: number): number;
  /** Raw offset one past the end of the character behind view byte `v`. */
  rawEnd(v: number): number;
  /** Raw bytes fully consumed into the view so far (escapes still pending are not counted). */
  readonly rawConsumed: number;
  /** Forget mapping data for view bytes below `v` (keeps memory bounded by the window). */
  discard(v: number): void;
  /** Overwrites, in `raw` at `offset`, the `length` bytes that encode one view character with a mask character in the same encoding and the same number of bytes. */
  maskRaw(raw: Buffer, offset: number, length: number): void;
}

/**
 * A compiled set of detectors. Create one per policy revision with `createEngine` (compilation
 * happens there, once); use it for any number of concurrent scans and streams.
 */
export interface Engine {
  /** Ids of the enabled detectors, built-in and custom. */
  readonly detectorIds: readonly string[];
  /** Bytes a stream holds back so that no match, nor its context, can straddle what was already emitted. */
  readonly holdBackBytes: number;
  /** Finds identifiers in a whole body. Findings are sorted by `start`. */
  scan(body: Uint8Array | string, options?: ScanOptions): ActionedFinding[];
  /** Finds identifiers and applies `redact` actions; returns the findings, the output body and the strongest action. */
  process(body: Uint8Array | string, options?: ScanOptions): ProcessResult;
  /**
   * A `ScanStream` (a Node `Transform`): bytes in, the same bytes out, redacted in place where the
   * action is `redact`. Emits `finding` events; a `block` action destroys the stream with a
   * `ScanBlockedError` before any byte of the blocked value is emitted.
   */
  createStream(options?: ScanStreamOptions): import('./scan-stream.js').ScanStream;
}
