/**
 * One compiled policy revision: the validated document, its engine and compiled rules.
 * Immutable; an exchange takes the current snapshot at `onRequest` and keeps it to the end, so
 * a hot reload never changes an exchange in flight.
 */
import type { Engine } from '@leakguard/detectors';
import type { ContentTypeFilter } from './content-type-filter.js';
import type { DlpPolicyDocument, FailMode, PolicyMode } from './policy-document.js';
import type { RouteTable } from './route-rules.js';

export interface PolicySnapshot {
  /** `metadata.name`. */
  readonly name: string;
  /** First 12 hex digits of the SHA-256 of the policy file: changes with every edit. */
  readonly revision: string;
  /** Where it was read from (a path, or a label for in-memory policies). */
  readonly source: string;
  readonly loadedAt: Date;
  readonly mode: PolicyMode;
  /** `mode === 'monitor'`: decide and audit, change nothing. */
  readonly monitor: boolean;
  readonly failMode: FailMode;
  /** Bytes of a body that may be held before it is forwarded (a block is a clean 403 within it). */
  readonly maxBufferBytes: number;
  readonly inspectHeaders: boolean;
  readonly inspectUrl: boolean;
  /** Compressed bodies are re-encoded (true) or forwarded decoded (false). */
  readonly recompress: boolean;
  readonly contentTypes: ContentTypeFilter;
  readonly routes: RouteTable;
  /** Built once for this revision, shared by every exchange that runs under it. */
  readonly engine: Engine;
  readonly document: DlpPolicyDocument;
}
