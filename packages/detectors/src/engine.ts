import { DetectorSet, ACTION_RANK } from './detector-set.js';
import { Fingerprinter, resolveFingerprintKey } from './fingerprint.js';
import {
  compressSync,
  createViewMapper,
  decompressSync,
  isOwnView,
  locateOffsets,
  parseContentEncoding,
  quoteRedactedJsonNumbers,
  resolveDecodingLimits,
  type ResolvedDecodingLimits,
} from './decode/index.js';
import { parseContentType } from './decode/content-type.js';
import { ScanStream } from './scan-stream.js';
import type { Action, ActionedFinding, Engine, EngineConfig, ProcessResult, ScanOptions, ScanStreamOptions } from './types.js';
import { WindowScanner, type RevealedFinding, type WindowScannerOptions } from './window-scanner.js';

const DEFAULT_CONTEXT_BEFORE = 64;
/** 64: a FHIR identifier often writes its `system` (`…/sid/us-ssn`) 40-odd bytes after its `value`. */
const DEFAULT_CONTEXT_AFTER = 64;
const MAX_CONTEXT = 256;

/**
 * Compiles a detection engine: the built-in detectors (on by default), the custom detectors of
 * `config.detectors`, and the fingerprint key. All compilation happens here, once; the engine
 * is then safe to share across any number of concurrent scans and streams.
 *
 * Throws `DetectorConfigError` (naming the detector and field) for an invalid configuration.
 *
 * @example
 * const engine = createEngine({ detectors: { us_ssn: { action: 'block' } } });
 * const findings = engine.scan(Buffer.from('{"ssn":"…"}'), { contentType: 'application/json' });
 */
export function createEngine(config: EngineConfig = {}): Engine {
  return new DetectionEngine(config);
}

/** Options of the internal scanner factory (not part of the public API). */
export interface ScannerRequest extends ScanOptions {
  stopOnBlock: boolean;
  reveal?: boolean;
  onFinding?: (finding: RevealedFinding) => void;
}

/** The engine behind `createEngine`. Exported for the package's own CLI and stream. */
export class DetectionEngine implements Engine {
  readonly detectorIds: readonly string[];
  readonly holdBackBytes: number;
  /** Limits against decompression bombs (`EngineConfig.decoding` with defaults). */
  readonly decodingLimits: ResolvedDecodingLimits;
  private readonly set: DetectorSet;
  private readonly fingerprinter: Fingerprinter;
  private readonly includeMasked: boolean;
  private readonly contextBefore: number;
  private readonly contextAfter: number;

  constructor(config: EngineConfig) {
    this.set = new DetectorSet(config.detectors ?? {});
    this.fingerprinter = new Fingerprinter(resolveFingerprintKey(config.fingerprintKey));
    this.includeMasked = config.includeMasked ?? true;
    this.contextBefore = clampContext(config.contextBefore, DEFAULT_CONTEXT_BEFORE);
    this.contextAfter = clampContext(config.contextAfter, DEFAULT_CONTEXT_AFTER);
    this.detectorIds = this.set.detectors.map((d) => d.id);
    this.holdBackBytes = this.set.maxMatch + 2 + this.contextAfter;
    this.decodingLimits = resolveDecodingLimits(config.decoding);
  }

  scan(body: Uint8Array | string, options: ScanOptions = {}): ActionedFinding[] {
    return this.process(body, options).findings;
  }

  process(body: Uint8Array | string, options: ScanOptions = {}): ProcessResult {
    // A literal of one shape, not a spread of the caller's object (a slow generic clone).
    const request: ScannerRequest = {
      contentType: options.contentType,
      contentEncoding: options.contentEncoding,
      overrides: options.overrides,
      monitor: options.monitor,
      stopOnBlock: false,
    };
    const { findings, output } = this.run(body, request);
    return { findings: findings.map(toPublicFinding), output, action: strongestAction(findings) };
  }

