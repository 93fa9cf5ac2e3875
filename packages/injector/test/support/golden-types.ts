// Loose shapes the golden harness reads from YAML.
export type JsonObjectLike = Record<string, unknown>;
export type { AdmissionReviewResponse, InjectorConfig } from '../../src/index.js';
