// The containers and volumes Leakguard adds to a pod, as raw JSON. Every field the API server
// would default is written out already defaulted, so a reinvocation of the webhook on the stored
// pod finds its own containers unchanged and returns no patch.
import type { InjectorConfig, ResourceSettings } from './config.js';
import type { RedirectionRules } from './iptables.js';
import type { JsonObject } from './json.js';
import type { PodKnobs } from './knobs.js';
import {
  ADMIN_PORT,
  ENV_IP6TABLES_RULES,
  ENV_IPTABLES_RULES,
  FINGERPRINT_KEY_FILE,
  INIT_COMMAND,
  INIT_CONTAINER,
  KEYS_MOUNT_PATH,
  KEYS_VOLUME,
  POLICY_FILE,
  POLICY_MOUNT_PATH,
  POLICY_VOLUME,
  PROXY_CONTAINER,
  PROXY_PORTS,
  PROXY_UID,
  WAIT_READY_COMMAND,
  XTABLES_LOCK_MOUNT_PATH,
  XTABLES_LOCK_VOLUME,
} from './names.js';

export type Placement = 'native' | 'legacy';

export interface SidecarSettings {
  config: InjectorConfig;
  knobs: PodKnobs;
  placement: Placement;
  /** The app port the proxy forwards to; absent when the pod declares none. */
  upstreamPort?: number;
}

/** How long (seconds) the app waits for the proxy to load its policy before the pod restarts it. */
export const PROXY_STARTUP_SECONDS = 120;

const CONTAINER_DEFAULTS = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' } as const;

function resources(r: ResourceSettings): JsonObject {
  return { limits: { cpu: r.cpuLimit, memory: r.memoryLimit }, requests: { cpu: r.cpuRequest, memory: r.memoryRequest } };
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number): JsonObject {
  return {
    httpGet: { path, port: ADMIN_PORT, scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds,
    successThreshold: 1,
    failureThreshold,
  };
}

function fieldEnv(name: string, fieldPath: string): JsonObject {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

export function buildProxyContainer(s: SidecarSettings): JsonObject {
  const args = ['proxy'];
  if (s.upstreamPort !== undefined) args.push('--upstream', `127.0.0.1:${s.upstreamPort}`);
  args.push('--policy', POLICY_FILE);
  const container: JsonObject = {
    name: PROXY_CONTAINER,
    image: s.config.image,
    imagePullPolicy: s.config.imagePullPolicy,
    args,
    ports: PROXY_PORTS.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
    env: [
      { name: 'LEAKGUARD_FINGERPRINT_KEY_FILE', value: FINGERPRINT_KEY_FILE },
      fieldEnv('LEAKGUARD_POD_NAME', 'metadata.name'),
      fieldEnv('LEAKGUARD_POD_NAMESPACE', 'metadata.namespace'),
    ],
    resources: resources(s.knobs.proxyResources),
    volumeMounts: [
      { name: POLICY_VOLUME, readOnly: true, mountPath: POLICY_MOUNT_PATH },
      { name: KEYS_VOLUME, readOnly: true, mountPath: KEYS_MOUNT_PATH },
    ],
  };
  if (s.placement === 'native') {
    // The app's containers start only once the startup probe passes: the policy is loaded.
    container.startupProbe = httpProbe('/readyz', 1, PROXY_STARTUP_SECONDS);
  } else {
    // Legacy placement: the kubelet starts the next container only after postStart returns.
    container.lifecycle = {
      postStart: { exec: { command: [WAIT_READY_COMMAND, '--url', `http://127.0.0.1:${ADMIN_PORT}/readyz`, '--timeout', String(PROXY_STARTUP_SECONDS)] } },
    };
  }
  container.livenessProbe = httpProbe('/healthz', 10, 3);
  container.readinessProbe = httpProbe('/readyz', 5, 3);
  Object.assign(container, CONTAINER_DEFAULTS);
  container.securityContext = {
    capabilities: { drop: ['ALL'] },
    privileged: false,
    runAsUser: PROXY_UID,
    runAsGroup: PROXY_UID,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  if (s.placement === 'native') container.restartPolicy = 'Always';
  return container;
}

export function buildInitContainer(s: SidecarSettings, rules: RedirectionRules): JsonObject {
  return {
    name: INIT_CONTAINER,
    image: s.config.image,
    imagePullPolicy: s.config.imagePullPolicy,
    command: [INIT_COMMAND],
    env: [
      { name: ENV_IPTABLES_RULES, value: rules.ipv4 },
      { name: ENV_IP6TABLES_RULES, value: rules.ipv6 },
    ],
    resources: resources(s.config.initResources),
    volumeMounts: [{ name: XTABLES_LOCK_VOLUME, mountPath: XTABLES_LOCK_MOUNT_PATH }],
    ...CONTAINER_DEFAULTS,
    securityContext: {
      // iptables needs root and NET_ADMIN/NET_RAW in the pod's network namespace; nothing else.
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      privileged: false,
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

export function buildVolumes(s: SidecarSettings, withInit: boolean): JsonObject[] {
  const volumes: JsonObject[] = [
    // Not optional: a missing policy keeps the pod from starting, with an event naming it.
    { name: POLICY_VOLUME, configMap: { name: s.knobs.policy, defaultMode: 420 } },
    { name: KEYS_VOLUME, secret: { secretName: s.knobs.fingerprintKeySecret, defaultMode: 420, optional: true } },
  ];
  if (withInit) volumes.push({ name: XTABLES_LOCK_VOLUME, emptyDir: {} });
  return volumes;
}
