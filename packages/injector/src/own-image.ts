// The webhook injects the image it runs itself. Kustomize/Helm image overrides then need no
// second setting to stay in sync: the image is read once, at startup, from the webhook's own
// Pod (RBAC: get pods in its namespace), unless --image / LEAKGUARD_INJECT_IMAGE says otherwise.
import { InjectorConfigError } from './errors.js';
import { arrayOfObjectsAt, objectAt, stringAt } from './json.js';
import type { KubernetesApiClient } from './kubernetes-api.js';

export async function readOwnImage(api: KubernetesApiClient, namespace: string, podName: string, containerName: string): Promise<string> {
  let pod;
  try {
    pod = await api.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`);
  } catch (err) {
    throw new InjectorConfigError('image', `not given, and the webhook's own pod could not be read: ${(err as Error).message}`);
  }
  const container = arrayOfObjectsAt(objectAt(pod, 'spec'), 'containers').find((c) => c.name === containerName);
  const image = stringAt(container, 'image');
  if (!image) throw new InjectorConfigError('image', `not given, and pod ${namespace}/${podName} has no container "${containerName}"`);
  return image;
}
