// Applies RFC 6902 operations (add/remove/replace, as fast-json-patch's compare() emits them)
// to a parsed YAML document, so `leakguard inject` keeps the user's comments, key order and
// formatting everywhere it did not change anything. If the document cannot be patched in place
// (aliases, merge keys) the caller falls back to re-serialising the whole object.
import type { Operation } from 'fast-json-patch';
import type { Document } from 'yaml';
import { isMap, isSeq } from 'yaml';
import type { JsonValue } from './json.js';
import { jsonEqual } from './json.js';

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Returns false (document possibly half-patched: discard it) when in-place patching failed. */
export function patchYamlDocument(doc: Document, prefix: Array<string | number>, operations: Operation[], expected: JsonValue): boolean {
  try {
    for (const op of operations) {
      const parts = parsePointer(op.path);
      const path = [...prefix, ...parts];
      const parentPath = path.slice(0, -1);
      const last = path[path.length - 1];
      const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
      if (op.op === 'add' || op.op === 'replace') {
        const node = doc.createNode(op.value);
        if (isSeq(parent)) {
          const index = last === '-' ? parent.items.length : Number(last);
          if (!Number.isInteger(index) || index < 0 || index > parent.items.length) return false;
          if (op.op === 'add') parent.items.splice(index, 0, node);
          else parent.items[index] = node;
        } else if (isMap(parent)) {
          parent.set(String(last), node);
        } else return false;
      } else if (op.op === 'remove') {
        if (isSeq(parent)) parent.items.splice(Number(last), 1);
        else if (isMap(parent)) parent.delete(String(last));
        else return false;
      } else return false;
    }
  } catch {
    return false;
  }
  let result: unknown = doc.toJS({ maxAliasCount: 1000 });
  for (const key of prefix) result = (result as Record<string | number, unknown>)[key];
  return jsonEqual(result as JsonValue, expected);
}
