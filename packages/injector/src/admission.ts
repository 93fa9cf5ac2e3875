// One code path for the webhook and the CLI: mutate an object's pod template, compute the
// JSONPatch as a diff of raw JSON, prove the patch reproduces the result, and validate the
// result before anyone sees it. An invalid result is never handed out: strict namespaces deny,
// the others get the object back unchanged with a warning.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { InjectorConfig } from './config.js';
import { PatchMismatchError } from './errors.js';
import type { InjectionMode, InjectionStatus } from './injection-status.js';
import type { JsonObject } from './json.js';
import { cloneJson, isJsonObject, jsonEqual, stringAt } from './json.js';
import type { NamespaceMetadata, Verdict } from './mutate.js';
import { mutatePodTemplate, WARNING_PREFIX } from './mutate.js';
import { describeIssues, validateObject } from './schema-validation.js';
import { podTemplatePointer } from './workloads.js';

export interface ObjectAdmission {
  allowed: boolean;
  verdict: Verdict;
  mode?: InjectionMode;
  denial?: string;
  warnings: string[];
  explanation: string[];
  /** RFC 6902 operations from the input object to `output` (empty: nothing to change). */
  patch: Operation[];
  output: JsonObject;
  status?: InjectionStatus;
}

function computePatch(before: JsonObject, after: JsonObject): Operation[] {
  const patch = jsonpatch.compare(before, after);
  const applied = jsonpatch.applyPatch(cloneJson(before), patch, true, false).newDocument as JsonObject;
  if (!jsonEqual(applied, after)) throw new PatchMismatchError('the computed JSONPatch does not reproduce the mutated object');
  return patch;
}

export function admitObject(object: JsonObject, namespace: NamespaceMetadata, config: InjectorConfig): ObjectAdmission {
  const kind = stringAt(object, 'kind') ?? 'object';
  const pointer = podTemplatePointer(object);
  const untouched = (explanation: string[]): ObjectAdmission => ({
    allowed: true,
    verdict: 'skip',
    warnings: [],
    explanation,
    patch: [],
    output: cloneJson(object),
  });
  if (pointer === undefined) return untouched([`${stringAt(object, 'apiVersion')}/${kind} has no pod template`]);
  let template: JsonObject | undefined = object;
  for (const key of pointer) {
    const next: unknown = template?.[key];
    template = isJsonObject(next) ? next : undefined;
  }
  if (!template) return untouched([`${kind} has no pod template at ${pointer.join('.')}`]);

  const result = mutatePodTemplate({ template, namespace, ownerKind: kind }, config);
  const base = { mode: result.mode, warnings: result.warnings, explanation: result.explanation };
  if (result.verdict === 'deny') {
    return { ...base, allowed: false, verdict: 'deny', denial: result.denial, patch: [], output: cloneJson(object) };
  }
  if (result.verdict === 'skip') return { ...base, allowed: true, verdict: 'skip', patch: [], output: cloneJson(object) };

  const output = cloneJson(object);
  if (pointer.length === 0) {
    for (const key of Object.keys(output)) delete output[key];
    Object.assign(output, result.template);
  } else {
    let target = output;
    for (const key of pointer.slice(0, -1)) target = target[key] as JsonObject;
    target[pointer[pointer.length - 1]] = result.template;
  }

  const issues = validateObject(output);
  if (issues.length > 0) {
    const before = validateObject(object);
    base.explanation = [...result.explanation, 'the result failed validation: not injected'];
    const detail = `the injected ${kind} would be invalid: ${describeIssues(issues)}${before.length > 0 ? ` (the ${kind} as submitted is already invalid: ${describeIssues(before)})` : ''}`;
    if (result.mode === 'strict') {
      return {
        ...base,
        allowed: false,
        verdict: 'deny',
        denial: `${WARNING_PREFIX}denied by strict namespace "${namespace.name}": [invalid-result] ${detail}`,
        patch: [],
        output: cloneJson(object),
      };
    }
    return {
      ...base,
      allowed: true,
      verdict: 'skip',
      warnings: [...result.warnings, `${WARNING_PREFIX}[invalid-result] not injected: ${detail}`],
      patch: [],
      output: cloneJson(object),
    };
  }
  return { ...base, allowed: true, verdict: 'inject', patch: computePatch(object, output), output, status: result.status };
}
