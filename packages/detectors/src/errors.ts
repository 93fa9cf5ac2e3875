/**
 * Errors of the engine: one class per kind, each with a stable `code`. Messages name the
 * detector, field or limit involved, never a detected value.
 */
export class LeakguardError extends Error {
  /** Stable, documented error code (`LG_ERR_*`). */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A detector's configuration is invalid (bad pattern, missing `maxLength`, unknown validator…). */
export class DetectorConfigError extends LeakguardError {
  /** The detector id the error is about. */
  readonly detector: string;
  /** The path of the offending field, e.g. `detectors.employee_id.pattern`. */
  readonly field: string;
  constructor(detector: string, field: string, reason: string) {
    super('LG_ERR_DETECTOR_CONFIG', `detector "${detector}": ${field}: ${reason}`);
    this.detector = detector;
    this.field = field;
  }
}

/** A compressed body exceeded the configured decompressed size or compression ratio. */
export class DecompressionLimitError extends LeakguardError {
  readonly limit: 'maxDecompressedBytes' | 'maxCompressionRatio';
  constructor(limit: 'maxDecompressedBytes' | 'maxCompressionRatio', detail: string) {
    super('LG_ERR_DECOMPRESSION_LIMIT', `decompression stopped: ${limit} exceeded (${detail})`);
    this.limit = limit;
  }
}

/** A body could not be decoded as declared (corrupt gzip stream, unsupported encoding). */
export class DecodeError extends LeakguardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LG_ERR_DECODE', message, options);
  }
}

/** A `block` action stopped a stream. Carries the findings (never the values) that caused it. */
export class ScanBlockedError extends LeakguardError {
  readonly detectors: string[];
  constructor(detectors: string[]) {
    super('LG_ERR_BLOCKED', `blocked: sensitive data detected (${detectors.join(', ')})`);
    this.detectors = detectors;
  }
}
