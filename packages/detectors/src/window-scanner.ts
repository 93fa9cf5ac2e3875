import type { CompiledDetector, DetectorSet, ResolvedSettings } from './detector-set.js';
import { CONFIDENCE_RANK } from './detector-set.js';
import type { Fingerprinter } from './fingerprint.js';
import { canonicalize, isAlnumByte, isWordByte, maskText } from './masking.js';
import type { ActionedFinding, Confidence, ViewMapper } from './types.js';

const EMPTY = Buffer.alloc(0);
const UNDERSCORE = 0x5f;
const DASH = 0x2d;
/** Bytes around a match read by the boundary rules (a `-digit` continuation). */
const BOUNDARY_CONTEXT = 2;

/** A finding with the canonical value attached. Internal: the value never leaves the package. */
export interface RevealedFinding extends ActionedFinding {
  /** Present only when the scanner was created with `reveal` (the `leakguard scan --reveal` path). */
  readonly value?: string;
}

/** Per-scan settings of a `WindowScanner`. */
export interface WindowScannerOptions {
  readonly settings: readonly ResolvedSettings[];
  readonly fingerprinter: Fingerprinter;
  readonly includeMasked: boolean;
  readonly contextBefore: number;
  readonly contextAfter: number;
  /** Decide and report, change no byte. */
  readonly monitor: boolean;
  /** Stop at the first `block` finding (streams); otherwise mask it like a redaction and go on. */
  readonly stopOnBlock: boolean;
  readonly onFinding?: (finding: RevealedFinding) => void;
  /** Attach the canonical value to findings (local investigation only). */
  readonly reveal?: boolean;
}

/**
 * The chunk-independent core of the engine. Bytes go in as they arrive; bytes come out once no
 * match (nor the context that decides one) can still reach them, redacted in place. It keeps
 * a view window (what detectors match on) and the raw bytes not yet emitted, both bounded by
 * the hold-back, whatever the body size.
 *
 * Why the result cannot depend on chunking: a match that starts before the safe point
 * (`end - holdBack`) lies entirely in the window together with its trailing boundary and
 * context, so it is decided exactly as in a single pass; scanning resumes at the end of the
 * last accepted match or at the safe point, where a single pass would find the same next
 * match, with the byte before it still in the window for `\b`.
 */
export class WindowScanner {
  readonly findings: RevealedFinding[] = [];
  /** The finding that stopped the scan (`stopOnBlock`), if any. */
  blockedBy: RevealedFinding | null = null;
  /** View bytes scanned so far. */
  viewBytes = 0;

  private readonly holdBack: number;
  private readonly contextKeep: number;
  private view: Buffer = EMPTY;
  private viewBase = 0;
  private scanFrom = 0;
  private raw: Buffer = EMPTY;
  private rawBase = 0;
  private rawOwned = false;

  constructor(
    private readonly set: DetectorSet,
    private readonly mapper: ViewMapper,
    private readonly options: WindowScannerOptions,
  ) {
    this.holdBack = set.maxMatch + BOUNDARY_CONTEXT + options.contextAfter;
    this.contextKeep = options.contextBefore + BOUNDARY_CONTEXT;
  }

  /** Feeds raw bytes; returns the bytes that are now safe to emit (possibly none). */
  write(chunk: Buffer): Buffer {
    if (this.blockedBy) return EMPTY;
    this.appendRaw(chunk);
    this.appendView(this.mapper.push(chunk));
    return this.advance(false);
  }

  /** Ends the input; returns every remaining byte. */
  end(): Buffer {
    if (this.blockedBy) return EMPTY;
    this.appendView(this.mapper.flush());
    return this.advance(true);
  }

