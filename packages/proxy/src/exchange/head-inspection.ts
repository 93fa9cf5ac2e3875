/**
 * Inspection of a message head: the request target (path and query string) and header values,
 * in one engine pass per message. A card number in a URL or a header is a leak like any other:
 * the same actions apply (a block refuses the exchange, a redact rewrites the value in place).
 */
import type { Action, ActionedFinding, Engine, ScanOptions } from '@leakguard/detectors';

/** Headers whose values the proxy itself must parse; rewriting them would break the message. */
const UNINSPECTED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'content-type', 'content-encoding']);

interface Segment {
  /** `url`, or the lowercase header name. */
  name: string;
  /** Index in a multi-valued header (`set-cookie`), else -1. */
  index: number;
  start: number;
  end: number;
}

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
  const segments: Segment[] = [];
  let text = '';
  if (url !== undefined) {
    segments.push({ name: 'url', index: -1, start: 0, end: url.length });
    text = `${url}\n`;
  }
  if (headers) {
    for (const name in headers) {
      if (UNINSPECTED_HEADERS.has(name)) continue;
      const value = headers[name];
      if (typeof value === 'string') {
        const start = text.length + name.length + 2;
        text += `${name}: ${value}\n`;
        segments.push({ name, index: -1, start, end: start + value.length });
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          const start = text.length + name.length + 2;
          text += `${name}: ${item}\n`;
          segments.push({ name, index, start, end: start + item.length });
        });
      }
    }
  }
  if (text === '') return { findings: [], action: null, headersChanged: false, scanNs: 0 };

  const started = process.hrtime.bigint();
  // Percent-decoding applies to query strings and cookies alike; `+` and `&` are harmless in headers.
  const result = engine.process(Buffer.from(text, 'latin1'), {
    contentType: 'application/x-www-form-urlencoded',
    overrides: options.overrides,
    monitor: options.monitor,
  });
  const scanNs = Number(process.hrtime.bigint() - started);
  if (result.findings.length === 0) return { findings: [], action: null, headersChanged: false, scanNs };

  const findings: HeadFinding[] = [];
  const touched = new Set<Segment>();
  for (const finding of result.findings) {
    const segment = segments.find((s) => finding.start >= s.start && finding.start < s.end);
    findings.push({ finding, location: segment ? (segment.name === 'url' ? 'url' : `header:${segment.name}`) : 'header' });
    if (segment && finding.action !== 'log') touched.add(segment);
  }
  const inspection: HeadInspection = { findings, action: result.action, headersChanged: false, scanNs };
  if (options.monitor || touched.size === 0) return inspection;

  const output = result.output;
  for (const segment of touched) {
    const value = output.toString('latin1', segment.start, segment.end);
    if (segment.name === 'url') inspection.url = value;
    else if (headers) {
      const current = headers[segment.name];
      if (segment.index >= 0 && Array.isArray(current)) current[segment.index] = value;
      else headers[segment.name] = value;
      inspection.headersChanged = true;
    }
  }
  return inspection;
}
