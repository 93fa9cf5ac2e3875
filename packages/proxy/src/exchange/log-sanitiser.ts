/**
 * Client-supplied text that an audit line carries (host, path, locations) goes through the
 * engine first, at the lowest confidence and with every finding masked: a value in a URL path
 * must not reappear in the log that reports it.
 */
import type { Engine, ScanOptions } from '@leakguard/detectors';

const OVERRIDES = new WeakMap<Engine, NonNullable<ScanOptions['overrides']>>();
/** Hosts and paths repeat: their sanitised forms are kept per engine (bounded). */
const CACHE = new WeakMap<Engine, Map<string, string>>();
const CACHE_LIMIT = 1024;

function maskEverything(engine: Engine): NonNullable<ScanOptions['overrides']> {
  let overrides = OVERRIDES.get(engine);
  if (!overrides) {
    overrides = {};
    for (const id of engine.detectorIds) overrides[id] = { action: 'redact', minConfidence: 'low', redaction: { keepLast: 0 } };
    OVERRIDES.set(engine, overrides);
  }
  return overrides;
}

/** `text` with anything any detector recognises overwritten by mask characters. */
export function sanitiseForLog(engine: Engine, text: string): string {
  if (text.length === 0) return text;
  let cache = CACHE.get(engine);
  if (!cache) CACHE.set(engine, (cache = new Map()));
  const known = cache.get(text);
  if (known !== undefined) return known;
  const result = engine.process(Buffer.from(text, 'latin1'), {
    contentType: 'application/x-www-form-urlencoded',
    overrides: maskEverything(engine),
  });
  const clean = result.findings.length === 0 ? text : result.output.toString('latin1');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  // Keyed by the raw text: a cached entry is only ever returned for that exact text.
  cache.set(text, clean);
  return clean;
}
