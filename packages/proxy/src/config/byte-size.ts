/**
 * Byte sizes as policies and options write them: plain bytes (`1048576`), Kubernetes binary
 * suffixes (`512Ki`, `1Mi`, `1Gi`) or decimal ones (`500k`, `1M`, `1G`).
 */

const UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  k: 1000,
  K: 1000,
  M: 1000 ** 2,
  G: 1000 ** 3,
};

/** The pattern the policy schema also uses, so the schema and the parser agree. */
export const BYTE_SIZE_PATTERN = '^[0-9]+(Ki|Mi|Gi|k|K|M|G)?$';
const BYTE_SIZE = /^([0-9]+)(Ki|Mi|Gi|k|K|M|G)?$/;

/** Parses a size; returns `undefined` when the text is not one. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = BYTE_SIZE.exec(value.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * (UNIT_BYTES[match[2] ?? ''] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Formats bytes for messages: `1Mi`, `512Ki`, `1000`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
