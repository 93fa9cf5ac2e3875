import RE2 from 're2';
import { BUILTIN_DETECTORS, isBuiltinId } from './builtins/index.js';
import type { DetectorDefinition } from './builtins/definition.js';
import { compileCustomDetector, type CustomDetector } from './custom-detector.js';
import { DetectorConfigError } from './errors.js';
import { KeywordMatcher } from './keyword-matcher.js';
import { isWordByte } from './masking.js';
import type { Action, Confidence, DetectorSettings, ScanOptions } from './types.js';

/** Confidence as a number (`low` 0 < `medium` 1 < `high` 2), for `minConfidence` comparisons. */
export const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };
/** Action strength (`log` 0 < `redact` 1 < `block` 2): the strongest action of an exchange wins. */
export const ACTION_RANK: Readonly<Record<Action, number>> = { log: 0, redact: 1, block: 2 };

const ACTIONS: readonly Action[] = ['log', 'redact', 'block'];
const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];
const BUILTIN_FIELDS = new Set(['enabled', 'action', 'minConfidence', 'redaction', 'keywords']);
const CUSTOM_FIELDS = new Set([...BUILTIN_FIELDS, 'pattern', 'maxLength', 'validator', 'baseConfidence']);

/** Settings of one detector after defaults and overrides are applied. */
export interface ResolvedSettings {
  readonly enabled: boolean;
  readonly action: Action;
  readonly minRank: number;
  readonly keepLast: number;
}

/** One enabled detector, compiled. */
export interface CompiledDetector {
  readonly index: number;
  readonly id: string;
  readonly definition: DetectorDefinition;
  /** Anchored JavaScript test of a built-in's printed forms (classification of a match). */
  readonly shapeTest: RegExp | null;
  readonly custom: CustomDetector | null;
  readonly keywords: KeywordMatcher;
  readonly defaults: ResolvedSettings;
}

/** What `RE2#exec` returns for a Buffer: offsets in bytes, the match as bytes. */
interface BufferMatch {
  index: number;
  0: Buffer;
}

/** Matches `findAll` takes one by one before it hands the rest to one `replace`. */
const SEARCHED_MATCHES = 12;
/** Marker byte wrapped around each match by `findAll`. */
const MARK = 0x00;
const UNDERSCORE = 0x5f;

/**
 * The RE2 patterns one scan runs, for one combination of per-scan settings. Shapes of
 * detectors whose findings could only be `low` without context are left out of `main` unless
 * the settings ask for `low`; `main` instead matches their keywords, and `weak` finds those
 * shapes around each keyword.
 */
export interface ScanPlan {
  /** Strong shapes, custom patterns and gating keywords, in one pattern. */
  readonly main: RE2 | null;
  /** Weak shapes of gated detectors, run near their keywords only. */
  readonly weak: RE2 | null;
  /** Keywords of gated detectors: tells which `main` matches are keywords, and how long. */
  readonly keywords: KeywordMatcher | null;
  /** Longest weak match, in bytes. */
  readonly weakMaxLength: number;
}

/**
 * Start of the leftmost match of `re` at or after `from`, -1 if none, or -2 when only `exec`
 * can tell (a match on the context byte). `search` reads its input from the start, so past 0
 * it reads from the byte before `from`, made `_` if it is a word byte: `\b` at `from` then
 * sees what it sees in the whole view.
 */
function searchFrom(re: RE2, view: Buffer, from: number): number {
  if (from === 0) return re.search(view);
  const context = from - 1;
  const saved = view[context] as number;
  const patch = isWordByte(saved);
  if (patch) view[context] = UNDERSCORE;
  let found: number;
  try {
    found = re.search(view.subarray(context));
  } finally {
    if (patch) view[context] = saved;
  }
  if (found === 0) return -2;
  return found < 0 ? -1 : context + found;
}

/**
 * Every enabled detector of an engine, joined into one RE2 pattern so that a body is scanned
 * once whatever the number of detectors. Built at engine creation, never per scan.
 */
