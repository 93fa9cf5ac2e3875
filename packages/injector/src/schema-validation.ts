// Offline validation of Kubernetes objects: the OpenAPI schemas compiled into
// kubernetes-models 4.5 (Node 20 compatible), plus the pod rules they cannot express
// (pod-rules.ts) applied to every pod spec, whether a Pod's or a workload template's.
// The typed models only ever validate a copy; results are always computed on raw JSON.
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { JsonObject } from './json.js';
import { cloneJson, objectAt, stringAt } from './json.js';
import type { ValidationIssue } from './pod-rules.js';
import { checkPodSpecRules } from './pod-rules.js';
import { podTemplatePointer } from './workloads.js';

interface ValidatingModel {
  validate(): void;
}
type ModelFactory = (data: JsonObject) => ValidatingModel;

// The constructors' parameter types are the generated interfaces; raw JSON is what we hold.
const models: Record<string, ModelFactory> = {
  'v1/Pod': (d) => new Pod(d as never),
  'v1/Namespace': (d) => new Namespace(d as never),
  'v1/ConfigMap': (d) => new ConfigMap(d as never),
  'v1/Secret': (d) => new Secret(d as never),
  'v1/Service': (d) => new Service(d as never),
  'v1/ServiceAccount': (d) => new ServiceAccount(d as never),
  'apps/v1/Deployment': (d) => new Deployment(d as never),
  'apps/v1/StatefulSet': (d) => new StatefulSet(d as never),
  'apps/v1/DaemonSet': (d) => new DaemonSet(d as never),
  'apps/v1/ReplicaSet': (d) => new ReplicaSet(d as never),
  'batch/v1/Job': (d) => new Job(d as never),
  'batch/v1/CronJob': (d) => new CronJob(d as never),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d as never),
  'rbac.authorization.k8s.io/v1/ClusterRole': (d) => new ClusterRole(d as never),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (d) => new ClusterRoleBinding(d as never),
  'rbac.authorization.k8s.io/v1/Role': (d) => new Role(d as never),
  'rbac.authorization.k8s.io/v1/RoleBinding': (d) => new RoleBinding(d as never),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': (d) => new MutatingWebhookConfiguration(d as never),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': (d) => new ValidatingWebhookConfiguration(d as never),
};

export function hasSchema(object: JsonObject): boolean {
  return `${stringAt(object, 'apiVersion')}/${stringAt(object, 'kind')}` in models;
}

interface SchemaErrorObject {
  instancePath?: string;
  message?: string;
}

/** Schema errors of `object` (empty when valid); throws for a kind without a schema here. */
export function checkSchema(object: JsonObject): ValidationIssue[] {
  const key = `${stringAt(object, 'apiVersion')}/${stringAt(object, 'kind')}`;
  const factory = models[key];
  if (!factory) return [{ path: '', message: `no schema for ${key}` }];
  try {
    factory(cloneJson(object)).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaErrorObject[] }).errors;
    if (!Array.isArray(errors)) return [{ path: '', message: (err as Error).message }];
    return errors.map((e) => ({ path: e.instancePath ?? '', message: e.message ?? 'invalid' }));
  }
}

/** Schema + pod rules, for a Pod, a workload, or any other object with a schema. */
export function validateObject(object: JsonObject): ValidationIssue[] {
  const issues = checkSchema(object);
  const pointer = podTemplatePointer(object);
  if (pointer !== undefined) {
    let template: JsonObject | undefined = object;
    for (const key of pointer) template = objectAt(template, key);
    const spec = objectAt(template, 'spec');
    if (spec) issues.push(...checkPodSpecRules(spec, `${pointer.map((k) => `/${k}`).join('')}/spec`));
  }
  return issues;
}

export function describeIssues(issues: ValidationIssue[], limit = 5): string {
  const shown = issues.slice(0, limit).map((i) => `${i.path || '/'}: ${i.message}`);
  if (issues.length > limit) shown.push(`and ${issues.length - limit} more`);
  return shown.join('; ');
}
