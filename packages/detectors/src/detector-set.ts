import RE2 from 're2';
import { BUILTIN_DETECTORS, isBuiltinId } from './builtins/index.js';
import type { DetectorDefinition } from './builtins/definition.js';
import { compileCustomDetector, type CustomDetector } from './custom-detector.js';
import { DetectorConfigError } from './errors.js';
import { KeywordMatcher } from './keyword-matcher.js';
import type { Action, Confidence, DetectorSettings, ScanOptions } from './types.js';

/** Confidence as a number, for `minConfidence` comparisons. */
export const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };
/** Action strength: the strongest action of an exchange wins. */
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

/** Reasons RE2 may refuse a buffer (none for ours, but a marker byte may be present). */
const MARK = 0x00;

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
  private readonly combined: RE2 | null;
  private readonly byId: ReadonlyMap<string, CompiledDetector>;

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
        shapeTest: new RegExp(`^(?:${definition.shapes.join('|')})$`),
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

    // Built-in shapes share one pair of word boundaries; custom patterns bring their own.
    const alternatives: string[] = [];
    const builtinShapes = this.builtins.flatMap((d) => d.definition.shapes);
    if (builtinShapes.length > 0) alternatives.push(`\\b(?:${builtinShapes.join('|')})\\b`);
    for (const d of this.customs) alternatives.push((d.custom as CustomDetector).source);
    this.combined = alternatives.length > 0 ? new RE2(alternatives.join('|'), 'g') : null;
  }

  /** The compiled detector with this id, if enabled. */
  get(id: string): CompiledDetector | undefined {
    return this.byId.get(id);
  }

  /**
   * Settings of every detector for one scan: the engine's, with per-call overrides on top.
   * Overrides for ids that are not enabled are ignored, so a route rule cannot break a scan.
   */
  resolve(overrides: ScanOptions['overrides']): ResolvedSettings[] {
    if (!overrides) return this.detectors.map((d) => d.defaults);
    return this.detectors.map((d) => {
      const o = overrides[d.id];
      if (!o) return d.defaults;
      return resolveSettings(d.id, o, d.defaults);
    });
  }

  /**
   * Every match of the combined pattern in `view`, as `[start, end, start, end, …]` offsets.
   * Matches are found in one native call: RE2 wraps each match in marker bytes (`replace`),
   * and JavaScript locates the markers with `indexOf`. Crossing into the addon once per match
   * (`exec`) costs about 2 µs a match, which would dominate on digit-heavy traffic. When the
   * input already contains the marker byte, it falls back to an `exec` loop.
   */
  findAll(view: Buffer): number[] {
    const re = this.combined;
    const spans: number[] = [];
    if (re === null || view.length === 0) return spans;
    if (view.indexOf(MARK) === -1) {
      re.lastIndex = 0;
      const marked = re.replace(view, '\u0000$&\u0000') as unknown as Buffer;
      if (marked.length === view.length) return spans;
      let from = 0;
      let inserted = 0;
      for (;;) {
        const open = marked.indexOf(MARK, from);
        if (open < 0) break;
        const close = marked.indexOf(MARK, open + 1);
        const start = open - inserted;
        const end = start + (close - open - 1);
        spans.push(start, end);
        inserted += 2;
        from = close + 1;
      }
      return spans;
    }
    re.lastIndex = 0;
    for (;;) {
      const m = re.exec(view);
      if (m === null) break;
      const length = (m[0] as unknown as Buffer).length;
      spans.push(m.index, m.index + length);
      if (length === 0) re.lastIndex = m.index + 1;
    }
    return spans;
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
