/**
 * Audit events (design.md §6): one JSON line per exchange with findings, per policy load and
 * per error, on stdout through pino. Fields carry detector ids, counts, confidences, keyed
 * fingerprints and masks, never a raw value; free text that came from a client (host, path,
 * locations) is passed through `sanitize` before it is written.
 */
import pino, { type Logger, type DestinationStream, type Level } from 'pino';
import { ACTION_RANK, CONFIDENCE_RANK, type Action, type ActionedFinding, type Confidence } from '@leakguard/detectors';
import type { PolicyLoadEvent } from '../policy/policy-store.js';
import { stdoutDestination } from './batched-destination.js';

export type AuditEventName = 'leakguard.finding' | 'leakguard.block' | 'leakguard.policy' | 'leakguard.error' | 'leakguard.lifecycle';

/** How an exchange ended, from the point of view of what left the proxy. */
export type ExchangeOutcome =
  | 'forwarded' // unchanged (log findings only)
  | 'redacted' // at least one value overwritten
  | 'blocked' // refused with a 403 (or the request never reached the app)
  | 'cut' // response blocked after its headers left: connection reset
  | 'monitored' // monitor mode: decided, nothing changed
  | 'failed-closed' // inspection fault, exchange refused or cut
  | 'failed-open' // inspection fault, rest passed uninspected
  | 'aborted' // the client went away
  | 'upstream-error'; // the app could not be reached or broke off

/** Per detector and direction: what was found. */
export interface DetectorSummary {
  detector: string;
  direction: 'request' | 'response';
  action: Action;
  count: number;
  /** The highest confidence among the findings. */
  confidence: Confidence;
  /** Unique keyed fingerprints (at most 20 listed). */
  fingerprints: string[];
  /** Unique masked forms, where the policy's redaction settings allow them (at most 5). */
  masked?: string[];
  /** Where the values were: `header:<name>`, `url`, or the engine's JSON pointer / XML path / form field (at most 10). */
  locations?: string[];
}

export interface ExchangeAuditRecord {
  requestId: string;
  listener: 'inbound' | 'egress';
  method: string;
  host: string;
  path: string;
  status: number;
  policy: { name: string; revision: string };
  mode: 'enforce' | 'monitor';
  rules: { request: string; response: string };
  action: Action | null;
  outcome: ExchangeOutcome;
  direction: 'request' | 'response' | 'both' | 'none';
  detectors: DetectorSummary[];
  durationMs: number;
  error?: { code: string; message: string };
  /** Present (true) when lists and long text were cut so that the line stays one atomic write. */
  truncated?: boolean;
}

/** One detector in one direction, as findings arrive (the lists are short and capped). */
interface TallyGroup {
  summary: DetectorSummary;
  masked: string[];
  locations: string[];
}

/**
 * Folds findings into per-detector summaries, as they arrive (no finding list is kept). Groups
 * are few (one per detector and direction) and their lists capped at 20, 5 and 10 entries:
 * arrays searched linearly cost less than the maps and sets they replaced, per exchange.
 */
export class FindingTally {
  private readonly groups: TallyGroup[] = [];
  count = 0;
  private seenRequest = false;
  private seenResponse = false;

  /** Which directions had findings. */
  get direction(): 'request' | 'response' | 'both' | 'none' {
    if (this.seenRequest) return this.seenResponse ? 'both' : 'request';
    return this.seenResponse ? 'response' : 'none';
  }

  add(direction: 'request' | 'response', finding: ActionedFinding, location?: string): void {
    this.count++;
    if (direction === 'request') this.seenRequest = true;
    else this.seenResponse = true;
    let group: TallyGroup | undefined;
    for (const candidate of this.groups) {
      if (candidate.summary.detector === finding.detector && candidate.summary.direction === direction) {
        group = candidate;
        break;
      }
    }
    if (group === undefined) {
      group = {
        summary: { detector: finding.detector, direction, action: finding.action, count: 0, confidence: finding.confidence, fingerprints: [] },
        masked: [],
        locations: [],
      };
      this.groups.push(group);
    }
    const summary = group.summary;
    summary.count++;
    if (CONFIDENCE_RANK[finding.confidence] > CONFIDENCE_RANK[summary.confidence]) summary.confidence = finding.confidence;
    if (ACTION_RANK[finding.action] > ACTION_RANK[summary.action]) summary.action = finding.action;
    addUnique(summary.fingerprints, finding.fingerprint, 20);
    if (finding.masked !== undefined) addUnique(group.masked, finding.masked, 5);
    const where = location ?? finding.location;
    if (where !== undefined) addUnique(group.locations, where, 10);
  }

