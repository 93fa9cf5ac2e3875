/**
 * Client-supplied text that an audit line carries (host, path, locations) goes through the
 * engine first, at the lowest confidence and with every finding masked: a value in a URL path
 * must not reappear in the log that reports it.
 */
import type { Engine, ScanOptions } from '@leakguard/detectors';

const OVERRIDES = new WeakMap<Engine, NonNullable<ScanOptions['overrides']>>();

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
  const result = engine.process(Buffer.from(text, 'latin1'), {
    contentType: 'application/x-www-form-urlencoded',
    overrides: maskEverything(engine),
  });
  return result.findings.length === 0 ? text : result.output.toString('latin1');
}
