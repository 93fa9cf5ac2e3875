/**
 * `@leakguard/proxy`: the sidecar proxy, its policy loader and its command line. Most users run
 * the `leakguard` binary; these exports are for embedding and for the other packages' tooling.
 */
export { startProxy, describePolicy, type ProxyOptions, type RunningProxy } from './server/proxy-runtime.js';
export { compilePolicy, loadPolicyFile, parsePolicyText, policyRevision, validatePolicyDocument, type PolicyCompileOptions } from './policy/policy-loader.js';
export { POLICY_SCHEMA_URL, schemaIssues } from './policy/policy-schema.js';
export type { PolicySnapshot } from './policy/policy-snapshot.js';
export type { DlpPolicyDocument, PolicyMode, FailMode } from './policy/policy-document.js';
export { PolicyStore, type PolicyLoadEvent, type ReloadTrigger } from './policy/policy-store.js';
export { AuditLog, type ExchangeAuditRecord, type ExchangeOutcome, type DetectorSummary } from './observability/audit-log.js';
export { ProxyMetrics } from './observability/proxy-metrics.js';
export { runLeakguard } from './cli/leakguard-command.js';
export type { CommandIO } from './cli/command-io.js';
export { startSampleApp, type SampleApp } from './demo/sample-app.js';
export * from './errors.js';