  /** The summaries; `sanitize` cleans client-supplied text (locations). */
  summaries(sanitize: (text: string) => string): DetectorSummary[] {
    // One literal with every field (absent lists are `undefined`, which JSON leaves out). A
    // spread copy that then gained properties made V8 promote about 130 KB per young GC at
    // 5k exchanges/s, for objects that die with the audit line (measured with --trace-gc-nvp).
    return this.groups.map(({ summary, masked, locations }) => ({
      detector: summary.detector,
      direction: summary.direction,
      action: summary.action,
      count: summary.count,
      confidence: summary.confidence,
      fingerprints: summary.fingerprints.slice(),
      masked: masked.length > 0 ? masked.slice() : undefined,
      locations: locations.length > 0 ? locations.map(sanitize) : undefined,
    }));
  }
}

/** Longest host or path an audit line keeps when it must be shortened. */
const SHORT_TEXT = 256;

function shorten(text: string): string {
  return text.length > SHORT_TEXT ? `${text.slice(0, SHORT_TEXT)}…` : text;
}

/**
 * A shorter form of a record, for lines that must fit one atomic write: level 1 cuts host and
 * path to 256 characters, drops locations and keeps 5 fingerprints and one mask per detector;
 * level 2 keeps, per detector, its counts and first fingerprint only.
 */
function compactRecord(record: ExchangeAuditRecord, level: 1 | 2): ExchangeAuditRecord {
  const detectors = record.detectors.map((d) =>
    level === 2
      ? { detector: d.detector, direction: d.direction, action: d.action, count: d.count, confidence: d.confidence, fingerprints: d.fingerprints.slice(0, 1) }
      : { ...d, fingerprints: d.fingerprints.slice(0, 5), masked: d.masked?.slice(0, 1), locations: undefined },
  );
  return { ...record, host: shorten(record.host), path: shorten(record.path), detectors, truncated: true };
}

/** Appends `value` unless present or `list` holds `limit` entries already. */
function addUnique(list: string[], value: string, limit: number): void {
  if (list.length < limit && !list.includes(value)) list.push(value);
}

let cachedSecond = -1;
let cachedTimePrefix = '';

/**
 * `,"time":"2026-11-27T10:04:16.123Z"`, as pino's `isoTime` writes it; the part up to the
 * second is formatted once a second (a Date and toISOString per line were 5 µs of the event).
 */
