/**
 * Inspection of a message head: the request target (path and query string) and header values.
 * A card number in a URL or a header is a leak like any other: the same actions apply (a block
 * refuses the exchange, a redact rewrites the value in place).
 *
 * Each `name: value` line is scanned on its own (the header name is part of the line, so it
 * still counts as a context keyword, and a value written into a name is found and masked
 * there too: `*` is a valid header-name character). Heads repeat a lot between requests (Host, User-Agent,
 * Accept…), so the verdict of a line is cached per engine and per route overrides, keyed by the
 * exact text: the engine only ever sees lines it has not seen before, all in one call.
 */
import type { Action, ActionedFinding, Engine, ScanOptions } from '@leakguard/detectors';
import { strongerAction } from '../observability/audit-log.js';

/** Headers whose values the proxy itself must parse; rewriting them would break the message. */
const UNINSPECTED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'content-type', 'content-encoding']);
/** Lines longer than this are scanned every time (cookies, tokens): they rarely repeat. */
const CACHEABLE_LINE = 512;
const CACHE_LIMIT = 4096;
/**
 * Between lines scanned in one call: longer than the engine's keyword context on either side
 * (64 bytes before and after by default, 256 at most), so a line's verdict depends on that line
 * alone and can be cached and reused next to any other lines.
 */
const SEPARATOR = '\n'.repeat(260);

export interface HeadFinding {
  finding: ActionedFinding;
  /** `url` or `header:<name>`. */
  location: string;
}

export interface HeadInspection {
  findings: HeadFinding[];
  action: Action | null;
  /** Rewritten request target when a value in it was redacted. */
  url?: string;
  /** True when header values in the given object were rewritten in place. */
  headersChanged: boolean;
  /** Engine time, ns. */
  scanNs: number;
}

/** What the engine made of one line: findings relative to the value, and the value after redaction. */
interface LineVerdict {
  findings: ActionedFinding[];
  /** The value with redactions applied; `undefined` when nothing in it is rewritten. */
  rewritten: string | undefined;
  /** The header name with redactions applied; `undefined` when the name is unchanged. */
  renamed?: string | undefined;
}

const CLEAN: LineVerdict = Object.freeze({ findings: [], rewritten: undefined, renamed: undefined }) as LineVerdict;
const NO_OVERRIDES = {};

/**
 * Verdicts by engine, then by the overrides object of a route decision (stable per revision),
 * then by header name (`url` for the target) and value: looked up without building the line.
 */
type VerdictCache = Map<string, Map<string, LineVerdict>> & { entries_: number };
const VERDICTS = new WeakMap<Engine, WeakMap<object, VerdictCache>>();

function verdictCache(engine: Engine, overrides: object | undefined): VerdictCache {
  let byOverrides = VERDICTS.get(engine);
  if (!byOverrides) VERDICTS.set(engine, (byOverrides = new WeakMap()));
  const key = overrides ?? NO_OVERRIDES;
  let cache = byOverrides.get(key);
  if (!cache) byOverrides.set(key, (cache = Object.assign(new Map<string, Map<string, LineVerdict>>(), { entries_: 0 })));
  return cache;
}

function cached(cache: VerdictCache, name: string, value: string): LineVerdict | undefined {
  return cache.get(name)?.get(value);
}

function remember(cache: VerdictCache, name: string, value: string, verdict: LineVerdict): void {
  if (cache.entries_ >= CACHE_LIMIT) {
    cache.clear();
    cache.entries_ = 0;
  }
  let values = cache.get(name);
  if (!values) cache.set(name, (values = new Map()));
  values.set(value, verdict);
  cache.entries_++;
}

interface Line {
  /** `url`, or the lowercase header name. */
  name: string;
  /** Index in a multi-valued header (`set-cookie`), else -1. */
  index: number;
  value: string;
  verdict?: LineVerdict;
}

/** What the engine scans for a line: `name: value`, or the URL itself. */
function lineText(line: Line): string {
  return line.name === 'url' ? line.value : `${line.name}: ${line.value}`;
}

function valueOffset(line: Line): number {
  return line.name === 'url' ? 0 : line.name.length + 2;
}

/**
 * Scans the lines without a cached verdict, in one engine call, and caches what it finds. The
 * verdict is computed as in enforce mode (monitor mode simply does not apply rewrites), so it
 * does not depend on the mode.
 */