export class DetectorSet {
  readonly detectors: readonly CompiledDetector[];
  readonly builtins: readonly CompiledDetector[];
  readonly customs: readonly CompiledDetector[];
  /** Longest possible match of any enabled detector, in view bytes. */
  readonly maxMatch: number;
  private readonly byId: ReadonlyMap<string, CompiledDetector>;
  private readonly plans = new Map<string, ScanPlan>();
  private readonly anchoredTwins = new WeakMap<RE2, RE2>();

  constructor(config: Record<string, DetectorSettings> = {}) {
    const detectors: CompiledDetector[] = [];
    for (const id of Object.keys(config)) {
      const settings = config[id];
      if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
        throw new DetectorConfigError(id, id, 'must be an object of detector settings');
      }
      const allowed = isBuiltinId(id) ? BUILTIN_FIELDS : CUSTOM_FIELDS;
      for (const field of Object.keys(settings)) {
        if (!allowed.has(field)) {
          const why = isBuiltinId(id) && CUSTOM_FIELDS.has(field) ? 'applies to custom detectors only' : 'is not a detector setting';
          throw new DetectorConfigError(id, field, why);
        }
      }
    }
    for (const [id, definition] of BUILTIN_DETECTORS) {
      const settings = config[id] ?? {};
      const defaults = resolveSettings(id, settings);
      if (!defaults.enabled) continue;
      const keywords = settings.keywords ?? definition.keywords;
      validateKeywords(id, keywords);
      detectors.push({
        index: detectors.length,
        id,
        definition,
        shapeTest: new RegExp(`^(?:${[...definition.shapes, ...definition.weakShapes].join('|')})$`),
        custom: null,
        keywords: new KeywordMatcher(keywords),
        defaults,
      });
    }
    for (const [id, settings] of Object.entries(config)) {
      if (isBuiltinId(id)) continue;
      const defaults = resolveSettings(id, settings);
      const custom = compileCustomDetector(id, settings);
      if (!defaults.enabled) continue;
      detectors.push({ index: detectors.length, id, definition: custom, shapeTest: null, custom, keywords: new KeywordMatcher(custom.keywords), defaults });
    }
    this.detectors = detectors;
    this.builtins = detectors.filter((d) => d.custom === null);
    this.customs = detectors.filter((d) => d.custom !== null);
    this.byId = new Map(detectors.map((d) => [d.id, d]));
    this.maxMatch = Math.max(1, ...detectors.map((d) => d.definition.maxLength));
    this.defaultSettings = Object.freeze(this.detectors.map((d) => d.defaults));
    this.defaultPlan = this.plan(this.defaultSettings);
  }

  /** Every detector's own settings, as `resolve` returns them for a scan without overrides. */
  private readonly defaultSettings: readonly ResolvedSettings[];
  /** The plan of `defaultSettings`: most scans use it, so it is not even looked up. */
  private readonly defaultPlan: ScanPlan | undefined;

  /**
   * The patterns for a scan with these settings. Compiled on first use of each combination of
   * enabled and gated detectors (a handful per policy), then cached: never compiled per scan.
   */
  plan(settings: readonly ResolvedSettings[]): ScanPlan {
    if (settings === this.defaultSettings && this.defaultPlan !== undefined) return this.defaultPlan;
    let key = '';
    for (const d of this.detectors) {
      const s = settings[d.index] as ResolvedSettings;
      key += !s.enabled ? '0' : d.definition.weakShapes.length > 0 && s.minRank > CONFIDENCE_RANK.low ? 'g' : '1';
    }
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.compilePlan(key);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private compilePlan(key: string): ScanPlan {
    const strong: string[] = [];
    const weak: string[] = [];
    const keywordList: string[] = [];
    let weakMaxLength = 0;
    for (const d of this.builtins) {
      const mode = key[d.index];
      if (mode === '0') continue;
      strong.push(...d.definition.shapes);
      if (mode === 'g') {
        weak.push(...d.definition.weakShapes);
        weakMaxLength = Math.max(weakMaxLength, d.definition.maxLength);
        keywordList.push(...d.keywords.list);
      } else {
        strong.push(...d.definition.weakShapes);
      }
    }
    // Built-in shapes share one pair of word boundaries; custom patterns bring their own;
    // keywords come last so that at one position a value's shape wins over a keyword.
    const alternatives: string[] = [];
    if (strong.length > 0) alternatives.push(`\\b(?:${strong.join('|')})\\b`);
    for (const d of this.customs) if (key[d.index] !== '0') alternatives.push((d.custom as CustomDetector).source);
    const keywords = keywordList.length > 0 ? new KeywordMatcher(keywordList) : null;
    const keywordSource = keywords?.re2Source();
    if (keywordSource) alternatives.push(keywordSource);
    const main = alternatives.length > 0 ? new RE2(alternatives.join('|'), 'g') : null;
    const weakPattern = weak.length > 0 ? new RE2(`\\b(?:${weak.join('|')})\\b`, 'g') : null;
    // Their anchored twins too: compiled with the plan, not on the first scan that finds a match.
    for (const re of [main, weakPattern]) if (re !== null) this.anchoredTwin(re);
    return { main, weak: weakPattern, keywords, weakMaxLength };
  }

  /**
   * Where the main pattern of a scan with these settings first matches in `view`, or -1. A
   * view it matches nowhere holds no finding: keywords and weak shapes only matter near a
   * main match.
   */
  firstMatch(view: Buffer, settings: readonly ResolvedSettings[]): number {
    const main = this.plan(settings).main;
    return main === null ? -1 : main.search(view);
  }

  /** The compiled detector with this id, if enabled. */
  get(id: string): CompiledDetector | undefined {
    return this.byId.get(id);
  }

  /**
   * Settings of every detector for one scan: the engine's, with per-call overrides on top.
   * Overrides for ids that are not enabled are ignored, so a route rule cannot break a scan.
   */
  resolve(overrides: ScanOptions['overrides']): readonly ResolvedSettings[] {
    if (!overrides) return this.defaultSettings;
    let overridden = false;
    const settings = this.detectors.map((d) => {
      const o = overrides[d.id];
      if (!o) return d.defaults;
      overridden = true;
      return resolveSettings(d.id, o, d.defaults);
    });
    return overridden ? settings : this.defaultSettings;
  }

  /**
   * Every match of the combined pattern in `view` that starts at or after `from` (the byte
   * before it is still read, for `\b`), as `[start, end, start, end, …]` offsets.
   * Each of the first matches costs two cheap native calls: `search` for where it starts and a
   * sticky `test` of the pattern's anchored twin for where it ends. `exec` would give both at
   * once but builds a result array and copies the match, about 3 µs a match, ten times the cost
   * of finding it. Past a few matches the rest come from one native call: RE2 wraps each match
   * in marker bytes (`replace`) and JavaScript locates the markers, since `replace` costs
   * about 6 µs before it reads a byte but nothing per match. An `exec` loop handles the inputs
   * neither way can (the marker byte already in the input, a match on the context byte).
   */
  findAll(re: RE2 | null, view: Buffer, from = 0): number[] {
    const spans: number[] = [];
    if (re === null || from >= view.length) return spans;
    const anchored = this.anchoredTwin(re);
    let previousEnd = from;
    for (let n = 0; ; n++) {
      const start = searchFrom(re, view, from);
      if (start === -1) return spans;
      if (start === -2) return this.execFrom(re, view, from, spans);
      if (n === SEARCHED_MATCHES) return this.replaceFrom(re, view, start, previousEnd, spans);
      anchored.lastIndex = start;
      if (!anchored.test(view)) return this.execFrom(re, view, from, spans);
      const end = anchored.lastIndex;
      spans.push(start, end);
      previousEnd = end;
      from = end === start ? end + 1 : end;
      if (from > view.length) return spans;
    }
  }

  /**
   * The first match of `re` in `view` that starts at or after `from` (the byte before it is
   * still read, for `\b`), as `[start, end]`, or null. For the few places that must resume a
   * scan somewhere `findAll` did not stop.
   */
  nextMatch(re: RE2, view: Buffer, from: number): [number, number] | null {
    if (from > view.length) return null;
    const start = searchFrom(re, view, from);
    if (start === -1) return null;
    if (start >= 0) {
      const anchored = this.anchoredTwin(re);
      anchored.lastIndex = start;
      if (anchored.test(view)) return [start, anchored.lastIndex];
    }
    re.lastIndex = from;
    const m = re.exec(view) as BufferMatch | null;
    return m === null ? null : [m.index, m.index + m[0].length];
  }

  /** The sticky copy of `re` that measures a match from its start; one per pattern, made with its plan. */
  private anchoredTwin(re: RE2): RE2 {
    let twin = this.anchoredTwins.get(re);
    if (twin === undefined) {
      twin = new RE2(re.source, 'y');
      this.anchoredTwins.set(re, twin);
    }
    return twin;
  }

  /**
   * `start` (a match found by `search`) and every later match, from one marker `replace` over
   * the view from the byte before `start`. That byte is made `_` if it is a word byte, so that
   * `\b` sees a word before the match as in the whole view, and no match starts on it; it must
   * not belong to an earlier match, which a fresh search could reuse.
   */
  private replaceFrom(re: RE2, view: Buffer, start: number, previousEnd: number, spans: number[]): number[] {
    const offset = Math.max(0, start - 1);
    if (offset < previousEnd) return this.execFrom(re, view, start, spans);
    const saved = view[offset] as number;
    const patch = start > 0 && isWordByte(saved);
    if (patch) view[offset] = UNDERSCORE;
    try {
      const rest = view.subarray(offset);
      if (rest.indexOf(MARK) === -1) {
        re.lastIndex = 0;
        const marked = re.replace(rest, '\u0000$&\u0000') as unknown as Buffer;
        let from = 0;
        let inserted = 0;
        for (;;) {
          const open = marked.indexOf(MARK, from);
          if (open < 0) break;
          // Matches are short: walking to the closing marker beats a second native indexOf call.
          let close = open + 1;
          while (marked[close] !== MARK) close++;
          const begin = open - inserted + offset;
          spans.push(begin, begin + (close - open - 1));
          inserted += 2;
          from = close + 1;
        }
        return spans;
      }
    } finally {
      if (patch) view[offset] = saved;
    }
    return this.execFrom(re, view, start, spans);
  }

  /** Every match at or after `from`, by `exec`. */
  private execFrom(re: RE2, view: Buffer, from: number, spans: number[]): number[] {
    re.lastIndex = from;
    for (;;) {
      const m = re.exec(view) as BufferMatch | null;
      if (m === null) return spans;
      const length = m[0].length;
      spans.push(m.index, m.index + length);
      if (length === 0) re.lastIndex = m.index + 1;
    }
  }

}

