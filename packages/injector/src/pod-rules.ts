// Rules of a valid pod that the OpenAPI schema cannot express, checked on every result
// before the webhook answers. They mirror the API server's own validation (so they never reject
// what the API server accepts), plus the port clash with the proxy that it does not check.
import type { JsonObject } from './json.js';
import { arrayOfObjectsAt, objectAt, stringAt } from './json.js';
import { isPortName } from './knobs.js';
import { PROXY_CONTAINER, PROXY_PORTS } from './names.js';
import { compareQuantities, parseQuantity } from './quantity.js';

export interface ValidationIssue {
  /** JSON pointer-like location, e.g. `/spec/initContainers/1/startupProbe`. */
  path: string;
  message: string;
}

const INIT_ONLY_WITH_RESTART_ALWAYS = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const;

export function checkPodSpecRules(spec: JsonObject, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const init = arrayOfObjectsAt(spec, 'initContainers');
  const regular = arrayOfObjectsAt(spec, 'containers');
  const ephemeral = arrayOfObjectsAt(spec, 'ephemeralContainers');
  const lists: Array<[string, JsonObject[]]> = [
    ['initContainers', init],
    ['containers', regular],
    ['ephemeralContainers', ephemeral],
  ];

  // Container names unique across all lists.
  const seen = new Map<string, string>();
  for (const [list, containers] of lists) {
    containers.forEach((c, i) => {
      const name = stringAt(c, 'name');
      const path = `${base}/${list}/${i}/name`;
      if (!name) return;
      const first = seen.get(name);
      if (first) issues.push({ path, message: `container name "${name}" is already used at ${first}` });
      else seen.set(name, path);
    });
  }

  // restartPolicy: only on init containers, only "Always" (native sidecars, Kubernetes >= 1.29).
  // kubernetes-models 4.5 types it as a plain string, so its value is checked here.
  init.forEach((c, i) => {
    const path = `${base}/initContainers/${i}`;
    const restart = c.restartPolicy;
    if (restart !== undefined && restart !== 'Always') issues.push({ path: `${path}/restartPolicy`, message: `must be "Always" when set (got ${JSON.stringify(restart)})` });
    if (restart === 'Always') return;
    for (const field of INIT_ONLY_WITH_RESTART_ALWAYS) {
      if (c[field] !== undefined && c[field] !== null) {
        issues.push({ path: `${path}/${field}`, message: `may only be set on an init container with restartPolicy: Always` });
      }
    }
  });
  regular.forEach((c, i) => {
    if (c.restartPolicy !== undefined) issues.push({ path: `${base}/containers/${i}/restartPolicy`, message: 'may only be set on init containers' });
  });

  // Ports: names valid and unique per container; nobody else on the proxy's ports.
  const proxyPorts = new Set<number>(PROXY_PORTS.map((p) => p.port));
  const proxyPresent = [...init, ...regular].some((c) => c.name === PROXY_CONTAINER);
  for (const [list, containers] of lists) {
    containers.forEach((c, i) => {
      const names = new Set<string>();
      arrayOfObjectsAt(c, 'ports').forEach((p, j) => {
        const path = `${base}/${list}/${i}/ports/${j}`;
        const name = stringAt(p, 'name');
        if (name !== undefined) {
          if (!isPortName(name)) issues.push({ path: `${path}/name`, message: `"${name}" is not a valid port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and '-')` });
          if (names.has(name)) issues.push({ path: `${path}/name`, message: `port name "${name}" is used twice in this container` });
          names.add(name);
        }
        const port = p.containerPort;
        if (typeof port === 'number' && (port < 1 || port > 65535 || !Number.isInteger(port))) issues.push({ path: `${path}/containerPort`, message: 'must be between 1 and 65535' });
        if (proxyPresent && c.name !== PROXY_CONTAINER && typeof port === 'number' && proxyPorts.has(port)) {
          issues.push({ path: `${path}/containerPort`, message: `port ${port} conflicts with the ${PROXY_CONTAINER} container's port` });
        }
      });
    });
  }

  // Volumes: unique names; every mount refers to one.
  const volumes = new Set<string>();
  arrayOfObjectsAt(spec, 'volumes').forEach((v, i) => {
    const name = stringAt(v, 'name');
    if (!name) return;
    if (volumes.has(name)) issues.push({ path: `${base}/volumes/${i}/name`, message: `volume name "${name}" is used twice` });
    volumes.add(name);
  });
  for (const [list, containers] of lists) {
    containers.forEach((c, i) => {
      arrayOfObjectsAt(c, 'volumeMounts').forEach((m, j) => {
        const name = stringAt(m, 'name');
        if (name && !volumes.has(name)) issues.push({ path: `${base}/${list}/${i}/volumeMounts/${j}/name`, message: `refers to volume "${name}", which the pod does not define` });
      });
    });
  }

  // Resources: parseable, requests <= limits; Leakguard's containers carry all four.
  for (const [list, containers] of lists) {
    containers.forEach((c, i) => {
      const path = `${base}/${list}/${i}/resources`;
      const resources = objectAt(c, 'resources');
      const requests = objectAt(resources, 'requests') ?? {};
      const limits = objectAt(resources, 'limits') ?? {};
      for (const [kind, values] of [['requests', requests], ['limits', limits]] as const) {
        for (const [resource, value] of Object.entries(values)) {
          try {
            parseQuantity(String(value));
          } catch {
            issues.push({ path: `${path}/${kind}/${resource}`, message: `${JSON.stringify(value)} is not a quantity` });
          }
        }
      }
      for (const resource of Object.keys(requests)) {
        const request = requests[resource];
        const limit = limits[resource];
        if (limit === undefined) continue;
        try {
          if (compareQuantities(parseQuantity(String(request)), parseQuantity(String(limit))) > 0) {
            issues.push({ path: `${path}/requests/${resource}`, message: `request ${String(request)} exceeds limit ${String(limit)}` });
          }
        } catch {
          // reported above
        }
      }
      const name = stringAt(c, 'name') ?? '';
      if (name.startsWith('leakguard-')) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if ((kind === 'requests' ? requests : limits)[resource] === undefined) issues.push({ path: `${path}/${kind}/${resource}`, message: `${name} must set ${kind}.${resource} (quotas reject pods without it)` });
          }
        }
      }
    });
  }
  return issues;
}
