import type { CompiledDetector, DetectorSet, ResolvedSettings, ScanPlan } from './detector-set.js';
import type { KeywordMatcher } from './keyword-matcher.js';
import { CONFIDENCE_RANK } from './detector-set.js';
import type { Fingerprinter } from './fingerprint.js';
import { canonicalize, isAlnumByte, isLetterByte, isLowerByte, isUpperByte, isWordByte, maskText } from './masking.js';
import type { ActionedFinding, Confidence, ViewMapper } from './types.js';
import { ASCII_MASK } from './decode/fold.js';
import { isJsonWhitespace } from './decode/located-offsets.js';

const EMPTY = Buffer.alloc(0);
const UNDERSCORE = 0x5f;
const DASH = 0x2d;
const POINT = 0x2e;
const PLUS = 0x2b;
/** The mask inside X12 interchanges whose element separator is `*`. */
const X12_MASK = 0x58;
const SPACE = 0x20;
/** Bytes around a match read by the boundary rules (a `-digit` continuation). */
const BOUNDARY_CONTEXT = 2;
/** How far a search for weak shapes walks back to start outside any digit group. */
const CLEAN_WALKBACK = 24;

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
  readonly onFinding?: ((finding: RevealedFinding) => void) | undefined;
  /** Attach the canonical value to findings (local investigation only). */
  readonly reveal?: boolean;
  /** The body is declared JSON: a redacted `"key": 123456789` number becomes a same-length string. */
  readonly json?: boolean;
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
  private readonly plan: ScanPlan;
  /** The payment card detector, when this scan runs it (its grouped shapes need `splitGroupedCards`). */
  private readonly card: CompiledDetector | null;
  /** Where weak shapes may still start, around keywords seen so far: `[lo, hi, lo, hi, …]`. */
  private regions: number[] = [];
  /** End of the last weak candidate considered: the weak search continues from here. */
  private weakFrom = 0;
  private view: Buffer = EMPTY;
  private viewBase = 0;
  private scanFrom = 0;
  private raw: Buffer = EMPTY;
  private rawBase = 0;
  private rawOwned = false;
  /** Where the first search starts (see `searchFrom`). */
  private firstSearch = 0;
  /** The body's first four raw bytes: an X12 interchange says there which byte separates its elements. */
  private readonly head: number[] = [];

  constructor(
    private readonly set: DetectorSet,
    private readonly mapper: ViewMapper,
    private readonly options: WindowScannerOptions,
  ) {
    this.holdBack = set.maxMatch + BOUNDARY_CONTEXT + options.contextAfter;
    this.plan = set.plan(options.settings);
    const card = set.get('payment_card');
    this.card = card !== undefined && (options.settings[card.index] as ResolvedSettings).enabled ? card : null;
    this.contextKeep =
      Math.max(options.contextBefore, options.contextAfter + this.plan.weakMaxLength + CLEAN_WALKBACK) + BOUNDARY_CONTEXT;
  }

  /**
   * Starts the first search at view offset `offset`, where the caller found the main pattern's
   * first match in the same bytes (no match starts before it).
   */
  searchFrom(offset: number): void {
    if (this.viewBytes === 0) this.firstSearch = offset;
  }

  /** Feeds raw bytes; returns the bytes that are now safe to emit (possibly none). */
  write(chunk: Buffer): Buffer {
    if (this.blockedBy) return EMPTY;
    this.appendRaw(chunk);
    this.appendView(this.mapper.push(chunk));
    return this.advance(false);
  }

  /**
   * Feeds the last raw bytes and ends the input: `write(chunk)` then `end()` in one pass (one
   * pattern scan instead of two for a body that arrives whole). Returns every remaining byte.
   */
  writeLast(chunk: Buffer): Buffer {
    if (this.blockedBy) return EMPTY;
    this.appendRaw(chunk);
    this.appendView(this.mapper.push(chunk));
    this.appendView(this.mapper.flush());
    return this.advance(true);
  }

  /** Ends the input; returns every remaining byte. */
  end(): Buffer {
    if (this.blockedBy) return EMPTY;
    this.appendView(this.mapper.flush());
    return this.advance(true);
  }

  private appendRaw(chunk: Buffer): void {
    if (chunk.length === 0) return;
    for (let i = 0; i < chunk.length && this.head.length < 4; i++) this.head.push(chunk[i] as number);
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
    if (safe > this.scanFrom) this.scanUpTo(safe, final);
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

  private scanUpTo(safe: number, final: boolean): void {
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
    const slice = view.subarray(sliceStart);
    let spans: number[];
    try {
      spans = this.set.findAll(this.plan.main, slice, this.firstSearch);
      this.firstSearch = 0;
    } finally {
      if (patched >= 0) view[patched] = saved;
    }
    if (this.card !== null) spans = this.splitGroupedCards(slice, sliceStart, spans);
    const base = this.viewBase + sliceStart;
    const candidates: number[] = [];
    let resume = this.scanFrom;
    for (let i = 0; i < spans.length; i += 2) {
      const start = base + (spans[i] as number);
      const end = base + (spans[i + 1] as number);
      if (start < this.scanFrom) continue;
      const keywordLength = this.plan.keywords !== null ? this.keywordLength(start, end, final) : 0;
      if (keywordLength > 0) {
        // Keywords past the safe point matter too: they are the after-context of values before it.
        this.addRegion(start, start + keywordLength);
      } else if (start < safe) {
        candidates.push(start, end);
      }
      if (start < safe) resume = end;
    }
    if (this.plan.weak !== null && this.regions.length > 0) this.findWeak(safe, candidates);
    for (let i = 0; i < candidates.length; i += 2) {
      this.evaluate(candidates[i] as number, candidates[i + 1] as number);
      if (this.blockedBy) return;
    }
    this.scanFrom = Math.max(resume, safe);
  }

  /** Length of the keyword a `main` span is, or 0 when the span is a value candidate. */
  private keywordLength(start: number, end: number, final: boolean): number {
    const view = this.view;
    const rel = start - this.viewBase;
    const keywords = this.plan.keywords as KeywordMatcher;
    if (keywords.startBytes[view[rel] as number] !== 1) return 0;
    // The word boundary rules read the byte before the keyword and two after it.
    const from = rel > 0 ? rel - 1 : 0;
    const wanted = end - this.viewBase + 2;
    const to = Math.min(view.length, wanted);
    const length = keywords.lengthAt(view.toString('latin1', from, to), rel - from);
    if (length > 0) return length;
    // Bytes not received yet may still make it a keyword: a region opened for nothing costs a
    // search, a region missed would lose a value that a single pass finds.
    return !final && to < wanted ? end - start : 0;
  }

  /**
   * Grouped card candidates of five groups (`4111 1111 1111 1111 536`) that are not a card as
   * a whole are cut after the fourth group, and the scan goes on from there as a single pass
   * would after a 16-digit match: the fifth group may begin another value
   * (`4111 1111 1111 1111 536-22-1234`). Matches after the cut are found again where they
   * differ from the ones `findAll` returned; where they agree again, the rest is kept.
   * Offsets are in `slice`, the view from `sliceStart`.
   */
  private splitGroupedCards(slice: Buffer, sliceStart: number, spans: number[]): number[] {
    const n = spans.length;
    let any = false;
    for (let i = 0; i < n && !any; i += 2) any = this.groupedCardCut(sliceStart, spans[i] as number, spans[i + 1] as number) >= 0;
    if (!any) return spans;
    const main = this.plan.main as NonNullable<ScanPlan['main']>;
    const out: number[] = [];
    let j = 0;
    let pos = 0;
    // `spans[j]` is the first match at or after any position from `alignedFrom` to its start.
    let alignedFrom = 0;
    for (;;) {
      while (j < n && (spans[j] as number) < pos) {
        alignedFrom = spans[j + 1] as number;
        j += 2;
      }
      let start: number;
      let end: number;
      if (pos >= alignedFrom) {
        if (j >= n) break;
        start = spans[j] as number;
        end = spans[j + 1] as number;
        j += 2;
        alignedFrom = end;
      } else {
        const match = this.set.nextMatch(main, slice, pos);
        if (match === null) break;
        [start, end] = match;
      }
      const cut = this.groupedCardCut(sliceStart, start, end);
      out.push(start, cut >= 0 ? cut : end);
      pos = cut >= 0 ? cut : end === start ? end + 1 : end;
    }
    return out;
  }

  /** Where a five-group card candidate (view offsets `sliceStart +` span) is cut, or -1. */
  private groupedCardCut(sliceStart: number, start: number, end: number): number {
    const length = end - start;
    if (length < 21 || length > 23) return -1;
    const view = this.view;
    const rel = sliceStart + start;
    const separator = view[rel + 4] as number;
    if ((separator !== SPACE && separator !== DASH && separator !== PLUS) || view[rel + 9] !== separator || view[rel + 14] !== separator || view[rel + 19] !== separator) {
      return -1;
    }
    for (let k = 0; k < length; k++) if (k % 5 !== 4 && !isDigit(view[rel + k] as number)) return -1;
    const card = this.card as CompiledDetector;
    const text = view.toString('latin1', rel, rel + length);
    if (!this.continuesNumber(rel, rel + length) && card.definition.evaluate(text, canonicalize(text)) !== null) return -1;
    return start + 19;
  }

  /** Weak shapes may start where this keyword is within their before- or after-context. */
  private addRegion(keywordStart: number, keywordEnd: number): void {
    const lo = Math.max(this.viewBase + 1, keywordEnd - this.options.contextAfter - this.plan.weakMaxLength);
    const hi = keywordStart + this.options.contextBefore + 1;
    const r = this.regions;
    const last = r.length - 2;
    if (last >= 0 && lo <= (r[last + 1] as number)) {
      r[last] = Math.min(r[last] as number, lo);
      r[last + 1] = Math.max(r[last + 1] as number, hi);
    } else {
      r.push(lo, hi);
    }
  }

  /**
   * Finds weak-shape candidates starting before `safe` inside the keyword regions, merged into
   * `candidates` in start order. The search resumes where the previous weak candidate ended,
   * or starts outside any digit group, so it sees the matches a single pass would.
   */
  private findWeak(safe: number, candidates: number[]): void {
    const weak = this.plan.weak as NonNullable<ScanPlan['weak']>;
    const view = this.view;
    const found: number[] = [];
    const r = this.regions;
    for (let i = 0; i < r.length; i += 2) {
      const lo = r[i] as number;
      const hi = Math.min(r[i + 1] as number, safe);
      let from = Math.max(lo, this.weakFrom, this.viewBase + 1);
      if (from >= hi) continue;
      if (from !== this.weakFrom) {
        const floor = Math.max(this.viewBase + 1, from - CLEAN_WALKBACK);
        while (from > floor && isWeakShapeByte(view[from - 1 - this.viewBase] as number)) from--;
      }
      // Search only the region (plus room for a match and its trailing boundary), from one
      // byte before `from` so that \b sees it: an unbounded exec would read to the body's end.
      const sliceStart = from - 1 - this.viewBase;
      const sliceEnd = Math.min(view.length, hi - this.viewBase + this.plan.weakMaxLength + BOUNDARY_CONTEXT);
      const slice = view.subarray(sliceStart, sliceEnd);
      const spans = this.set.findAll(weak, slice, 1);
      for (let k = 0; k < spans.length; k += 2) {
        const start = this.viewBase + sliceStart + (spans[k] as number);
        if (start >= hi) break;
        const end = this.viewBase + sliceStart + (spans[k + 1] as number);
        if (start >= this.weakFrom) {
          found.push(start, end);
          this.weakFrom = end;
        }
      }
    }
    // Regions wholly before the safe point are done.
    const kept: number[] = [];
    for (let i = 0; i < r.length; i += 2) if ((r[i + 1] as number) > safe) kept.push(r[i] as number, r[i + 1] as number);
    this.regions = kept;
    if (found.length === 0) return;
    const merged: number[] = [];
    let a = 0;
    let b = 0;
    while (a < candidates.length || b < found.length) {
      if (b >= found.length || (a < candidates.length && (candidates[a] as number) <= (found[b] as number))) {
        // A weak match where `main` matched too is the same value: evaluating it twice would
        // report it twice (a 10-digit NPI is also an NHS-shaped weak match).
        if (b < found.length && found[b] === candidates[a]) b += 2;
        merged.push(candidates[a] as number, candidates[a + 1] as number);
        a += 2;
      } else {
        merged.push(found[b] as number, found[b + 1] as number);
        b += 2;
      }
    }
    candidates.length = 0;
    candidates.push(...merged);
  }

  /** Decides which detectors a match belongs to, and records the findings. */
  private evaluate(start: number, end: number): void {
    const view = this.view;
    const rel = start - this.viewBase;
    const relEnd = end - this.viewBase;
    const text = view.toString('latin1', rel, relEnd);
    const set = this.set;
    if (set.builtins.length > 0 && !this.continuesNumber(rel, relEnd) && !this.inLongerGrouping(rel, relEnd) && !this.afterDialPrefix(rel)) {
      const canonical = canonicalize(text);
      const length = text.length;
      for (const detector of set.builtins) {
        if (length > detector.definition.maxLength || !(detector.shapeTest as RegExp).test(text)) continue;
        const confidence = detector.definition.evaluate(text, canonical);
        if (confidence !== null) this.record(detector, start, end, confidence, text, canonical);
      }
    }
    for (const detector of set.customs) {
      const sticky = detector.custom!.sticky;
      // test, not exec: a sticky match starts at `rel`, and its end is the new lastIndex.
      sticky.lastIndex = rel;
      if (!sticky.test(view)) continue;
      const length = sticky.lastIndex - rel;
      if (length === 0) continue;
      const customText = view.toString('latin1', rel, rel + length);
      const canonical = canonicalize(customText);
      const confidence = detector.definition.evaluate(customText, canonical);
      if (confidence !== null) this.record(detector, start, start + length, confidence, customText, canonical);
    }
  }

  /**
   * A value printed in space-separated groups (`712 01 2345`), with more digit groups joined
   * the same way before or after it, is a piece of a longer grouped number: tracking numbers
   * (`1Z 5R8 712 01 2345 678 4`, `9400 9032 5883 4859 6029 90`), account and reference
   * numbers. A whole card of 15 digits or more only when a group comes before it (an IBAN,
   * `FR76 9423 3677 4030 2616 5037 602`; `USPS 9400 5093 3258 2605 3573 63`): a card followed
   * by its expiry (`4111 1111 1111 1111 12/26`) stays a card.
   */
  private inLongerGrouping(rel: number, relEnd: number): boolean {
    const v = this.view;
    const separator = v[rel + 3] === SPACE || v[rel + 4] === SPACE ? SPACE : v[rel + 3] === PLUS || v[rel + 4] === PLUS ? PLUS : -1;
    if (separator < 0) return false;
    let digits = 0;
    for (let i = rel; i < relEnd; i++) if (isDigit(v[i] as number)) digits++;
    const before = rel >= 2 && v[rel - 1] === separator && isDigit(v[rel - 2] as number);
    const after = relEnd + 1 < v.length && v[relEnd] === separator && isDigit(v[relEnd + 1] as number);
    return before || (digits < 15 && after);
  }

  /**
   * A value right after an international dialling prefix (`+44 113 496 0018`,
   * `+44 (0)113 496 0018`, `+1-212…`) is a phone number.
   */
  private afterDialPrefix(rel: number): boolean {
    const v = this.view;
    let i = rel - 1;
    if (i >= 0 && (v[i] === SPACE || v[i] === DASH)) i--;
    if (i >= 2 && v[i] === 0x29 && v[i - 1] === 0x30 && v[i - 2] === 0x28) {
      i -= 3;
      if (i >= 0 && v[i] === SPACE) i--;
    }
    let digits = 0;
    while (i >= 0 && digits < 4 && isDigit(v[i] as number)) {
      i--;
      digits++;
    }
    return digits >= 1 && digits <= 3 && i >= 0 && v[i] === PLUS;
  }

  /**
   * A value glued to more digits by a dash is part of a longer id (`12-123-45-6789`,
   * `…1111-22`); one after digits and a point is the fraction of a number (`0.4111111111111111`,
   * `1.536221234e+21`) or of a timestamp (`10:20:30.536221234Z`). Digits before a point stay a
   * value: an id exported as a float (`4111111111111111.0`) still carries it whole.
   */
  private continuesNumber(rel: number, relEnd: number): boolean {
    const v = this.view;
    if (rel >= 2 && (v[rel - 1] === DASH || v[rel - 1] === POINT) && isDigit(v[rel - 2] as number)) return true;
    if (relEnd + 1 < v.length && v[relEnd] === DASH && isDigit(v[relEnd + 1] as number)) return true;
    return false;
  }

  private record(detector: CompiledDetector, start: number, end: number, base: Confidence, text: string, canonical: string): void {
    const settings = this.options.settings[detector.index] as ResolvedSettings;
    if (!settings.enabled) return;
    let confidence = base;
    if (confidence !== 'high' && detector.keywords.size > 0 && !this.afterContraryWord(detector, start) && this.keywordNear(detector, start, end)) {
      confidence = 'high';
    }
    if (CONFIDENCE_RANK[confidence] < settings.minRank) return;

    // Optional fields are assigned, not spread in: spreads made each finding a generic clone.
    const finding: { -readonly [K in keyof RevealedFinding]: RevealedFinding[K] } = {
      detector: detector.id,
      start: this.mapper.rawStart(start),
      end: this.mapper.rawEnd(end - 1),
      confidence,
      fingerprint: this.options.fingerprinter.of(canonical),
      action: settings.action,
    };
    if (this.options.includeMasked) finding.masked = maskText(text, settings.keepLast);
    if (this.options.reveal) finding.value = canonical;
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

  /**
   * A value that is a bare JSON number (`"ssn": 536221234,`, `"cards": [4111…]`, `-536221234`)
   * cannot be masked with `*` without breaking the document, so the number token becomes a
   * string of the same length: `"***1234"`. Decided from the context in the window (a
   * member's key quote, unescaped, or an array opened by one; the token after), the same way
   * for streams and whole bodies. Returns false when the value is not such a number, or not
   * plain single-byte text.
   */
  private redactJsonNumber(start: number, end: number, keepLast: number): boolean {
    const view = this.view;
    const base = this.viewBase;
    if (end - start < 3) return false;
    for (let v = start; v < end; v++) if (!isDigit(view[v - base] as number)) return false;
    const floor = Math.max(0, start - base - this.options.contextBefore);
    let tokenStart = start;
    if (start - 1 - base >= floor && view[start - 1 - base] === DASH) tokenStart--;
    const rawStart = this.mapper.rawStart(tokenStart);
    if (this.mapper.rawEnd(end - 1) - rawStart !== end - tokenStart) return false;
    if (!this.opensJsonValue(tokenStart - 1 - base, floor)) return false;
    let j = end - base;
    const ceiling = Math.min(view.length, end - base + this.options.contextAfter);
    while (j < ceiling && isJsonWhitespace(view[j] as number)) j++;
    const next = view[j];
    if (j >= ceiling || (next !== 0x2c && next !== 0x7d && next !== 0x5d)) return false; // , } ]
    if (!this.rawOwned) {
      this.raw = Buffer.from(this.raw);
      this.rawOwned = true;
    }
    const from = rawStart - this.rawBase;
    const length = end - tokenStart;
    const kept = Math.min(keepLast, length - 2);
    this.raw[from] = 0x22;
    this.raw.fill(0x2a, from + 1, from + length - 1 - kept);
    this.raw.copyWithin(from + length - 1 - kept, from + length - kept, from + length);
    this.raw[from + length - 1] = 0x22;
    return true;
  }

  /**
   * Whether the view up to index `i` (back to `floor`) is where a JSON value starts: after a
   * member's `"key":`, or in an array that is a member's value (or the document) after `[` or
   * after earlier numbers and `,`. Strings are not walked back over: their quotes cannot be
   * told from a string's content without the document's start.
   */
  private opensJsonValue(i: number, floor: number): boolean {
    const view = this.view;
    for (;;) {
      while (i >= floor && isJsonWhitespace(view[i] as number)) i--;
      if (i < floor || !this.plainByte(this.viewBase + i)) return false;
      const byte = view[i];
      if (byte === 0x2c) {
        // `,`: an earlier number of the same array must precede it.
        i--;
        while (i >= floor && isJsonWhitespace(view[i] as number)) i--;
        const numberEnd = i;
        while (i >= floor && isJsonNumberByte(view[i] as number)) i--;
        if (i === numberEnd) return false;
        continue;
      }
      if (byte === 0x5b) {
        // `[`: the document itself, or a member's value.
        i--;
        while (i >= floor && isJsonWhitespace(view[i] as number)) i--;
        if (i < 0 && this.viewBase === 0) return true;
        if (i < floor || view[i] !== 0x3a || !this.plainByte(this.viewBase + i)) return false;
      } else if (byte !== 0x3a) {
        return false;
      }
      // `:` — the key's closing quote, as sent: a `\"` inside a string is one view byte from two raw ones.
      i--;
      while (i >= floor && isJsonWhitespace(view[i] as number)) i--;
      return i >= floor && view[i] === 0x22 && this.plainByte(this.viewBase + i);
    }
  }

  /** Whether view byte `v` stands for exactly one raw byte (not an escape or multi-byte form). */
  private plainByte(v: number): boolean {
    return this.mapper.rawEnd(v) - this.mapper.rawStart(v) === 1;
  }

  /**
   * Whether the words right before the value say it is something else: the nearest word that is
   * not a generic one (`number`, `no`, `value`…) is one of the detector's contrary words.
   * `providerPhone`, `provider_phone_number`, `Phone No:` and FHIR's `"system":"phone","value":`
   * all end so; `"npi":` or any other word does not. A camelCase key's humps are its words.
   */
  private afterContraryWord(detector: CompiledDetector, start: number): boolean {
    const contrary = detector.definition.contraryWords;
    if (contrary === undefined) return false;
    const v = this.view;
    const floor = Math.max(0, start - this.viewBase - this.options.contextBefore);
    let i = start - this.viewBase;
    for (let words = 0; words < 4; words++) {
      while (i > floor && !isLetterByte(v[i - 1] as number)) i--;
      if (i === floor) return false;
      const end = i;
      i--;
      while (i > floor && isLetterByte(v[i - 1] as number) && !(isUpperByte(v[i] as number) && isLowerByte(v[i - 1] as number))) i--;
      const word = v.toString('latin1', i, end).toLowerCase();
      if (contrary.includes(word)) return true;
      if (!GENERIC_WORDS.includes(word)) return false;
    }
    return false;
  }

  private keywordNear(detector: CompiledDetector, start: number, end: number): boolean {
    const rel = start - this.viewBase;
    const relEnd = end - this.viewBase;
    const from = Math.max(0, rel - this.options.contextBefore);
    const to = Math.min(this.view.length, relEnd + this.options.contextAfter);
    return detector.keywords.foundIn(this.view.toString('latin1', from, rel) + ' ' + this.view.toString('latin1', relEnd, to));
  }

  /** Overwrites the raw bytes behind the value's letters and digits, keeping the last `keepLast`. */
  private redact(start: number, end: number, keepLast: number): void {
    if (this.options.json && this.redactJsonNumber(start, end, keepLast)) return;
    const view = this.view;
    let alnum = 0;
    for (let v = start; v < end; v++) if (isAlnumByte(view[v - this.viewBase] as number)) alnum++;
    const maskCount = Math.max(0, alnum - keepLast);
    if (!this.rawOwned) {
      this.raw = Buffer.from(this.raw);
      this.rawOwned = true;
    }
    let masked = 0;
    const mask = this.asciiMask();
    // The common case: the value is written as plain ASCII, one raw byte per view byte (an
    // escape, entity or multi-byte character would make the raw span longer or not ASCII).
    // Its letters and digits are then the raw bytes themselves, masked without a lookup each.
    const rawFrom = this.mapper.rawStart(start) - this.rawBase;
    if (this.mapper.rawEnd(end - 1) - this.rawBase - rawFrom === end - start && isAsciiRun(this.raw, rawFrom, end - start)) {
      for (let v = start; v < end && masked < maskCount; v++) {
        if (!isAlnumByte(view[v - this.viewBase] as number)) continue;
        this.raw[rawFrom + (v - start)] = mask;
        masked++;
      }
      return;
    }
    for (let v = start; v < end && masked < maskCount; v++) {
      if (!isAlnumByte(view[v - this.viewBase] as number)) continue;
      const rawStart = this.mapper.rawStart(v);
      const length = this.mapper.rawEnd(v) - rawStart;
      if (length === 1 && mask !== ASCII_MASK) this.raw[rawStart - this.rawBase] = mask;
      else this.mapper.maskRaw(this.raw, rawStart - this.rawBase, length);
      masked++;
    }
  }

  /**
   * The mask for ASCII characters: `*`, except in an X12 EDI interchange (`ISA*…`, health
   * claims and eligibility) that separates its elements with `*`, where a mask of `*`s would
   * split one element into many: there `X`.
   */
  private asciiMask(): number {
    const h = this.head;
    return h[0] === 0x49 && h[1] === 0x53 && h[2] === 0x41 && h[3] === ASCII_MASK ? X12_MASK : ASCII_MASK;
  }
}

/** Whether `bytes[from, from + length)` are all ASCII (values are short: a loop beats `buffer.isAscii` on a subarray). */
function isAsciiRun(bytes: Buffer, from: number, length: number): boolean {
  for (let i = from; i < from + length; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/** Bytes a weak shape is made of (digits, RRB letters, separators). */
function isWeakShapeByte(b: number): boolean {
  return isAlnumByte(b) || b === SPACE || b === DASH;
}

/** Bytes of a JSON number token. */
function isJsonNumberByte(b: number): boolean {
  return isDigit(b) || b === DASH || b === PLUS || b === POINT || b === 0x65 || b === 0x45; // e E
}

/** Words that name no kind of value (`phone number`, `Phone No`, FHIR's `value`): read past them. */
const GENERIC_WORDS = ['number', 'num', 'no', 'nr', 'value'];

function isDigit(b: number): boolean {
  return b >= 48 && b <= 57;
}