export function isoTimeField(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTimePrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${cachedTimePrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/** The stronger of two actions (`block` > `redact` > `log`). */
export function strongerAction(a: Action | null, b: Action | null): Action | null {
  if (a === null) return b;
  if (b === null) return a;
  return ACTION_RANK[b] > ACTION_RANK[a] ? b : a;
}

export interface AuditLogOptions {
  /** Where lines go; default stdout (asynchronous, flushed on shutdown). */
  destination?: DestinationStream;
  level?: Level;
  pod?: string;
  namespace?: string;
}

/** An exchange event waiting to be written, with the time it happened. */
interface PendingExchange {
  level: 'info' | 'warn' | 'error';
  time: string;
  event: AuditEventName;
  record: ExchangeAuditRecord;
  message: string;
}

/**
 * Exchange events serialised together (see `AuditLog.writeExchange`). The exchange that fills
 * a batch waits for all of it: 16 put p99 at one connection up by about 0.3 ms (1 KiB POST
 * with a card: 1.52–1.84 ms against 1.29–1.56), 4 does not (1.20–1.48).
 */
const PENDING_EXCHANGES = 4;
/** Longest an exchange event waits to be serialised, ms (the destination may batch it further). */
const PENDING_DELAY_MS = 10;

/** Audit logs holding pending exchange events: written out before the process exits. */
const withPending = new Set<AuditLog>();
// Prepended: this must run before a destination's own exit handler writes what it holds.
process.prependListener('exit', () => {
  for (const audit of withPending) audit.writePending();
});

export class AuditLog {
  readonly logger: Logger;
  /** The destination pino writes to; exchange events are written to it directly. */
  private readonly destination: DestinationStream;
  /** The base fields as pino places them after `time`: `,"pod":…,"namespace":…` or empty. */
  private readonly bindings: string;
  /** The longest line the destination writes atomically (see BatchedDestination.maxLineBytes). */
  private readonly maxLineBytes: number;
  private pending: PendingExchange[] = [];
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(options: AuditLogOptions = {}) {
    const base: Record<string, string> = {};
    if (options.pod) base.pod = options.pod;
    if (options.namespace) base.namespace = options.namespace;
    this.destination = options.destination ?? stdoutDestination();
    this.maxLineBytes = (this.destination as { maxLineBytes?: number }).maxLineBytes ?? Infinity;
    this.bindings = Object.keys(base).length > 0 ? `,${JSON.stringify(base).slice(1, -1)}` : '';
    this.logger = pino(
      {
        level: options.level ?? 'info',
        base,
        // The same time field as the exchange lines written directly (writeExchange).
        timestamp: () => isoTimeField(),
        formatters: { level: (label) => ({ level: label }) },
      },
      this.destination,
    );
  }

  exchange(record: ExchangeAuditRecord): void {
    const blocked = record.action === 'block' && record.mode === 'enforce' && (record.outcome === 'blocked' || record.outcome === 'cut');
    const event: AuditEventName = blocked ? 'leakguard.block' : 'leakguard.finding';
    const text = blocked
      ? `${record.direction} blocked: ${record.detectors.filter((d) => d.action === 'block').map((d) => d.detector).join(', ')}`
      : `${record.detectors.reduce((sum, d) => sum + d.count, 0)} finding(s), ${record.outcome}`;
    this.writeExchange(blocked ? 'warn' : 'info', event, record, text);
  }

  /** An exchange that ended in an error without findings (upstream down, inspection fault…). */
  exchangeError(record: ExchangeAuditRecord): void {
    this.writeExchange('error', 'leakguard.error', record, record.error?.message ?? 'exchange failed');
  }

  /**
   * Queues the line pino would write for `logger[level]({ event, ...record }, message)`. Lines
   * are serialised by the batch (4 events, or 10 ms after the first): serialising lines one
   * right after another finds code and data in the CPU caches, where one line between two
   * requests' worth of HTTP work does not. Timed in the proxy at 1 KiB with a finding per
   * exchange, building and writing a line took 13.6–14.2 µs alone, 8.8–9.4 µs in batches of 4
   * (and 6.3–8.1 µs in batches of 16, which cost tail latency).
   */
  private writeExchange(level: 'info' | 'warn' | 'error', event: AuditEventName, record: ExchangeAuditRecord, message: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    this.pending.push({ level, time: isoTimeField(), event, record, message });
    if (this.pending.length >= PENDING_EXCHANGES) {
      this.writePending();
    } else if (this.pendingTimer === undefined) {
      withPending.add(this);
      this.pendingTimer = setTimeout(this.writePending, PENDING_DELAY_MS);
      // Pending events alone do not keep the process alive: `exit` writes them.
      this.pendingTimer.unref();
    }
  }

  /**
   * Writes the pending exchange events, in order, each from one native `JSON.stringify` of its
   * record (pino quotes and joins a record key by key: about 30 µs an event in the proxy). The
   * tests compare the lines with pino's.
   */
  readonly writePending = (): void => {
    if (this.pendingTimer !== undefined) {
      clearTimeout(this.pendingTimer);
      this.pendingTimer = undefined;
    }
    withPending.delete(this);
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    for (const entry of pending) {
      let text = this.line(entry, entry.record);
      // Workers share stdout: a line longer than one atomic pipe write could interleave with
      // another worker's. Such a line (a very long path, many detectors) gives up detail first.
      if (this.tooLong(text)) text = this.line(entry, compactRecord(entry.record, 1));
      if (this.tooLong(text)) text = this.line(entry, compactRecord(entry.record, 2));
      this.destination.write(text);
    }
  };

  /** The line of a pending exchange event, with `record` (the event's own, or a shorter form of it). */
  private line({ level, time, event, message }: PendingExchange, record: ExchangeAuditRecord): string {
    return `{"level":"${level}"${time}${this.bindings},"event":"${event}",${JSON.stringify(record).slice(1, -1)},"msg":${JSON.stringify(message)}}\n`;
  }

  /** Whether `line` is longer than one atomic write (UTF-8 is at most 3 bytes a UTF-16 unit). */
  private tooLong(line: string): boolean {
    return line.length * 3 > this.maxLineBytes && Buffer.byteLength(line) > this.maxLineBytes;
  }

  policy(event: PolicyLoadEvent): void {
    // Lines stay in the order of their events.
    this.writePending();
    const fields = {
      event: 'leakguard.policy' as AuditEventName,
      result: event.result,
      trigger: event.trigger,
      source: event.source,
      policy: event.snapshot ? { name: event.snapshot.name, revision: event.snapshot.revision, mode: event.snapshot.mode } : undefined,
      activeRevision: event.activeRevision ?? null,
      fileRevision: event.fileRevision ?? null,
      error: event.error,
    };
    if (event.result === 'success') this.logger.info(fields, `policy ${event.snapshot?.name} revision ${event.snapshot?.revision} loaded`);
    else
      this.logger.error(
        fields,
        event.activeRevision
          ? `policy refused; revision ${event.activeRevision} keeps running`
          : 'no valid policy: not ready, nothing is proxied',
      );
  }

  /** Startup, listening, draining, exit. */
  lifecycle(message: string, fields: Record<string, unknown> = {}): void {
    this.writePending();
    this.logger.info({ event: 'leakguard.lifecycle' as AuditEventName, ...fields }, message);
  }

  /** Errors not tied to one exchange (a client parse error, a worker crash). */
  error(code: string, message: string, fields: Record<string, unknown> = {}): void {
    this.writePending();
    this.logger.error({ event: 'leakguard.error' as AuditEventName, code, ...fields }, message);
  }

  /** Writes what is buffered (called on shutdown). */
  flush(): Promise<void> {
    this.writePending();
    return new Promise((resolve) => this.logger.flush(() => resolve()));
  }
}