  private appendRaw(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.raw.length === 0) {
      // Alias the caller's chunk; copied on the first redaction (never mutate input).
      this.raw = chunk;
      this.rawOwned = false;
    } else {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.rawOwned = true;
    }
  }

  private appendView(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.view = this.view.length === 0 ? bytes : Buffer.concat([this.view, bytes]);
    this.viewBytes += bytes.length;
  }

  private advance(final: boolean): Buffer {
    const viewEnd = this.viewBase + this.view.length;
    const safe = final ? viewEnd : viewEnd - this.holdBack;
    if (safe > this.scanFrom) this.scanUpTo(safe);
    if (this.blockedBy) return EMPTY;

    let rawSafe: number;
    if (final) rawSafe = this.rawBase + this.raw.length;
    else if (safe <= this.viewBase) rawSafe = this.rawBase;
    else rawSafe = Math.max(this.rawBase, this.mapper.rawStart(safe));
    const out = this.raw.subarray(0, rawSafe - this.rawBase);
    this.raw = this.raw.subarray(rawSafe - this.rawBase);
    this.rawBase = rawSafe;

    const keepFrom = Math.max(this.viewBase, this.scanFrom - this.contextKeep);
    if (keepFrom > this.viewBase) {
      this.view = this.view.subarray(keepFrom - this.viewBase);
      this.viewBase = keepFrom;
      this.mapper.discard(keepFrom);
    }
    return out;
  }

  private scanUpTo(safe: number): void {
    const view = this.view;
    const from = this.scanFrom - this.viewBase;
    // Scan from the byte before `from` so `\b` sees it; a word byte there becomes `_` (still a
    // word byte, but never the first byte of a built-in value) so no match can start on it.
    let sliceStart = from;
    let patched = -1;
    let saved = 0;
    if (from > 0) {
      sliceStart = from - 1;
      saved = view[sliceStart] as number;
      if (isWordByte(saved)) {
        patched = sliceStart;
        view[sliceStart] = UNDERSCORE;
      }
    }
    let spans: number[];
    try {
      spans = this.set.findAll(view.subarray(sliceStart));
    } finally {
      if (patched >= 0) view[patched] = saved;
    }
    let resume = this.scanFrom;
    for (let i = 0; i < spans.length; i += 2) {
      const start = this.viewBase + sliceStart + (spans[i] as number);
      const end = this.viewBase + sliceStart + (spans[i + 1] as number);
      if (start < this.scanFrom) continue;
      if (start >= safe) break;
      resume = end;
      this.evaluate(start, end);
      if (this.blockedBy) return;
    }
    this.scanFrom = Math.max(resume, safe);
  }

  /** Decides which detectors a match belongs to, and records the findings. */
  private evaluate(start: number, end: number): void {
    const view = this.view;
    const rel = start - this.viewBase;
    const relEnd = end - this.viewBase;
    const text = view.toString('latin1', rel, relEnd);
    const set = this.set;
    if (set.builtins.length > 0 && !this.continuesNumber(rel, relEnd)) {
      const canonical = canonicalize(text);
      for (const detector of set.builtins) {
        if (!(detector.shapeTest as RegExp).test(text)) continue;
        const confidence = detector.definition.evaluate(text, canonical);
        if (confidence !== null) {
          this.record(detector, start, end, confidence, text, canonical);
        } else if (detector.id === 'payment_card') {
          this.retryCardPrefix(detector, start, text);
        }
      }
    }
    for (const detector of set.customs) {
      const sticky = detector.custom!.sticky;
      sticky.lastIndex = rel;
      const m = sticky.exec(view);
      if (m === null || m.index !== rel) continue;
      const length = (m[0] as unknown as Buffer).length;
      if (length === 0) continue;
      const customText = view.toString('latin1', rel, rel + length);
      const canonical = canonicalize(customText);
      const confidence = detector.definition.evaluate(customText, canonical);
      if (confidence !== null) this.record(detector, start, start + length, confidence, customText, canonical);
    }
  }

  /** A value glued to more digits by a dash (`12-123-45-6789`, `…1111-22`) is part of a longer id. */
  private continuesNumber(rel: number, relEnd: number): boolean {
    const v = this.view;
    if (rel >= 2 && v[rel - 1] === DASH && isDigit(v[rel - 2] as number)) return true;
    if (relEnd + 1 < v.length && v[relEnd] === DASH && isDigit(v[relEnd + 1] as number)) return true;
    return false;
  }

  /**
   * A grouped 17–19 digit candidate that fails validation may be a 16-digit card followed by
   * another short number (`4111 1111 1111 1111 123`): leftmost-first matching took the longer
   * form, so the 4-group prefix gets its own chance.
   */
  private retryCardPrefix(detector: CompiledDetector, start: number, text: string): void {
    const groups = text.split(/[ -]/);
    if (groups.length !== 5) return;
    const prefix = groups.slice(0, 4).join(text[4] as string);
    if (!(detector.shapeTest as RegExp).test(prefix)) return;
    const canonical = canonicalize(prefix);
    const confidence = detector.definition.evaluate(prefix, canonical);
    if (confidence !== null) this.record(detector, start, start + prefix.length, confidence, prefix, canonical);
  }

  private record(detector: CompiledDetector, start: number, end: number, base: Confidence, text: string, canonical: string): void {
    const settings = this.options.settings[detector.index] as ResolvedSettings;
    if (!settings.enabled) return;
    let confidence = base;
    if (confidence !== 'high' && detector.keywords.size > 0 && this.keywordNear(detector, start, end)) confidence = 'high';
    if (CONFIDENCE_RANK[confidence] < settings.minRank) return;

    const finding: RevealedFinding = {
      detector: detector.id,
      start: this.mapper.rawStart(start),
      end: this.mapper.rawEnd(end - 1),
      confidence,
      fingerprint: this.options.fingerprinter.of(canonical),
      ...(this.options.includeMasked ? { masked: maskText(text, settings.keepLast) } : {}),
      action: settings.action,
      ...(this.options.reveal ? { value: canonical } : {}),
    };
    this.findings.push(finding);
    this.options.onFinding?.(finding);
    if (this.options.monitor) return;
    if (settings.action === 'redact') {
      this.redact(start, end, settings.keepLast);
    } else if (settings.action === 'block') {
      if (this.options.stopOnBlock) this.blockedBy = finding;
      else this.redact(start, end, 0);
    }
  }

  private keywordNear(detector: CompiledDetector, start: number, end: number): boolean {
    const rel = start - this.viewBase;
    const relEnd = end - this.viewBase;
    const from = Math.max(0, rel - this.options.contextBefore);
    const to = Math.min(this.view.length, relEnd + this.options.contextAfter);
    const context = this.view.toString('latin1', from, rel) + ' ' + this.view.toString('latin1', relEnd, to);
    return detector.keywords.foundIn(context.toLowerCase());
  }

  /** Overwrites the raw bytes behind the value's letters and digits, keeping the last `keepLast`. */
  private redact(start: number, end: number, keepLast: number): void {
    const view = this.view;
    let alnum = 0;
    for (let v = start; v < end; v++) if (isAlnumByte(view[v - this.viewBase] as number)) alnum++;
    const maskCount = Math.max(0, alnum - keepLast);
    if (!this.rawOwned) {
      this.raw = Buffer.from(this.raw);
      this.rawOwned = true;
    }
    let masked = 0;
    for (let v = start; v < end && masked < maskCount; v++) {
      if (!isAlnumByte(view[v - this.viewBase] as number)) continue;
      const rawStart = this.mapper.rawStart(v);
      this.mapper.maskRaw(this.raw, rawStart - this.rawBase, this.mapper.rawEnd(v) - rawStart);
      masked++;
    }
  }
}

function isDigit(b: number): boolean {
  return b >= 48 && b <= 57;
}
