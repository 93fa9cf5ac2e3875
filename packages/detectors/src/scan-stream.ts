import { Transform, type TransformCallback } from 'node:stream';
import type { DetectionEngine } from './engine.js';
import { strongestAction, toPublicFinding } from './engine.js';
import { ScanBlockedError } from './errors.js';
import type { Action, ActionedFinding, ScanStreamOptions } from './types.js';
import type { WindowScanner } from './window-scanner.js';
import {
  CodingChain,
  checkDecompressedOutput,
  deflateStage,
  formatContentEncoding,
  inflateStage,
  parseContentEncoding,
  type ChainStageSpec,
  type ContentCoding,
  type ResolvedDecodingLimits,
} from './decode/index.js';

/**
 * A Node `Transform` that scans a body as it streams: bytes in, the same bytes out, with
 * `redact` findings overwritten in place (same length) before they leave the hold-back window.
 * Memory is bounded by the window, whatever the body size; backpressure passes through.
 *
 * A body with a `contentEncoding` is decompressed as it streams (within the engine's decoding
 * limits: a bomb destroys the stream with `DecompressionLimitError`, corrupt input with
 * `DecodeError`) and scanned decompressed. The output is then the decompressed body
 * (`outputEncoding` `identity`: drop `Content-Encoding` and `Content-Length`), or, with
 * `recompress`, the body re-compressed in the same codings (`outputEncoding` says which). In
 * monitor mode nothing is changed: the input bytes pass through as they came, and
 * `outputEncoding` is their encoding.
 *
 * Events: `finding` (an `ActionedFinding`, never the value). A `block` finding (outside
 * monitor mode) destroys the stream with `ScanBlockedError` before any byte of the value is
 * emitted.
 */
export class ScanStream extends Transform {
  /** Findings so far, in order. */
  readonly findings: ActionedFinding[] = [];
  /** `Content-Encoding` of the output: `identity` unless the input passes through or is re-compressed. */
  readonly outputEncoding: string;
  /** Bytes written into the stream. */
  bytesIn = 0;
  /** Bytes the stream emitted. */
  bytesOut = 0;
  private readonly scanner: WindowScanner;
  /** Decompression → scan → (re-compression), for encoded bodies only. */
  private readonly codec: CodingChain | undefined;
  private readonly passThrough: boolean;

  constructor(engine: DetectionEngine, options: ScanStreamOptions = {}) {
    super(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {});
    this.scanner = engine.createWindowScanner({
      ...options,
      stopOnBlock: true,
      onFinding: (finding) => {
        const f = toPublicFinding(finding);
        this.findings.push(f);
        this.emit('finding', f);
      },
    });
    const codings = parseContentEncoding(options.contentEncoding);
    const monitor = options.monitor ?? false;
    this.passThrough = monitor && codings.length > 0;
    const recompress = !monitor && options.recompress === true;
    this.outputEncoding = codings.length > 0 && (monitor || recompress) ? formatContentEncoding(codings) : 'identity';
    if (codings.length > 0) {
      const scanStep = (chunk: Buffer | null) => this.scanned(() => (chunk ? this.scanner.write(chunk) : this.scanner.end()));
      const codec = new EncodedBodyChain(codings, recompress, engine.decodingLimits, scanStep);
      codec.on('data', (data: Buffer) => {
        if (this.passThrough || this.destroyed) return;
        this.bytesOut += data.length;
        if (!this.push(data)) codec.pause();
      });
      codec.on('error', (error) => this.destroy(error));
      this.codec = codec;
    }
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
    if (this.codec) {
      if (this.passThrough) {
        this.bytesOut += bytes.length;
        this.push(bytes);
      }
      // The callback waits for the codec: its backpressure (and a bomb's) reaches the writer.
      this.codec.write(bytes, () => {
        if (!this.destroyed) callback();
      });
      return;
    }
    const out = this.scanned(() => this.scanner.write(bytes));
    if (out instanceof Error) callback(out);
    else this.forward(out, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.codec) {
      this.codec.once('end', () => callback());
      this.codec.end();
      this.codec.resume();
      return;
    }
    const out = this.scanned(() => this.scanner.end());
    if (out instanceof Error) callback(out);
    else this.forward(out, callback);
  }

  override _read(size: number): void {
    this.codec?.resume();
    super._read(size);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.codec?.destroy();
    callback(error);
  }

  /** Runs one scanner step; the bytes now safe to emit, or the error that ends the stream. */
  private scanned(step: () => Buffer): Buffer | Error {
    let out: Buffer;
    try {
      out = step();
    } catch (error) {
      return error as Error;
    }
    if (this.scanner.blockedBy) {
      const detectors = [...new Set(this.findings.filter((f) => f.action === 'block').map((f) => f.detector))];
      return new ScanBlockedError(detectors);
    }
    return out;
  }

  private forward(out: Buffer, callback: TransformCallback): void {
    if (out.length > 0) {
      this.bytesOut += out.length;
      this.push(out);
    }
    callback();
  }
}

type ScanStep = (chunk: Buffer | null) => Buffer | Error;

/** The scan as a stage of a coding chain: decompressed bytes in, scanned (redacted) bytes out. */
class ScanStage extends Transform {
  constructor(private readonly step: ScanStep) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pass(this.step(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.pass(this.step(null), callback);
  }

  private pass(out: Buffer | Error, callback: TransformCallback): void {
    if (out instanceof Error) callback(out);
    else callback(null, out.length > 0 ? out : undefined);
  }
}

function scanStageSpec(step: ScanStep): ChainStageSpec {
  return { headBytes: 0, create: () => new ScanStage(step), wrapError: (error) => error, emptyStaysEmpty: false };
}

/** Decompression stages (bomb limits on each), the scan, then the same codings again when re-compressing. */
class EncodedBodyChain extends CodingChain {
  private readonly inflateStages: number;

  constructor(
    codings: readonly ContentCoding[],
    recompress: boolean,
    private readonly limits: ResolvedDecodingLimits,
    step: ScanStep,
  ) {
    super([...[...codings].reverse().map(inflateStage), scanStageSpec(step), ...(recompress ? codings.map(deflateStage) : [])]);
    this.inflateStages = codings.length;
  }

  protected override checkOutput(stage: number, producedByStage: number): Error | undefined {
    return stage < this.inflateStages ? checkDecompressedOutput(this.limits, producedByStage, this.inputBytes) : undefined;
  }
}
