// @leakguard/injector: the mutating admission webhook, `leakguard inject`, and the library
// both are built on.
export type { CommandIO } from './command-io.js';
export { runInjectCommand, runInject, INJECT_HELP } from './inject-command.js';
export { runWebhookCommand, runWebhook, WEBHOOK_HELP } from './webhook-command.js';
export type { WebhookRunOptions } from './webhook-command.js';

export { mutatePodTemplate, excludedNamespaces, WARNING_PREFIX } from './mutate.js';
export type { MutationInput, MutationResult, NamespaceMetadata, Verdict, RuleId } from './mutate.js';
export { admitObject } from './admission.js';
export type { ObjectAdmission } from './admission.js';
export { reviewAdmission } from './admission-review.js';
export type { AdmissionResponse, AdmissionReviewResponse, AdmissionReviewDeps, AdmissionSummary } from './admission-review.js';
export { WebhookServer, INJECT_PATH, MAX_BODY_BYTES } from './webhook-server.js';
export type { WebhookServerOptions } from './webhook-server.js';
export { TlsReloader, readTlsPair } from './tls-reloader.js';
export type { TlsPair, TlsReloaderOptions } from './tls-reloader.js';
export { StaticNamespaceSource, CachedNamespaceSource, KubernetesNamespaceSource, inClusterOptions } from './namespace-source.js';
export type { NamespaceSource, CachedNamespaceSourceOptions, KubernetesNamespaceSourceOptions } from './namespace-source.js';
export { injectManifests, parseManifestDocuments } from './manifest-stream.js';
export type { ManifestInjection, ManifestInjectionOptions, ManifestObjectResult } from './manifest-stream.js';
export { DEFAULT_INJECTOR_CONFIG, DEFAULT_PROXY_RESOURCES, DEFAULT_INIT_RESOURCES, INJECTOR_VERSION, resolveInjectorConfig } from './config.js';
export type { InjectorConfig, ResourceSettings, ImagePullPolicy } from './config.js';
export { readKnobs, KNOB_NAMES } from './knobs.js';
export type { PodKnobs, KnobIssue, KnobName, Cidr } from './knobs.js';
export { planInbound } from './ports.js';
export type { InboundPlan, InboundChoice, DeclaredPort } from './ports.js';
export { buildRedirectionRules, hasRedirection, INBOUND_CHAIN, OUTBOUND_CHAIN } from './iptables.js';
export type { RedirectionPlan, RedirectionRules } from './iptables.js';
export { encodeStatus, decodeStatus, stripInjection } from './injection-status.js';
export type { InjectionStatus, InjectionMode } from './injection-status.js';
export { validateObject, checkSchema, hasSchema, describeIssues } from './schema-validation.js';
export { checkPodSpecRules } from './pod-rules.js';
export type { ValidationIssue } from './pod-rules.js';
export { parseQuantity, formatQuantity, canonicalQuantity, compareQuantities } from './quantity.js';
export type { Quantity } from './quantity.js';
export { podTemplatePointer, WORKLOAD_KINDS } from './workloads.js';
export * from './errors.js';
export * as names from './names.js';
