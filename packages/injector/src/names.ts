// Names, labels, annotations, ports and paths from design.md §2 and the proxy contract.
// Everything a user, a manifest or the proxy depends on is spelled once, here.

export const INJECT_LABEL = 'leakguard.io/inject';
export const INJECTED_LABEL = 'leakguard.io/injected';
export const STATUS_ANNOTATION = 'leakguard.io/status';
export const ALLOW_POD_OPT_OUT_ANNOTATION = 'leakguard.io/allow-pod-opt-out';
export const POLICY_LABEL = 'leakguard.io/policy';
export const CONFIG_ANNOTATION_PREFIX = 'config.leakguard.io/';
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
export const PSA_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export const PROXY_CONTAINER = 'leakguard-proxy';
export const INIT_CONTAINER = 'leakguard-init';

export const POLICY_VOLUME = 'leakguard-policy';
export const KEYS_VOLUME = 'leakguard-keys';
export const XTABLES_LOCK_VOLUME = 'leakguard-xtables-lock';

export const POLICY_MOUNT_PATH = '/etc/leakguard/policy';
export const POLICY_FILE = `${POLICY_MOUNT_PATH}/policy.yaml`;
export const POLICY_CONFIGMAP_KEY = 'policy.yaml';
export const KEYS_MOUNT_PATH = '/etc/leakguard/keys';
export const FINGERPRINT_KEY_ITEM = 'fingerprint-key';
export const FINGERPRINT_KEY_FILE = `${KEYS_MOUNT_PATH}/${FINGERPRINT_KEY_ITEM}`;
// iptables-legacy takes its lock in /run; the init container's root filesystem is read-only.
export const XTABLES_LOCK_MOUNT_PATH = '/run';

export const DEFAULT_POLICY_CONFIGMAP = 'leakguard-policy';
export const DEFAULT_FINGERPRINT_KEY_SECRET = 'leakguard-fingerprint-key';

export const INBOUND_PORT = 15100;
export const EGRESS_PORT = 15101;
export const ADMIN_PORT = 15102;
export const PROXY_PORTS = [
  { name: 'lg-inbound', port: INBOUND_PORT },
  { name: 'lg-egress', port: EGRESS_PORT },
  { name: 'lg-admin', port: ADMIN_PORT },
] as const;
/** The proxy's fixed UID/GID: the iptables owner match excludes its own traffic. */
export const PROXY_UID = 15100;

/** Commands the image ships (packages/injector/image/). */
export const INIT_COMMAND = 'leakguard-init';
export const WAIT_READY_COMMAND = 'leakguard-wait-ready';

export const ENV_IPTABLES_RULES = 'LEAKGUARD_IPTABLES_RULES';
export const ENV_IP6TABLES_RULES = 'LEAKGUARD_IP6TABLES_RULES';

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;
export const DEFAULT_OWN_NAMESPACE = 'leakguard-system';

/** Sidecars of other meshes: two proxies fighting over the same iptables never works. */
export const OTHER_MESH_CONTAINERS = ['istio-proxy', 'istio-init', 'linkerd-proxy', 'linkerd-init'] as const;
