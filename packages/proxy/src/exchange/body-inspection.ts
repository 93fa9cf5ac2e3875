/**
 * Moving a body through the engine, in the two ways a policy can ask for:
 *
 * - `EnforcedBody` (mode enforce): source → ScanStream → held output. Output is held until the
 *   body ends or `holdLimit` bytes are held, so that a block inside that window is a clean 403
 *   (and, for a request, the app is never contacted). Past the window it streams, with
 *   backpressure from the sink back to the source.
 * - `MonitoredBody` (mode monitor): the raw bytes go to the sink untouched and a copy goes
 *   through the engine, whose verdicts are only reported.
 */
import type { Readable, Writable } from 'node:stream';
import { ScanBlockedError, type ScanStream } from '@leakguard/detectors';

export interface EnforcedBodyHandlers {
  /**
   * The output may leave. `complete`: the whole body is held and `length` is its exact size.
   * Returns where the output goes, or `undefined` when the exchange is over (nothing is written).
   */
  release(complete: boolean, length: number | undefined): Writable | undefined;
  /** A `block` finding stopped the body. `released`: some output already left. */
  blocked(error: ScanBlockedError, released: boolean): void;
  /**
   * Inspection failed (decompression limit, corrupt encoding…). `raw` is every input byte so far,
   * when nothing was released yet and raw bytes were kept (`keepRaw`): enough to fail open.
   */
  fault(error: Error, released: boolean, raw: Buffer[] | undefined): void;
  /** The source broke off (client abort, upstream reset). */
  sourceFailed(error: Error, released: boolean): void;
}

export class EnforcedBody {
  /** Raw bytes read from the source. */
  bytesIn = 0;
  /** Nanoseconds spent inside the engine's write/end calls. */
  scanNs = 0;
  released = false;
  private stopped = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private raw: Buffer[] | undefined;
  private rawBytes = 0;
  private sink: Writable | undefined;

  constructor(
    private readonly source: Readable,
    private readonly scan: ScanStream,
    private readonly holdLimit: number,
    keepRaw: boolean,
    private readonly handlers: EnforcedBodyHandlers,
  ) {
    this.raw = keepRaw ? [] : undefined;
  }

  /**
   * Bytes of this body buffered in the proxy right now: held output, raw copies kept for
   * fail-open, and what sits in the source, engine and sink stream buffers.
   */
  get bufferedBytes(): number {
    return (
      this.heldBytes +
      this.rawBytes +
      this.source.readableLength +
      this.scan.readableLength +
      this.scan.writableLength +
      (this.sink?.writableLength ?? 0)
    );
  }

  start(): void {
    const { source, scan } = this;
    source.on('data', this.onSourceData);
    source.once('end', this.onSourceEnd);
    source.once('error', this.onSourceError);
    source.once('aborted', this.onSourceAborted);
    scan.on('data', this.onScanData);
    scan.once('end', this.onScanEnd);
    scan.once('error', this.onScanError);
    scan.on('drain', this.onScanDrain);
  }

  /** Stops everything (the exchange ended elsewhere); the source is left to its owner. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detachSource();
    this.scan.off('data', this.onScanData);
    this.sink?.off('drain', this.onSinkDrain);
    this.held = [];
    this.raw = undefined;
    this.heldBytes = this.rawBytes = 0;
    if (!this.scan.destroyed) this.scan.destroy();
  }

  private detachSource(): void {
    const { source } = this;
    source.off('data', this.onSourceData);
    source.off('end', this.onSourceEnd);
    source.off('error', this.onSourceError);
    source.off('aborted', this.onSourceAborted);
  }

  private readonly onSourceData = (chunk: Buffer): void => {
    if (this.stopped) return;
    this.bytesIn += chunk.length;
    if (this.raw) {
      // The engine never mutates its input, so kept chunks stay the original bytes.
      this.raw.push(chunk);
      this.rawBytes += chunk.length;
    }
    const started = performance.now();
    const ok = this.scan.write(chunk);
    this.scanNs += (performance.now() - started) * 1e6;
    if (!ok && !this.stopped) this.source.pause();
  };

  private readonly onScanDrain = (): void => {
    if (!this.stopped) this.source.resume();
  };

  private readonly onSourceEnd = (): void => {
    if (this.stopped) return;
    const started = performance.now();
    this.scan.end();
    this.scanNs += (performance.now() - started) * 1e6;
  };

  private readonly onSourceError = (error: Error): void => this.sourceFailed(error);
  private readonly onSourceAborted = (): void => this.sourceFailed(new Error('aborted'));

  private sourceFailed(error: Error): void {
    if (this.stopped) return;
    const released = this.released;
    this.stop();
    this.handlers.sourceFailed(error, released);
  }

  private readonly onScanData = (out: Buffer): void => {
    if (this.stopped) return;
    if (!this.released) {
      this.held.push(out);
      this.heldBytes += out.length;
      if (this.heldBytes > this.holdLimit) this.releaseStreaming();
      return;
    }
    const sink = this.sink;
    if (sink && !sink.write(out)) {
      this.scan.pause();
      sink.once('drain', this.onSinkDrain);
    }
  };

  private readonly onSinkDrain = (): void => {
    if (!this.stopped) this.scan.resume();
  };

  private releaseStreaming(): void {
    this.released = true;
    this.raw = undefined;
    this.rawBytes = 0;
    const sink = this.handlers.release(false, undefined);
    if (!sink) {
      this.stop();
      return;
    }
    this.sink = sink;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    let ok = true;
    for (const chunk of held) ok = sink.write(chunk);
    if (!ok) {
      this.scan.pause();
      sink.once('drain', this.onSinkDrain);
    }
  }

  private readonly onScanEnd = (): void => {
    if (this.stopped) return;
    if (!this.released) {
      this.released = true;
      this.raw = undefined;
      this.rawBytes = 0;
      const sink = this.handlers.release(true, this.heldBytes);
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      if (!sink) {
        this.stop();
        return;
      }
      this.sink = sink;
      for (const chunk of held) sink.write(chunk);
    }
    this.sink?.end();
    this.detachSource();
  };

  private readonly onScanError = (error: Error): void => {
    if (this.stopped) return;
    const released = this.released;
    const raw = released ? undefined : this.raw;
    this.raw = undefined;
    this.stop();
    if (error instanceof ScanBlockedError) this.handlers.blocked(error, released);
    else this.handlers.fault(error, released, raw);
  };
}

export interface MonitoredBodyHandlers {
  /** The engine failed on the copy; the body itself keeps flowing untouched. */
  fault(error: Error): void;
  sourceFailed(error: Error): void;
}

