/**
 * Validation against the published JSON Schema (`schema/dlp-policy.schema.json`), compiled once
 * per process. Errors are turned into `field.path: what was expected` issues.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { PolicyIssue } from '../errors.js';
import type { DlpPolicyDocument } from './policy-document.js';

/** Where the schema ships, relative to this module in both `src/` and `dist/`. */
export const POLICY_SCHEMA_URL = new URL('../../schema/dlp-policy.schema.json', import.meta.url);

let compiled: ValidateFunction<DlpPolicyDocument> | undefined;

function validator(): ValidateFunction<DlpPolicyDocument> {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile<DlpPolicyDocument>(schema);
  }
  return compiled;
}

/** `/spec/rules/0/match` → `spec.rules[0].match`. */
export function fieldPath(pointer: string, child?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let path = '';
  for (const part of parts) {
    if (/^[0-9]+$/.test(part)) path += `[${part}]`;
    else path += path === '' ? part : `.${part}`;
  }
  return path;
}

function describe(error: ErrorObject): PolicyIssue | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: fieldPath(error.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: fieldPath(error.instancePath, String(params.additionalProperty)), message: 'unknown field' };
    case 'enum':
      return {
        path: fieldPath(error.instancePath),
        message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const':
      return { path: fieldPath(error.instancePath), message: `must be ${String(params.allowedValue)}` };
    case 'propertyNames':
      return undefined; // the nested `pattern` error, reported with the offending name, says it better
    case 'pattern': {
      const path = fieldPath(error.instancePath, error.propertyName);
      if (error.schemaPath.includes('/byteSize/')) {
        return { path, message: 'must be a size: bytes (1048576) or with a unit (512Ki, 1Mi, 1Gi, 500k, 1M)' };
      }
      if (error.schemaPath.includes('/metadata/')) {
        return { path, message: 'must be a DNS-1123 label: lowercase letters, digits and dashes, at most 63' };
      }
      if (error.propertyName !== undefined) {
        return { path, message: 'is not a valid id: use lowercase letters, digits and underscores, starting with a letter' };
      }
      return { path, message: `must match ${String(params.pattern)}` };
    }
    case 'type':
      return { path: fieldPath(error.instancePath), message: `must be ${String(params.type).replaceAll(',', ' or ')}` };
    default:
      return { path: fieldPath(error.instancePath), message: error.message ?? error.keyword };
  }
}

/** Validates a parsed document; returns the issues (empty when valid). */
export function schemaIssues(document: unknown): PolicyIssue[] {
  const validate = validator();
  if (validate(document)) return [];
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const issue = describe(error);
    if (!issue) continue;
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  // Sorted by path, so the same document always reports in the same order.
  return issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Narrowing form of `schemaIssues`. */
export function isPolicyDocument(document: unknown): document is DlpPolicyDocument {
  return validator()(document);
}
