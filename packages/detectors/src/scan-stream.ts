import { Transform, type TransformCallback } from 'node:stream';
import type { DetectionEngine } from './engine.js';
import { strongestAction, toPublicFinding } from './engine.js';
import { ScanBlockedError } from './errors.js';
import type { Action, ActionedFinding, ScanStreamOptions } from './types.js';
import type { WindowScanner } from './window-scanner.js';

/**
 * A Node `Transform` that scans a body as it streams: bytes in, the same bytes out, with
 * `redact` findings overwritten in place (same length) before they leave the hold-back window.
 * Memory is bounded by the window, whatever the body size; backpressure passes through.
 *
 * Events: `finding` (an `ActionedFinding`, never the value). A `block` finding (outside
 * monitor mode) destroys the stream with `ScanBlockedError` before any byte of the value is
 * emitted.
 */
export class ScanStream extends Transform {
  /** Findings so far, in order. */
  readonly findings: ActionedFinding[] = [];
  /** `Content-Encoding` of the output: `identity` unless the input is re-compressed. */
  readonly outputEncoding: string = 'identity';
  /** Bytes written into the stream. */
  bytesIn = 0;
  /** Bytes the stream emitted. */
  bytesOut = 0;
  private readonly scanner: WindowScanner;

  constructor(engine: DetectionEngine, options: ScanStreamOptions = {}) {
    super(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {});
    this.scanner = engine.createScanner({
      ...options,
      stopOnBlock: true,
      onFinding: (finding) => {
        const f = toPublicFinding(finding);
        this.findings.push(f);
        this.emit('finding', f);
      },
    });
  }

  /** The strongest action among the findings so far, or `null`. */
  get action(): Action | null {
    return strongestAction(this.findings);
  }

  /** View bytes the detectors have scanned (after text decoding). */
  get bytesScanned(): number {
    return this.scanner.viewBytes;
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.bytesIn += bytes.length;
    let out: Buffer;
    try {
      out = this.scanner.write(bytes);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.forward(out, callback);
  }

  override _flush(callback: TransformCallback): void {
    let out: Buffer;
    try {
      out = this.scanner.end();
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.forward(out, callback);
  }

  private forward(out: Buffer, callback: TransformCallback): void {
    const blocked = this.scanner.blockedBy;
    if (blocked) {
      const detectors = [...new Set(this.findings.filter((f) => f.action === 'block').map((f) => f.detector))];
      callback(new ScanBlockedError(detectors));
      return;
    }
    if (out.length > 0) {
      this.bytesOut += out.length;
      this.push(out);
    }
    callback();
  }
}
