/**
 * Policy text → validated document → compiled `PolicySnapshot` (engine, rules, filters).
 * Every failure is a `PolicyInvalidError` whose issues name the field path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { createEngine, DetectorConfigError, type Engine } from '@leakguard/detectors';
import { parseByteSize } from '../config/byte-size.js';
import { PolicyInvalidError, PolicyUnreadableError, type PolicyIssue } from '../errors.js';
import { ContentTypeFilter } from './content-type-filter.js';
import { BUILTIN_DETECTOR_IDS, POLICY_DEFAULTS, type DlpPolicyDocument } from './policy-document.js';
import { isPolicyDocument, schemaIssues } from './policy-schema.js';
import type { PolicySnapshot } from './policy-snapshot.js';
import { RouteTable } from './route-rules.js';

export interface PolicyCompileOptions {
  /** HMAC key for fingerprints (from `LEAKGUARD_FINGERPRINT_KEY[_FILE]`). */
  fingerprintKey?: string | Buffer;
}

/** Parses YAML or JSON text (JSON when it starts with `{`). */
export function parsePolicyText(text: string, source: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new PolicyInvalidError(source, [{ path: '', message: `not valid JSON (${(error as Error).message})` }]);
    }
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new PolicyInvalidError(
      source,
      document.errors.map((error) => ({
        path: '',
        message: `not valid YAML at line ${error.linePos?.[0]?.line ?? '?'}, column ${error.linePos?.[0]?.col ?? '?'} (${error.code})`,
      })),
    );
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

/** Checks the schema cannot express: rule overrides must name a known detector. */
function semanticIssues(document: DlpPolicyDocument): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const known = new Set([...BUILTIN_DETECTOR_IDS, ...Object.keys(document.spec.detectors ?? {})]);
  (document.spec.rules ?? []).forEach((rule, index) => {
    for (const id of Object.keys(rule.detectors ?? {})) {
      if (!known.has(id)) {
        issues.push({
          path: `spec.rules[${index}].detectors.${id}`,
          message: 'unknown detector: not built in and not declared under spec.detectors',
        });
      }
    }
  });
  return issues;
}

/** Validates a parsed document (schema, then cross-field checks). */
export function validatePolicyDocument(document: unknown, source: string): DlpPolicyDocument {
  const issues = schemaIssues(document);
  if (issues.length > 0 || !isPolicyDocument(document)) throw new PolicyInvalidError(source, issues);
  const semantic = semanticIssues(document);
  if (semantic.length > 0) throw new PolicyInvalidError(source, semantic);
  return document;
}

function sizeOf(value: string | number | undefined, fallback: number): number {
  // The schema already guaranteed the shape; the fallback covers "absent".
  return value === undefined ? fallback : (parseByteSize(value) ?? fallback);
}

function buildEngine(document: DlpPolicyDocument, source: string, options: PolicyCompileOptions): Engine {
  const inspect = document.spec.inspect ?? {};
  try {
    return createEngine({
      detectors: document.spec.detectors ?? {},
      fingerprintKey: options.fingerprintKey,
      decoding: {
        maxDecompressedBytes: sizeOf(inspect.maxDecompressedBytes, POLICY_DEFAULTS.maxDecompressedBytes),
        maxCompressionRatio: inspect.maxCompressionRatio ?? POLICY_DEFAULTS.maxCompressionRatio,
      },
    });
  } catch (error) {
    if (error instanceof DetectorConfigError) {
      const field = error.field.startsWith('detectors.') ? error.field.slice('detectors.'.length) : error.field;
      const path = field.startsWith(`${error.detector}.`) || field === error.detector ? field : `${error.detector}.${field}`;
      const prefix = `detector "${error.detector}": ${error.field}: `;
      const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      throw new PolicyInvalidError(source, [{ path: `spec.detectors.${path}`, message: reason }]);
    }
    throw error;
  }
}

/** SHA-256 of the policy text, 12 hex digits: the revision reported in audit events. */
export function policyRevision(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Compiles policy text into a snapshot. Throws `PolicyInvalidError` naming field paths. */
export function compilePolicy(text: string, source: string, options: PolicyCompileOptions = {}): PolicySnapshot {
  const document = validatePolicyDocument(parsePolicyText(text, source), source);
  const inspect = document.spec.inspect ?? {};
  const mode = document.spec.mode ?? POLICY_DEFAULTS.mode;
  return Object.freeze({
    name: document.metadata.name,
    revision: policyRevision(text),
    source,
    loadedAt: new Date(),
    mode,
    monitor: mode === 'monitor',
    failMode: document.spec.failMode ?? POLICY_DEFAULTS.failMode,
    maxBufferBytes: sizeOf(inspect.maxBufferBytes, POLICY_DEFAULTS.maxBufferBytes),
    inspectHeaders: inspect.headers ?? POLICY_DEFAULTS.headers,
    inspectUrl: inspect.url ?? POLICY_DEFAULTS.url,
    recompress: inspect.recompress ?? POLICY_DEFAULTS.recompress,
    contentTypes: new ContentTypeFilter(inspect.skipContentTypes ?? POLICY_DEFAULTS.skipContentTypes),
    routes: new RouteTable(document.spec.rules ?? []),
    engine: buildEngine(document, source, options),
    document,
  });
}

/** Reads the policy file; `PolicyUnreadableError` when it is missing or unreadable. */
export async function readPolicyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new PolicyUnreadableError(path, code === 'ENOENT' ? 'no such file' : code);
  }
}

/** Reads and compiles a policy file. */
export async function loadPolicyFile(path: string, options: PolicyCompileOptions = {}): Promise<PolicySnapshot> {
  return compilePolicy(await readPolicyFile(path), path, options);
}
