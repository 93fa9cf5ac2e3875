/**
 * Re-applying a `Content-Encoding` stack to a redacted body (`recompress: true`), so the
 * receiver gets a body in the encoding its headers announce. Levels favour speed: this runs
 * on every redacted response, and a proxy must not become the bottleneck.
 */
import zlib from 'node:zlib';
import { DecodeError } from '../errors.js';
import { parseContentEncoding, type ContentCoding } from './content-coding.js';
import { CodingChain, type ChainStageSpec } from './coding-chain.js';

const ZLIB_OPTIONS: zlib.ZlibOptions = { level: 6 };
const BROTLI_OPTIONS: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };

/** Applies the codings of a `Content-Encoding` value, in order. `deflate` is written zlib-wrapped (RFC 9110). */
export function compressSync(body: Buffer, contentEncoding: string | undefined): Buffer {
  let data = body;
  for (const coding of parseContentEncoding(contentEncoding)) {
    if (coding === 'gzip') data = zlib.gzipSync(data, ZLIB_OPTIONS);
    else if (coding === 'br') data = zlib.brotliCompressSync(data, BROTLI_OPTIONS);
    else data = zlib.deflateSync(data, ZLIB_OPTIONS);
  }
  return data;
}

/** A `CodingChain` stage that applies one coding. */
export function deflateStage(coding: ContentCoding): ChainStageSpec {
  return {
    headBytes: 0,
    create() {
      if (coding === 'gzip') return zlib.createGzip(ZLIB_OPTIONS);
      if (coding === 'br') return zlib.createBrotliCompress(BROTLI_OPTIONS);
      return zlib.createDeflate(ZLIB_OPTIONS);
    },
    wrapError: (error) => new DecodeError(`${coding} compression failed`, { cause: error }),
    emptyStaysEmpty: false,
  };
}

/** A streaming compressor for a `Content-Encoding` value: plain bytes in, encoded bytes out. */
export class CompressStream extends CodingChain {
  /** `codings` in the order they are to be applied. */
  constructor(codings: readonly ContentCoding[]) {
    super(codings.map(deflateStage));
  }
}

export function createCompressStream(contentEncoding: string | undefined): CompressStream {
  return new CompressStream(parseContentEncoding(contentEncoding));
}
