// `leakguard inject` on a manifest stream: every Pod and workload pod template (also inside a
// v1 List) goes through admitObject, the same path as the webhook. A stream with nothing to
// change is written back byte for byte; otherwise changed objects are patched in place in their
// YAML document, so comments and key order survive.
import { Document, parseAllDocuments } from 'yaml';
import type { ObjectAdmission } from './admission.js';
import { admitObject } from './admission.js';
import type { InjectorConfig } from './config.js';
import { ManifestParseError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { arrayOfObjectsAt, isJsonObject, objectAt, stringAt, stringMapAt } from './json.js';
import type { NamespaceMetadata } from './mutate.js';
import type { NamespaceSource } from './namespace-source.js';
import { podTemplatePointer } from './workloads.js';
import { patchYamlDocument } from './yaml-document-patch.js';

export interface ManifestObjectResult {
  /** e.g. `Deployment shop/checkout` */
  identity: string;
  admission: ObjectAdmission;
}

export interface ManifestInjection {
  /** The stream after injection, as YAML. */
  yaml: string;
  /** Every object of the stream after injection. */
  objects: JsonValue[];
  results: ManifestObjectResult[];
}

export interface ManifestInjectionOptions {
  config: InjectorConfig;
  /** Namespace for objects without metadata.namespace. */
  defaultNamespace: string;
  /** Namespace metadata; Namespace objects found in the stream take precedence. */
  namespaces: NamespaceSource;
}

export function parseManifestDocuments(text: string, source: string): Document.Parsed[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new ManifestParseError(`${source}: document ${i + 1}: ${doc.errors[0].message.split('\n')[0]}`);
  });
  return docs;
}

function toJson(doc: Document.Parsed, source: string, index: number): JsonValue {
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as JsonValue;
  } catch (err) {
    throw new ManifestParseError(`${source}: document ${index + 1}: ${(err as Error).message}`);
  }
}

export function namespaceFromObject(object: JsonObject): NamespaceMetadata | undefined {
  if (object.apiVersion !== 'v1' || object.kind !== 'Namespace') return undefined;
  const metadata = objectAt(object, 'metadata');
  const name = stringAt(metadata, 'name');
  if (!name) return undefined;
  return { name, labels: stringMapAt(metadata, 'labels'), annotations: stringMapAt(metadata, 'annotations') };
}

function identityOf(object: JsonObject, namespace: string): string {
  const metadata = objectAt(object, 'metadata');
  const name = stringAt(metadata, 'name') ?? `${stringAt(metadata, 'generateName') ?? ''}*`;
  return `${stringAt(object, 'kind') ?? 'object'} ${namespace}/${name}`;
}

export async function injectManifests(text: string, source: string, options: ManifestInjectionOptions): Promise<ManifestInjection> {
  const docs = parseManifestDocuments(text, source);
  const values = docs.map((doc, i) => toJson(doc, source, i));
  const streamNamespaces = new Map<string, NamespaceMetadata>();
  const visit = (value: JsonValue, fn: (object: JsonObject, path: Array<string | number>) => void, path: Array<string | number> = []) => {
    if (!isJsonObject(value)) return;
    if (stringAt(value, 'kind') === 'List' && Array.isArray(value.items)) {
      arrayOfObjectsAt(value, 'items').forEach((item, i) => visit(item, fn, [...path, 'items', i]));
    } else fn(value, path);
  };
  for (const value of values) {
    visit(value, (object) => {
      const ns = namespaceFromObject(object);
      if (ns) streamNamespaces.set(ns.name, ns);
    });
  }

  const results: ManifestObjectResult[] = [];
  const outputs: string[] = [];
  const objects: JsonValue[] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    const value = values[i];
    if (value !== null && !isJsonObject(value)) throw new ManifestParseError(`${source}: document ${i + 1} is not an object`);
    const targets: Array<{ object: JsonObject; path: Array<string | number> }> = [];
    if (value !== null) visit(value, (object, path) => podTemplatePointer(object) !== undefined && targets.push({ object, path }));
    let changed = false;
    let patchedInPlace = true;
    const result = value === null ? null : structuredClone(value);
    for (const { object, path } of targets) {
      const namespaceName = stringAt(objectAt(object, 'metadata'), 'namespace') ?? options.defaultNamespace;
      const namespace = streamNamespaces.get(namespaceName) ?? (await options.namespaces.get(namespaceName));
      const admission = admitObject(object, namespace, options.config);
      results.push({ identity: identityOf(object, namespaceName), admission });
      if (admission.patch.length === 0) continue;
      changed = true;
      if (path.length === 0) {
        for (const key of Object.keys(result as JsonObject)) delete (result as JsonObject)[key];
        Object.assign(result as JsonObject, admission.output);
      } else {
        let parent = result as JsonObject | JsonValue[];
        for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, JsonValue>)[key] as JsonObject;
        (parent as Record<string | number, JsonValue>)[path[path.length - 1]] = admission.output;
      }
      if (patchedInPlace) patchedInPlace = patchYamlDocument(doc, path, admission.patch, admission.output);
    }
    objects.push(result);
    if (!changed || patchedInPlace) {
      outputs.push(doc.toString({ lineWidth: 0 }));
    } else {
      outputs.push(new Document(result).toString({ lineWidth: 0 }));
    }
  }
  if (results.every((r) => r.admission.patch.length === 0)) return { yaml: text, objects, results };
  const yaml = outputs.map((text, i) => (i === 0 || text.startsWith('---') ? text : `---\n${text}`)).join('');
  return { yaml, objects, results };
}
