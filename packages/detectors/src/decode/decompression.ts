/**
 * Undoing `Content-Encoding` (gzip, deflate, br, and stacks of them) with limits against
 * decompression bombs: a body may not decompress to more than `maxDecompressedBytes`, nor,
 * once more than 1 MiB came out, to more than `maxCompressionRatio` times its compressed
 * size. Crossing either stops decompression at once with `DecompressionLimitError`; memory
 * stays bounded by the limit (sync) or by zlib's chunk and the stream's buffers (streaming).
 */
import { kMaxLength } from 'node:buffer';
import zlib from 'node:zlib';
import { DecodeError, DecompressionLimitError } from '../errors.js';
import type { DecodingLimits } from '../types.js';
import { parseContentEncoding, type ContentCoding } from './content-coding.js';
import { CodingChain, type ChainStageSpec } from './coding-chain.js';

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_COMPRESSION_RATIO = 200;
/** Output below this is never judged by its ratio: small bodies legitimately compress very well. */
export const RATIO_GRACE_BYTES = 1024 * 1024;

export interface ResolvedDecodingLimits {
  maxDecompressedBytes: number;
  maxCompressionRatio: number;
}

/** `EngineConfig.decoding` with defaults applied. */
export function resolveDecodingLimits(limits: DecodingLimits = {}): ResolvedDecodingLimits {
  return {
    maxDecompressedBytes: limits.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    maxCompressionRatio: limits.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO,
  };
}

type LimitName = 'maxDecompressedBytes' | 'maxCompressionRatio';

/** The most output `compressedBytes` of input may produce, and which limit says so. */
function allowedOutput(limits: ResolvedDecodingLimits, compressedBytes: number): { bytes: number; limit: LimitName } {
  const byRatio = Math.max(RATIO_GRACE_BYTES, limits.maxCompressionRatio * compressedBytes);
  return byRatio < limits.maxDecompressedBytes
    ? { bytes: byRatio, limit: 'maxCompressionRatio' }
    : { bytes: limits.maxDecompressedBytes, limit: 'maxDecompressedBytes' };
}

function limitError(limit: LimitName, limits: ResolvedDecodingLimits, compressedBytes: number): DecompressionLimitError {
  const detail =
    limit === 'maxDecompressedBytes'
      ? `more than ${limits.maxDecompressedBytes} bytes`
      : `more than ${limits.maxCompressionRatio}x the ${compressedBytes} compressed bytes`;
  return new DecompressionLimitError(limit, detail);
}

function corrupt(coding: ContentCoding, cause: unknown): DecodeError {
  return new DecodeError(`corrupt or truncated ${coding} body`, { cause });
}

/** RFC 1950 header (CM 8, window ≤ 32K, FCHECK): `deflate` bodies are usually zlib-wrapped, but browsers accept raw deflate too. */
function isZlibHeader(b0: number, b1: number): boolean {
  return (b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0;
}

/** First compressed prefix the sync path probes, and the factor between probes. */
const PROBE_BYTES = 16 * 1024;
const PROBE_GROWTH = 4;

function inflateSync(coding: ContentCoding, data: Buffer, maxOutputLength: number, partial: boolean): Buffer {
  const options: zlib.ZlibOptions & zlib.BrotliOptions = { maxOutputLength: Math.max(1, Math.floor(Math.min(maxOutputLength, kMaxLength))) };
  // A prefix ends mid-stream: flush what it decodes to instead of failing on the missing end.
  if (partial) options.finishFlush = coding === 'br' ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.Z_SYNC_FLUSH;
  if (coding === 'gzip') return zlib.gunzipSync(data, options);
  if (coding === 'br') return zlib.brotliDecompressSync(data, options);
  return data.length >= 2 && isZlibHeader(data[0], data[1]) ? zlib.inflateSync(data, options) : zlib.inflateRawSync(data, options);
}

/**
 * Decompresses a whole body. `contentEncoding` lists the codings in the order applied; they
 * are undone last first. An empty body stays empty (HEAD responses, 204s keep their header).
 *
 * zlib stops at `maxOutputLength`, so nothing is allocated past the limits. The ratio is
 * judged as the streaming path judges it, on the input read so far: growing prefixes of
 * each layer are decompressed first with the ratio's allowance for their size, so a bomb is
 * stopped after a few MiB instead of at `maxDecompressedBytes`. The probes cost at most a
 * third more work, and only for bodies large enough that the ratio could matter.
 */
export function decompressSync(body: Buffer, contentEncoding: string | undefined, limits: ResolvedDecodingLimits): Buffer {
  const codings = parseContentEncoding(contentEncoding);
  const allowed = allowedOutput(limits, body.length);
  let data = body;
  for (let k = codings.length - 1; k >= 0 && data.length > 0; k--) {
    const coding = codings[k];
    let inForce = allowed;
    let compressedBytes = body.length;
    try {
      for (let prefix = PROBE_BYTES; prefix < data.length; prefix *= PROBE_GROWTH) {
        inForce = allowedOutput(limits, prefix);
        compressedBytes = prefix;
        if (inForce.bytes >= allowed.bytes) break;
        inflateSync(coding, data.subarray(0, prefix), inForce.bytes, true);
      }
      inForce = allowed;
      compressedBytes = body.length;
      data = inflateSync(coding, data, allowed.bytes, false);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw limitError(inForce.limit, limits, compressedBytes);
      throw corrupt(coding, error);
    }
  }
  return data;
}

/** A `CodingChain` stage that undoes one coding. */
export function inflateStage(coding: ContentCoding): ChainStageSpec {
  return {
    headBytes: coding === 'deflate' ? 2 : 0,
    create(head) {
      if (coding === 'gzip') return zlib.createGunzip();
      if (coding === 'br') return zlib.createBrotliDecompress();
      return head.length >= 2 && isZlibHeader(head[0], head[1]) ? zlib.createInflate() : zlib.createInflateRaw();
    },
    wrapError: (error) => corrupt(coding, error),
    emptyStaysEmpty: true,
  };
}

/** The limit error when `produced` bytes out of `compressedBytes` in cross a limit, else `undefined`. */
export function checkDecompressedOutput(limits: ResolvedDecodingLimits, produced: number, compressedBytes: number): DecompressionLimitError | undefined {
  const allowed = allowedOutput(limits, compressedBytes);
  return produced > allowed.bytes ? limitError(allowed.limit, limits, compressedBytes) : undefined;
}

/**
 * A streaming decompressor for a `Content-Encoding` stack: compressed bytes in, plain bytes
 * out. Backpressure runs through every stage, so a bomb inflates no faster than the consumer
 * reads, and the limits stop it at the first chunk that crosses them, in any stage.
 */
export class DecompressStream extends CodingChain {
  private readonly limits: ResolvedDecodingLimits;

  /** `codings` in the order they were applied; they are undone last first. */
  constructor(codings: readonly ContentCoding[], limits: ResolvedDecodingLimits) {
    super([...codings].reverse().map(inflateStage));
    this.limits = limits;
  }

  protected override checkOutput(_stage: number, producedByStage: number): Error | undefined {
    return checkDecompressedOutput(this.limits, producedByStage, this.inputBytes);
  }
}

/** A streaming decompressor for a `Content-Encoding` value (a pass-through for none or `identity`). */
export function createDecompressStream(contentEncoding: string | undefined, limits: ResolvedDecodingLimits): DecompressStream {
  return new DecompressStream(parseContentEncoding(contentEncoding), limits);
}
