import { DetectorSet, ACTION_RANK } from './detector-set.js';
import { DecodeError } from './errors.js';
import { Fingerprinter, resolveFingerprintKey } from './fingerprint.js';
import { IdentityMapper } from './identity-mapper.js';
import { ScanStream } from './scan-stream.js';
import type { Action, ActionedFinding, Engine, EngineConfig, ProcessResult, ScanOptions, ScanStreamOptions, ViewMapper } from './types.js';
import { WindowScanner, type RevealedFinding, type WindowScannerOptions } from './window-scanner.js';

const DEFAULT_CONTEXT_BEFORE = 64;
const DEFAULT_CONTEXT_AFTER = 32;
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
  }

  scan(body: Uint8Array | string, options: ScanOptions = {}): ActionedFinding[] {
    return this.process(body, options).findings;
  }

  process(body: Uint8Array | string, options: ScanOptions = {}): ProcessResult {
    const { findings, output } = this.run(body, { ...options, stopOnBlock: false });
    return { findings: findings.map(toPublicFinding), output, action: strongestAction(findings) };
  }

  createStream(options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, options);
  }

  /** Scans a whole body with internal options (`reveal` for the CLI). */
  run(body: Uint8Array | string, request: ScannerRequest): { findings: RevealedFinding[]; output: Buffer } {
    const input = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const scanner = this.createScanner(request);
    const head = scanner.write(input);
    const tail = scanner.end();
    const output = head.length === 0 ? tail : tail.length === 0 ? head : Buffer.concat([head, tail]);
    return { findings: scanner.findings, output };
  }

  /** A fresh scanner for one body. */
  createScanner(request: ScannerRequest): WindowScanner {
    assertIdentityEncoding(request.contentEncoding);
    const options: WindowScannerOptions = {
      settings: this.set.resolve(request.overrides),
      fingerprinter: this.fingerprinter,
      includeMasked: this.includeMasked,
      contextBefore: this.contextBefore,
      contextAfter: this.contextAfter,
      monitor: request.monitor ?? false,
      stopOnBlock: request.stopOnBlock,
      reveal: request.reveal ?? false,
      ...(request.onFinding ? { onFinding: request.onFinding } : {}),
    };
    return new WindowScanner(this.set, this.createMapper(request.contentType), options);
  }

  private createMapper(_contentType: string | undefined): ViewMapper {
    return new IdentityMapper();
  }
}

/** A finding as the public API hands it out: never with the value. */
export function toPublicFinding(finding: RevealedFinding): ActionedFinding {
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

function assertIdentityEncoding(contentEncoding: string | undefined): void {
  if (contentEncoding === undefined) return;
  const layers = contentEncoding.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '' && s !== 'identity');
  if (layers.length > 0) throw new DecodeError(`unsupported content-encoding "${layers.join(', ')}"`);
}
