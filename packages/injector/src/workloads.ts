// Where the pod template sits in each kind of workload the CLI accepts.
import type { JsonObject } from './json.js';
import { stringAt } from './json.js';

const TEMPLATE_POINTERS: Record<string, string[]> = {
  'v1/Pod': [],
  'apps/v1/Deployment': ['spec', 'template'],
  'apps/v1/StatefulSet': ['spec', 'template'],
  'apps/v1/DaemonSet': ['spec', 'template'],
  'apps/v1/ReplicaSet': ['spec', 'template'],
  'batch/v1/Job': ['spec', 'template'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_KINDS = Object.keys(TEMPLATE_POINTERS).map((k) => k.slice(k.lastIndexOf('/') + 1));

/** Keys from the object to its pod template (`[]` for a Pod); undefined for other kinds. */
export function podTemplatePointer(object: JsonObject): string[] | undefined {
  return TEMPLATE_POINTERS[`${stringAt(object, 'apiVersion')}/${stringAt(object, 'kind')}`];
}
