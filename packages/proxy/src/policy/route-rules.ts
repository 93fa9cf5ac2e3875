/**
 * Per-route rules (design.md §4), compiled once per policy revision. For each half of an
 * exchange the first rule whose match holds decides the detector overrides of that half.
 */
import type { ScanOptions } from '@leakguard/detectors';
import { compileGlob } from './glob-pattern.js';
import type { RuleDirection, RuleListener, RuleSpec } from './policy-document.js';

export type Direction = 'request' | 'response';
export type Listener = 'inbound' | 'egress';

/** What the rules resolved for one half of an exchange. */
export interface RouteDecision {
  /** The rule's `name`, its index (`"0"`, `"1"`…), or `"default"`: a bounded metrics label, never a raw path. */
  readonly ruleLabel: string;
  /** Index in `spec.rules`, or -1 when no rule matched. */
  readonly ruleIndex: number;
  /** Handed to the engine as `ScanOptions.overrides`. */
  readonly overrides: ScanOptions['overrides'] | undefined;
}

/** The request facts a rule can match on; `path` is already normalised for matching. */
export interface RouteQuery {
  listener: Listener;
  method: string;
  host: string;
  path: string;
}

const DEFAULT_DECISION: RouteDecision = Object.freeze({ ruleLabel: 'default', ruleIndex: -1, overrides: undefined });

class CompiledRule {
  readonly decision: RouteDecision;
  private readonly direction: RuleDirection;
  private readonly listener: RuleListener;
  private readonly methods: ReadonlySet<string> | undefined;
  private readonly paths: readonly RegExp[] | undefined;
  private readonly hosts: readonly RegExp[] | undefined;

  constructor(spec: RuleSpec, index: number) {
    this.decision = Object.freeze({ ruleLabel: spec.name ?? String(index), ruleIndex: index, overrides: spec.detectors });
    this.direction = spec.match.direction ?? 'both';
    this.listener = spec.match.listener ?? 'both';
    this.methods = spec.match.methods ? new Set(spec.match.methods) : undefined;
    this.paths = spec.match.paths?.map((glob) => compileGlob(glob, '/'));
    this.hosts = spec.match.hosts?.map((glob) => compileGlob(glob.toLowerCase(), '.', 'i'));
  }

  appliesTo(direction: Direction, query: RouteQuery): boolean {
    if (this.direction !== 'both' && this.direction !== direction) return false;
    if (this.listener !== 'both' && this.listener !== query.listener) return false;
    if (this.methods && !this.methods.has(query.method)) return false;
    if (this.paths && !this.paths.some((glob) => glob.test(query.path))) return false;
    if (this.hosts && !this.hosts.some((glob) => glob.test(query.host))) return false;
    return true;
  }
}

/** The compiled `spec.rules` of one policy revision. */
export class RouteTable {
  private readonly rules: readonly CompiledRule[];

  constructor(specs: readonly RuleSpec[]) {
    this.rules = specs.map((spec, index) => new CompiledRule(spec, index));
  }

  get size(): number {
    return this.rules.length;
  }

  /** The decision when no rule applies. */
  get defaultDecision(): RouteDecision {
    return DEFAULT_DECISION;
  }

  /** The decision for one half of an exchange: the first matching rule, else the defaults. */
  resolve(direction: Direction, query: RouteQuery): RouteDecision {
    for (const rule of this.rules) {
      if (rule.appliesTo(direction, query)) return rule.decision;
    }
    return DEFAULT_DECISION;
  }
}
