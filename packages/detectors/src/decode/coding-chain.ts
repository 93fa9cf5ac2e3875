/**
 * A chain of zlib streams behind one `Transform`: bytes written go through every stage in
 * order, and backpressure runs through all of them (a stage pauses while the next one, or
 * the reader of this stream, is full). A stage's zlib stream may be chosen from its first
 * bytes (raw or zlib-wrapped deflate), so it starts lazily.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface ChainStageSpec {
  /** Bytes the stage needs to see before it can pick its zlib stream (fewer at end of input). */
  headBytes: number;
  create(head: Buffer): Transform;
  /** Wraps an error of the stage's zlib stream (corrupt input). */
  wrapError(error: Error): Error;
  /** Whether no input means no output (decoding an empty body) rather than an encoded empty stream. */
  emptyStaysEmpty: boolean;
}

interface Stage {
  spec: ChainStageSpec;
  stream?: Transform;
  head: Buffer;
  /** Bytes the stage produced so far. */
  produced: number;
}

const EMPTY = Buffer.alloc(0);

export class CodingChain extends Transform {
  private readonly stages: Stage[];
  /** Bytes written into the chain so far. */
  protected inputBytes = 0;
  private onFinished: TransformCallback | undefined;

  constructor(specs: readonly ChainStageSpec[]) {
    super();
    this.stages = specs.map((spec) => ({ spec, head: EMPTY, produced: 0 }));
  }

  /** Called for every chunk a stage produces, before it moves on; an error returned destroys the chain. */
  protected checkOutput(_stage: number, _producedByStage: number): Error | undefined {
    return undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.inputBytes += chunk.length;
    if (this.stages.length === 0) {
      callback(null, chunk);
      return;
    }
    this.writeTo(0, chunk, () => {
      if (!this.destroyed) callback();
    });
  }

  override _flush(callback: TransformCallback): void {
    if (this.stages.length === 0) {
      callback();
      return;
    }
    this.onFinished = callback;
    this.endStage(0);
  }

  override _read(size: number): void {
    this.stages[this.stages.length - 1]?.stream?.resume();
    super._read(size);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const stage of this.stages) stage.stream?.destroy();
    callback(error);
  }

  /** Writes into stage `k`; `done` runs once the stage took the bytes. Returns false when the stage is full. */
  private writeTo(k: number, chunk: Buffer, done?: () => void): boolean {
    const stage = this.stages[k];
    if (!stage.stream) {
      stage.head = stage.head.length === 0 ? chunk : Buffer.concat([stage.head, chunk]);
      if (stage.head.length < stage.spec.headBytes) {
        done?.();
        return true;
      }
      chunk = stage.head;
      stage.head = EMPTY;
      this.startStage(k, chunk);
    }
    return stage.stream!.write(chunk, done);
  }

  private endStage(k: number): void {
    const stage = this.stages[k];
    if (!stage.stream) {
      if (stage.head.length === 0 && stage.spec.emptyStaysEmpty) {
        this.stageEnded(k);
        return;
      }
      this.startStage(k, stage.head);
      if (stage.head.length > 0) stage.stream!.write(stage.head);
      stage.head = EMPTY;
    }
    stage.stream!.end();
  }

  private stageEnded(k: number): void {
    if (k + 1 < this.stages.length) this.endStage(k + 1);
    else this.onFinished?.();
  }

  private startStage(k: number, head: Buffer): void {
    const stage = this.stages[k];
    const stream = stage.spec.create(head);
    stage.stream = stream;
    const last = k === this.stages.length - 1;
    stream.on('data', (data: Buffer) => {
      stage.produced += data.length;
      const error = this.checkOutput(k, stage.produced);
      if (error) {
        this.destroy(error);
        return;
      }
      if (last) {
        if (!this.push(data)) stream.pause();
      } else if (!this.writeTo(k + 1, data)) {
        stream.pause();
        this.stages[k + 1].stream!.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => this.stageEnded(k));
    stream.on('error', (error) => this.destroy(stage.spec.wrapError(error)));
  }
}
