// Raw JSON as the API server sends it. The injector mutates these values directly, never a
// typed model, so fields this version does not know survive untouched.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** The object at `key`, created when absent (or when something else is in the way). */
export function ensureObject(parent: JsonObject, key: string): JsonObject {
  const current = parent[key];
  if (isJsonObject(current)) return current;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

export function ensureArray(parent: JsonObject, key: string): JsonValue[] {
  const current = parent[key];
  if (Array.isArray(current)) return current;
  const created: JsonValue[] = [];
  parent[key] = created;
  return created;
}

export function objectAt(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = parent?.[key];
  return isJsonObject(value) ? value : undefined;
}

export function arrayOfObjectsAt(parent: JsonObject | undefined, key: string): JsonObject[] {
  const value = parent?.[key];
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

export function stringAt(parent: JsonObject | undefined, key: string): string | undefined {
  const value = parent?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** A string-to-string map (labels, annotations); non-string values are ignored. */
export function stringMapAt(parent: JsonObject | undefined, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const value = objectAt(parent, key);
  if (!value) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
