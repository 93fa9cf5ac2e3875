/**
 * Decoding for the detection engine: the view the detectors match on (text escapes,
 * full-width forms, zero-width characters, UTF-16), redaction in the original encoding,
 * `Content-Encoding` (de)compression with bomb limits, and document locations of findings.
 */
export { createViewMapper, isOwnView, TextViewMapper, type ViewMapperOptions } from './text-view-mapper.js';
export { parseContentType, resolveRawCharset, type DeclaredContentType, type DocumentSyntax, type TextCharset, type RawCharset } from './content-type.js';
export { parseContentEncoding, formatContentEncoding, type ContentCoding } from './content-coding.js';
export {
  decompressSync,
  createDecompressStream,
  checkDecompressedOutput,
  inflateStage,
  DecompressStream,
  resolveDecodingLimits,
  type ResolvedDecodingLimits,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DEFAULT_MAX_COMPRESSION_RATIO,
  RATIO_GRACE_BYTES,
} from './decompression.js';
export { compressSync, createCompressStream, CompressStream, deflateStage } from './compression.js';
export { CodingChain, type ChainStageSpec } from './coding-chain.js';
export { locateOffsets, readDocumentText, LOCATION_WALK_LIMIT, type DocumentText } from './document-locations.js';
export { quoteRedactedJsonNumbers } from './json-number-quoting.js';