/** Monitor mode: raw bytes to the sink unchanged, a copy through the engine. */
export class MonitoredBody {
  bytesIn = 0;
  scanNs = 0;
  private scanning = true;
  private stopped = false;
  private waitingForSink = false;
  private waitingForScan = false;

  constructor(
    private readonly source: Readable,
    private readonly sink: Writable,
    private readonly scan: ScanStream,
    private readonly handlers: MonitoredBodyHandlers,
  ) {}

  /** Bytes of this body buffered in the proxy right now (source, engine and sink buffers). */
  get bufferedBytes(): number {
    return this.source.readableLength + this.scan.writableLength + this.scan.readableLength + this.sink.writableLength;
  }

  start(): void {
    const { source, sink, scan } = this;
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.once('error', this.onSourceError);
    source.once('aborted', this.onSourceAborted);
    sink.on('drain', this.onSinkDrain);
    scan.on('drain', this.onScanDrain);
    scan.once('error', this.onScanError);
    // The engine's output is the same bytes; only its findings matter here.
    scan.resume();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.sink.off('drain', this.onSinkDrain);
    if (!this.scan.destroyed) this.scan.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length;
    if (!this.sink.write(chunk)) this.waitingForSink = true;
    if (this.scanning) {
      const started = performance.now();
      if (!this.scan.write(chunk)) this.waitingForScan = true;
      this.scanNs += (performance.now() - started) * 1e6;
    }
    if (this.waitingForSink || this.waitingForScan) this.source.pause();
  };

  private readonly onSinkDrain = (): void => {
    this.waitingForSink = false;
    this.resumeIfClear();
  };

  private readonly onScanDrain = (): void => {
    this.waitingForScan = false;
    this.resumeIfClear();
  };

  private resumeIfClear(): void {
    if (!this.stopped && !this.waitingForSink && !this.waitingForScan) this.source.resume();
  }

  private readonly onEnd = (): void => {
    this.sink.end();
    if (this.scanning) {
      const started = performance.now();
      this.scan.end();
      this.scanNs += (performance.now() - started) * 1e6;
    }
  };

  private readonly onScanError = (error: Error): void => {
    if (!this.scanning) return;
    this.scanning = false;
    this.waitingForScan = false;
    this.handlers.fault(error);
    this.resumeIfClear();
  };

  private readonly onSourceError = (error: Error): void => {
    if (this.stopped) return;
    this.stop();
    this.handlers.sourceFailed(error);
  };

  private readonly onSourceAborted = (): void => this.onSourceError(new Error('aborted'));
}

export interface WholeBodyHandlers {
  /** The body arrived completely. */
  complete(raw: Buffer): void;
  sourceFailed(error: Error): void;
}

/**
 * A body of known, small size (within the hold) read whole and inspected in one engine call:
 * the same decisions as `EnforcedBody` with everything held, without a stream per body.
 */
export class WholeBody {
  bytesIn = 0;
  /** The engine runs in the caller's single `process` call, which times itself. */
  readonly scanNs = 0;
  private chunks: Buffer[] = [];
  private stopped = false;

  constructor(
    private readonly source: Readable,
    private readonly handlers: WholeBodyHandlers,
  ) {}

  get bufferedBytes(): number {
    return this.stopped ? 0 : this.bytesIn + this.source.readableLength;
  }

  start(): void {
    // `on`, not `once`: the handlers ignore anything after the first end or error, and `once`
    // allocates a wrapper per listener per body.
    this.source.on('data', this.onData);
    this.source.on('end', this.onEnd);
    this.source.on('error', this.onError);
    this.source.on('aborted', this.onAborted);
  }

  stop(): void {
    if (this.stopped) return;
    this.finishWithoutDetaching();
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('error', this.onError);
    this.source.off('aborted', this.onAborted);
  }

  /** Stops collecting; the listeners stay on a source that has ended (they ignore what follows). */
  private finishWithoutDetaching(): void {
    this.stopped = true;
    this.chunks = [];
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length;
    this.chunks.push(chunk);
  };

  private readonly onEnd = (): void => {
    if (this.stopped) return;
    const raw = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bytesIn);
    // The source has ended: detaching four listeners from it would be work for nothing.
    this.finishWithoutDetaching();
    this.handlers.complete(raw);
  };

  private readonly onError = (error: Error): void => {
    if (this.stopped) return;
    this.stop();
    this.handlers.sourceFailed(error);
  };

  private readonly onAborted = (): void => this.onError(new Error('aborted'));
}