function scanUncached(engine: Engine, lines: Line[], overrides: ScanOptions['overrides'], cache: VerdictCache): void {
  let text = '';
  const starts: number[] = [];
  for (const line of lines) {
    if (text.length > 0) text += SEPARATOR;
    starts.push(text.length);
    text += lineText(line);
  }
  // Percent-decoding applies to query strings and cookies alike; `+` and `&` are harmless in headers.
  const result = engine.process(Buffer.from(text, 'latin1'), { contentType: 'application/x-www-form-urlencoded', overrides });
  const perLine: ActionedFinding[][] = lines.map(() => []);
  for (const finding of result.findings) {
    let i = lines.length - 1;
    while (i > 0 && (starts[i] as number) > finding.start) i--;
    const base = (starts[i] as number) + valueOffset(lines[i] as Line);
    (perLine[i] as ActionedFinding[]).push({ ...finding, start: finding.start - base, end: finding.end - base });
  }
  lines.forEach((line, i) => {
    const findings = perLine[i] as ActionedFinding[];
    let verdict = CLEAN;
    if (findings.length > 0) {
      const start = (starts[i] as number) + valueOffset(line);
      const rewritten = result.output.toString('latin1', start, start + line.value.length);
      const nameStart = starts[i] as number;
      const renamed = line.name === 'url' ? line.name : result.output.toString('latin1', nameStart, nameStart + line.name.length);
      verdict = {
        findings,
        rewritten: rewritten === line.value ? undefined : rewritten,
        renamed: renamed === line.name ? undefined : renamed,
      };
    }
    line.verdict = verdict;
    if (line.value.length <= CACHEABLE_LINE) remember(cache, line.name, line.value, verdict);
  });
}

/**
 * Moves each header whose name held a redacted value to its masked name (after its values were
 * rewritten). Two names that mask alike keep every value, as one multi-valued header.
 */
function renameHeaders(headers: Record<string, string | string[] | number | undefined>, lines: readonly Line[]): void {
  for (const line of lines) {
    const value = headers[line.name];
    const renamed = (line.verdict as LineVerdict).renamed as string;
    if (value === undefined) continue; // moved already (a multi-valued header has a line per value)
    delete headers[line.name];
    const existing = headers[renamed];
    if (existing === undefined) headers[renamed] = value;
    else headers[renamed] = [...(Array.isArray(existing) ? existing : [String(existing)]), ...(Array.isArray(value) ? value : [String(value)])];
  }
}

/**
 * Scans `url` (when given) and the header values of `headers`; applies redactions to `headers`
 * in place (never in monitor mode). Header values are handled as latin1, byte for byte, which is
 * how Node hands them over.
 */
export function inspectHead(
  engine: Engine,
  headers: Record<string, string | string[] | number | undefined> | undefined,
  url: string | undefined,
  options: Pick<ScanOptions, 'overrides' | 'monitor'>,
): HeadInspection {
  const cache = verdictCache(engine, options.overrides);
  const lines: Line[] = [];
  const uncached: Line[] = [];
  const add = (name: string, index: number, value: string): void => {
    const line: Line = { name, index, value };
    const known = cached(cache, name, value);
    if (known) line.verdict = known;
    else uncached.push(line);
    lines.push(line);
  };
  if (url !== undefined) add('url', -1, url);
  if (headers) {
    for (const name in headers) {
      if (UNINSPECTED_HEADERS.has(name)) continue;
      const value = headers[name];
      if (typeof value === 'string') add(name, -1, value);
      else if (Array.isArray(value)) value.forEach((item, index) => add(name, index, item));
    }
  }
  let scanNs = 0;
  if (uncached.length > 0) {
    const started = performance.now();
    scanUncached(engine, uncached, options.overrides, cache);
    scanNs = (performance.now() - started) * 1e6;
  }

  let findings: HeadFinding[] | undefined;
  let action: Action | null = null;
  const inspection: HeadInspection = { findings: [], action: null, headersChanged: false, scanNs };
  let renames: Line[] | undefined;
  for (const line of lines) {
    const verdict = line.verdict as LineVerdict;
    if (verdict.findings.length === 0) continue;
    const location = line.name === 'url' ? 'url' : `header:${verdict.renamed ?? line.name}`;
    findings ??= [];
    for (const finding of verdict.findings) {
      findings.push({ finding, location });
      action = strongerAction(action, finding.action);
    }
    if (options.monitor) continue;
    if (verdict.renamed !== undefined) (renames ??= []).push(line);
    if (verdict.rewritten === undefined) continue;
    if (line.name === 'url') inspection.url = verdict.rewritten;
    else if (headers) {
      const current = headers[line.name];
      if (line.index >= 0 && Array.isArray(current)) current[line.index] = verdict.rewritten;
      else headers[line.name] = verdict.rewritten;
      inspection.headersChanged = true;
    }
  }
  if (renames && headers) {
    renameHeaders(headers, renames);
    inspection.headersChanged = true;
  }
  if (findings) {
    inspection.findings = findings;
    inspection.action = action;
  }
  return inspection;
}