function resolveSettings(id: string, s: Partial<DetectorSettings>, base?: ResolvedSettings): ResolvedSettings {
  if (s.enabled !== undefined && typeof s.enabled !== 'boolean') throw new DetectorConfigError(id, 'enabled', 'must be true or false');
  if (s.action !== undefined && !ACTIONS.includes(s.action)) throw new DetectorConfigError(id, 'action', 'must be one of log, redact, block');
  if (s.minConfidence !== undefined && !CONFIDENCES.includes(s.minConfidence)) {
    throw new DetectorConfigError(id, 'minConfidence', 'must be one of low, medium, high');
  }
  const keepLast = s.redaction?.keepLast;
  if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0 || keepLast > 4)) {
    throw new DetectorConfigError(id, 'redaction.keepLast', 'must be an integer from 0 to 4');
  }
  return {
    enabled: s.enabled ?? base?.enabled ?? true,
    action: s.action ?? base?.action ?? 'log',
    minRank: s.minConfidence !== undefined ? CONFIDENCE_RANK[s.minConfidence] : base?.minRank ?? CONFIDENCE_RANK.medium,
    keepLast: keepLast ?? base?.keepLast ?? 0,
  };
}

function validateKeywords(id: string, keywords: unknown): void {
  if (!Array.isArray(keywords) || keywords.some((k) => typeof k !== 'string' || k.trim() === '')) {
    throw new DetectorConfigError(id, 'keywords', 'must be a list of non-empty strings');
  }
}
