/**
 * `@leakguard/detectors`: finds payment cards, SSNs and health-insurance identifiers in bytes,
 * streaming and chunk-independent, on RE2. Knows nothing of HTTP.
 */
export { createEngine } from './engine.js';
export { ACTION_RANK, CONFIDENCE_RANK } from './detector-set.js';
export { ScanStream } from './scan-stream.js';
export { runScanCommand, type CommandIO } from './cli/scan-command.js';
export { BUILTIN_DETECTORS } from './builtins/index.js';
export { cardBrand, cardValid, luhnValid, mod11Valid, nhsValid, npiValid, ssnIssuable, ssnValid } from './validators.js';
export { canonicalize, maskText } from './masking.js';
export { measurePattern, type PatternBound } from './pattern-bound.js';
export { createViewMapper, type ViewMapperOptions } from './decode/index.js';
export * from './errors.js';
export type * from './types.js';