  createStream(options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, options);
  }

  /**
   * Scans a whole body with internal options (`reveal` for the CLI). A body with a
   * `contentEncoding` is decompressed first (within the decoding limits); findings are in
   * decompressed coordinates, and `output` is in the body's own encoding: the input itself
   * when nothing changed, else re-compressed with the same codings. Findings get a
   * `location` where the declared content type makes one known.
   */
  run(body: Uint8Array | string, request: ScannerRequest): { findings: RevealedFinding[]; output: Buffer; viewBytes: number } {
    const input = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const encoded = parseContentEncoding(request.contentEncoding).length > 0;
    const raw = encoded ? decompressSync(input, request.contentEncoding, this.decodingLimits) : input;
    // A body that is its own view is searched before a scanner is built: most bodies hold
    // nothing, which one native search says without the objects of a scan (4 µs of an 11-byte
    // body's inspection in the proxy); the others are scanned from their first match.
    const settings = this.set.resolve(request.overrides);
    const first = raw.length > 0 && isOwnView(raw, request.contentType) ? this.set.firstMatch(raw, settings) : 0;
    if (first < 0) return { findings: [], output: input, viewBytes: raw.length };
    const scanner = this.createWindowScanner(request, settings);
    scanner.searchFrom(first);
    const scanned = scanner.writeLast(raw);
    const findings = scanner.findings;
    // Unless a finding was masked the scanner emitted `raw` itself: return the input.
    const changed = !request.monitor && findings.some((f) => f.action !== 'log');
    let output = changed ? scanned : raw;
    if (findings.length > 0 && request.contentType !== undefined) {
      const locations = locateOffsets(raw, request.contentType, findings.map((f) => f.start));
      findings.forEach((finding, k) => {
        if (locations[k] !== undefined) finding.location = locations[k];
      });
    }
    if (changed) {
      quoteRedactedJsonNumbers(
        raw,
        output,
        request.contentType,
        findings.filter((f) => f.action !== 'log'),
      );
    }
    if (encoded) output = changed ? compressSync(output, request.contentEncoding) : input;
    return { findings, output, viewBytes: scanner.viewBytes };
  }

  /**
   * A fresh scanner for one body, fed by `write`/`end` (the CLI's records). A compressed body
   * is gathered and scanned whole at `end` (sync decompression needs all of it); any other
   * body streams through the window scanner.
   */
  createScanner(request: ScannerRequest): BodyScanner {
    if (parseContentEncoding(request.contentEncoding).length > 0) return new CompressedBodyScanner(this, request);
    return this.createWindowScanner(request);
  }

  /**
   * A window scanner over content-decoded bytes; `contentEncoding` is the caller's business.
   * `settings`: the request's detector settings, when the caller resolved them already.
   */
  createWindowScanner(request: ScannerRequest, settings = this.set.resolve(request.overrides)): WindowScanner {
    const options: WindowScannerOptions = {
      settings,
      fingerprinter: this.fingerprinter,
      includeMasked: this.includeMasked,
      contextBefore: this.contextBefore,
      contextAfter: this.contextAfter,
      monitor: request.monitor ?? false,
      stopOnBlock: request.stopOnBlock,
      reveal: request.reveal ?? false,
      onFinding: request.onFinding,
      json: parseContentType(request.contentType).syntax === 'json',
    };
    return new WindowScanner(this.set, createViewMapper({ contentType: request.contentType }), options);
  }
}

/** What `createScanner` hands out: raw bytes in (`write`), bytes safe to emit out, findings collected. */
export interface BodyScanner {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
  readonly findings: RevealedFinding[];
  readonly blockedBy: RevealedFinding | null;
  readonly viewBytes: number;
}

/** Gathers a compressed body and scans it whole (through `run`) when it ends. */
class CompressedBodyScanner implements BodyScanner {
  findings: RevealedFinding[] = [];
  blockedBy: RevealedFinding | null = null;
  viewBytes = 0;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly engine: DetectionEngine,
    private readonly request: ScannerRequest,
  ) {}

  write(chunk: Buffer): Buffer {
    this.chunks.push(chunk);
    return Buffer.alloc(0);
  }

  end(): Buffer {
    const { findings, output, viewBytes } = this.engine.run(Buffer.concat(this.chunks), { ...this.request, onFinding: undefined });
    this.findings = findings;
    this.viewBytes = viewBytes;
    for (const finding of findings) this.request.onFinding?.(finding);
    if (this.request.stopOnBlock && !this.request.monitor) this.blockedBy = findings.find((f) => f.action === 'block') ?? null;
    return this.blockedBy ? Buffer.alloc(0) : output;
  }
}

/** A finding as the public API hands it out: never with the value. */
export function toPublicFinding(finding: RevealedFinding): ActionedFinding {
  // Only `reveal` scans (the CLI's) attach a value; the others are public as they are.
  if (!('value' in finding)) return finding;
  const { value: _value, ...rest } = finding;
  return rest;
}

/** The strongest action among findings (`block` > `redact` > `log`), or `null`. */
export function strongestAction(findings: readonly ActionedFinding[]): Action | null {
  let best: Action | null = null;
  for (const f of findings) if (best === null || ACTION_RANK[f.action] > ACTION_RANK[best]) best = f.action;
  return best;
}

function clampContext(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) return fallback;
  return Math.min(value, MAX_CONTEXT);
}
