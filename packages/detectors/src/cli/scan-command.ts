import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DetectionEngine, toPublicFinding } from '../engine.js';
import { DetectorConfigError, LeakguardError } from '../errors.js';
import type { Confidence, DetectorSettings, ScanOptions } from '../types.js';
import type { RevealedFinding } from '../window-scanner.js';

/** The standard streams a command uses (injectable for tests). */
export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `Usage: leakguard scan [options] [PATH... | -]

Scans files, directories (recursively) or standard input for payment cards, SSNs and
health-insurance identifiers. Exit status: 0 clean, 1 findings, 2 error.

Options:
  --format text|json      output format (default text: file:line:col detector confidence masked)
  --ndjson                input is captured payload records, one JSON object a line:
                          {"id", "body" | "body_b64", "content_type"?, "content_encoding"?, "chunks"?}
                          output is one {"id", "findings"} line per record
  --policy FILE           apply the detector settings of a DlpPolicy (YAML or JSON)
  --min-confidence LEVEL  report findings at or above low|medium|high (default: the policy's, else medium)
  --reveal                add the canonical value to each finding (local investigation only)
  -h, --help              this help
`;

const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

/** A usage or input error of the scan command (exit status 2). */
export class ScanCommandError extends LeakguardError {
  constructor(message: string) {
    super('LG_ERR_SCAN_USAGE', message);
  }
}

interface ScanSettings {
  engine: DetectionEngine;
  scanOptions: ScanOptions;
  reveal: boolean;
}

/**
 * `leakguard scan`: the engine for CI pipelines and investigations. `argv` is what follows
 * `scan` on the command line. Resolves to the exit status (0 clean, 1 findings, 2 error).
 */
export async function runScanCommand(argv: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        ndjson: { type: 'boolean', default: false },
        policy: { type: 'string' },
        'min-confidence': { type: 'string' },
        reveal: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr.write(`leakguard scan: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (values.format !== 'text' && values.format !== 'json') throw new ScanCommandError('--format must be text or json');
    const settings = await loadSettings(values.policy, values['min-confidence'], values.reveal === true);
    const inputs = positionals.length === 0 ? ['-'] : positionals;
    if (values.ndjson) return await scanRecords(inputs, settings, io);
    return await scanFiles(inputs, settings, values.format, io);
  } catch (error) {
    io.stderr.write(`leakguard scan: ${describeError(error)}\n`);
    return 2;
  }
}

async function loadSettings(policyPath: string | undefined, minConfidence: string | undefined, reveal: boolean): Promise<ScanSettings> {
  let detectors: Record<string, DetectorSettings> = {};
  if (policyPath !== undefined) detectors = await readPolicyDetectors(policyPath);
  let engine: DetectionEngine;
  try {
    engine = new DetectionEngine({ detectors });
  } catch (error) {
    if (error instanceof DetectorConfigError) {
      throw new ScanCommandError(`${policyPath}: spec.detectors.${error.detector}${error.field === error.detector ? '' : `.${error.field}`}: ${error.message.replace(/^detector "[^"]*": [^:]*: /, '')}`);
    }
    throw error;
  }
  const scanOptions: ScanOptions = {};
  if (minConfidence !== undefined) {
    if (!CONFIDENCES.includes(minConfidence as Confidence)) throw new ScanCommandError('--min-confidence must be low, medium or high');
    scanOptions.overrides = Object.fromEntries(engine.detectorIds.map((id) => [id, { minConfidence: minConfidence as Confidence }]));
  }
  return { engine, scanOptions, reveal };
}

