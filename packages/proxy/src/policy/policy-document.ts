/**
 * The DlpPolicy document as users write it (design.md §4), after schema validation.
 * `schema/dlp-policy.schema.json` is the published form of the same shape.
 */
import type { DetectorSettings, ScanOptions } from '@leakguard/detectors';

export type PolicyMode = 'enforce' | 'monitor';
export type FailMode = 'closed' | 'open';
export type RuleDirection = 'request' | 'response' | 'both';
export type RuleListener = 'inbound' | 'egress' | 'both';
export type DetectorOverride = NonNullable<ScanOptions['overrides']>[string];

export interface InspectSpec {
  maxBufferBytes?: string | number;
  skipContentTypes?: string[];
  headers?: boolean;
  url?: boolean;
  recompress?: boolean;
  maxDecompressedBytes?: string | number;
  maxCompressionRatio?: number;
}

export interface RuleMatchSpec {
  direction?: RuleDirection;
  listener?: RuleListener;
  methods?: string[];
  paths?: string[];
  hosts?: string[];
}

export interface RuleSpec {
  name?: string;
  match: RuleMatchSpec;
  detectors?: Record<string, DetectorOverride>;
}

export interface DlpPolicyDocument {
  apiVersion: 'leakguard.io/v1alpha1';
  kind: 'DlpPolicy';
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    mode?: PolicyMode;
    failMode?: FailMode;
    inspect?: InspectSpec;
    detectors?: Record<string, DetectorSettings>;
    rules?: RuleSpec[];
  };
}

/** Ids of the engine's built-in detectors (design.md §3). */
export const BUILTIN_DETECTOR_IDS: readonly string[] = ['us_ssn', 'payment_card', 'us_mbi', 'us_hicn', 'us_npi', 'uk_nhs'];

/** Defaults applied to absent `spec` fields. */
export const POLICY_DEFAULTS = {
  mode: 'enforce' as PolicyMode,
  failMode: 'closed' as FailMode,
  maxBufferBytes: 1024 * 1024,
  skipContentTypes: ['image/*', 'video/*', 'audio/*'],
  headers: true,
  url: true,
  recompress: true,
  maxDecompressedBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 200,
} as const;