async function readPolicyDetectors(path: string): Promise<Record<string, DetectorSettings>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new ScanCommandError(`cannot read policy ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    throw new ScanCommandError(`${path}: not valid YAML or JSON`);
  }
  const spec = isObject(doc) && isObject(doc.spec) ? doc.spec : doc;
  const detectors = isObject(spec) ? spec.detectors : undefined;
  if (detectors === undefined) return {};
  if (!isObject(detectors)) throw new ScanCommandError(`${path}: spec.detectors: must be a map of detector settings`);
  return detectors as Record<string, DetectorSettings>;
}

async function scanFiles(inputs: string[], settings: ScanSettings, format: string, io: CommandIO): Promise<number> {
  const rows: Array<Record<string, unknown>> = [];
  let files = 0;
  for (const input of inputs) {
    for await (const file of expand(input)) {
      const body = file === '-' ? await readAll(io.stdin) : await fs.readFile(file);
      files++;
      const { findings } = settings.engine.run(body, { ...settings.scanOptions, stopOnBlock: false, reveal: settings.reveal });
      const lines = new LineIndex(body);
      for (const finding of findings) {
        const { line, column } = lines.locate(finding.start);
        rows.push({ file: file === '-' ? '<stdin>' : file, line, column, ...present(finding, settings.reveal) });
      }
    }
  }
  if (format === 'json') {
    io.stdout.write(JSON.stringify({ files, findings: rows }, null, 2) + '\n');
  } else {
    for (const r of rows) {
      const shown = settings.reveal ? `${r.masked ?? ''} ${r.value as string}` : (r.masked ?? r.fingerprint);
      io.stdout.write(`${r.file as string}:${r.line as number}:${r.column as number} ${r.detector as string} ${r.confidence as string} ${shown as string}\n`);
    }
  }
  return rows.length > 0 ? 1 : 0;
}

async function scanRecords(inputs: string[], settings: ScanSettings, io: CommandIO): Promise<number> {
  let found = false;
  let failed = false;
  for (const input of inputs) {
    const source = input === '-' ? io.stdin : createReadStream(input);
    const lines = createInterface({ input: source, crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const result = scanRecord(line, lineNumber, settings);
      if ('error' in result) failed = true;
      else if ((result.findings as unknown[]).length > 0) found = true;
      io.stdout.write(JSON.stringify(result) + '\n');
    }
  }
  return failed ? 2 : found ? 1 : 0;
}

function scanRecord(line: string, lineNumber: number, settings: ScanSettings): Record<string, unknown> {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    // The parser's own message quotes the input, which may hold a value: never echo it.
    return { id: null, line: lineNumber, error: { code: 'LG_ERR_BAD_RECORD', message: `line ${lineNumber}: not valid JSON` } };
  }
  const id = isObject(record) && (typeof record.id === 'string' || typeof record.id === 'number') ? record.id : null;
  try {
    if (!isObject(record)) throw new ScanCommandError('a record must be a JSON object');
    const chunks = recordChunks(record);
    const options: ScanOptions = { ...settings.scanOptions };
    if (record.content_type !== undefined) {
      if (typeof record.content_type !== 'string') throw new ScanCommandError('content_type must be a string');
      options.contentType = record.content_type;
    }
    if (record.content_encoding !== undefined) {
      if (typeof record.content_encoding !== 'string') throw new ScanCommandError('content_encoding must be a string');
      options.contentEncoding = record.content_encoding;
    }
    const scanner = settings.engine.createScanner({ ...options, stopOnBlock: false, reveal: settings.reveal });
    for (const chunk of chunks) scanner.write(chunk);
    scanner.end();
    return { id, findings: scanner.findings.map((f) => present(f, settings.reveal)) };
  } catch (error) {
    const code = error instanceof LeakguardError ? error.code : 'LG_ERR_BAD_RECORD';
    return { id, line: lineNumber, error: { code, message: describeError(error) } };
  }
}

function recordChunks(record: Record<string, unknown>): Buffer[] {
  if (record.chunks !== undefined) {
    if (!Array.isArray(record.chunks) || record.chunks.some((c) => typeof c !== 'string')) {
      throw new ScanCommandError('chunks must be an array of strings');
    }
    const chunks = (record.chunks as string[]).map((c) => Buffer.from(c, 'utf8'));
    if (typeof record.body === 'string' && !Buffer.concat(chunks).equals(Buffer.from(record.body, 'utf8'))) {
      throw new ScanCommandError('chunks do not concatenate to body');
    }
    return chunks;
  }
  if (typeof record.body_b64 === 'string') {
    if (!/^[A-Za-z0-9+/=\s_-]*$/.test(record.body_b64)) throw new ScanCommandError('body_b64 is not base64');
    return [Buffer.from(record.body_b64, 'base64')];
  }
  if (typeof record.body === 'string') return [Buffer.from(record.body, 'utf8')];
  throw new ScanCommandError('a record needs "body", "body_b64" or "chunks"');
}

function present(finding: RevealedFinding, reveal: boolean): Record<string, unknown> {
  return reveal ? { ...finding } : { ...toPublicFinding(finding) };
}

async function* expand(input: string): AsyncGenerator<string> {
  if (input === '-') {
    yield '-';
    return;
  }
  let stat;
  try {
    stat = await fs.stat(input);
  } catch (error) {
    throw new ScanCommandError(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!stat.isDirectory()) {
    yield input;
    return;
  }
  const entries = await fs.readdir(input, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
    if (entry.isDirectory() || entry.isFile()) yield* expand(join(input, entry.name));
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Byte offset → 1-based line and column, by a sorted index of newlines. */
class LineIndex {
  private readonly newlines: number[] = [];
  constructor(body: Buffer) {
    for (let at = body.indexOf(10); at >= 0; at = body.indexOf(10, at + 1)) this.newlines.push(at);
  }
  locate(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.newlines[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : (this.newlines[lo - 1] as number) + 1;
    return { line: lo + 1, column: offset - lineStart + 1 };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(error: unknown): string {
  if (error instanceof LeakguardError) return error.message;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.name;
  return 'unexpected error';
}
