// Cluster-wide settings of the injector (webhook flags / CLI options). Per-pod and
// per-namespace settings are the `config.leakguard.io/*` annotations (knobs.ts).
import { readFileSync } from 'node:fs';
import { InjectorConfigError, QuantityError } from './errors.js';
import { DEFAULT_OWN_NAMESPACE } from './names.js';
import { canonicalQuantity, compareQuantities, parseQuantity } from './quantity.js';

export interface ResourceSettings {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
}

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface InjectorConfig {
  /** One image for proxy, init and webhook; entrypoint `leakguard`. */
  image: string;
  imagePullPolicy: ImagePullPolicy;
  /** Cluster default for `config.leakguard.io/native-sidecar` (needs Kubernetes ≥ 1.29). */
  nativeSidecarDefault: boolean;
  /** Leakguard's own namespace: never injected. */
  ownNamespace: string;
  /** Recorded in `leakguard.io/status`. */
  version: string;
  proxyResources: ResourceSettings;
  initResources: ResourceSettings;
}

function readOwnVersion(): string {
  // src/ and dist/ both sit one level below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export const INJECTOR_VERSION = readOwnVersion();

export const DEFAULT_PROXY_RESOURCES: ResourceSettings = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '512Mi' };
export const DEFAULT_INIT_RESOURCES: ResourceSettings = { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '64Mi' };

export const DEFAULT_INJECTOR_CONFIG: InjectorConfig = {
  image: `ghcr.io/leakguard/leakguard:${INJECTOR_VERSION}`,
  imagePullPolicy: 'IfNotPresent',
  nativeSidecarDefault: false,
  ownNamespace: DEFAULT_OWN_NAMESPACE,
  version: INJECTOR_VERSION,
  proxyResources: DEFAULT_PROXY_RESOURCES,
  initResources: DEFAULT_INIT_RESOURCES,
};

const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._\-/:@]*$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function checkResources(setting: string, r: ResourceSettings): ResourceSettings {
  const out = { ...r };
  for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    try {
      const q = parseQuantity(r[key]);
      if (q.nanos <= 0n) throw new QuantityError(`"${r[key]}" must be greater than zero`);
      out[key] = canonicalQuantity(r[key]);
    } catch (err) {
      throw new InjectorConfigError(`${setting}.${key}`, (err as Error).message);
    }
  }
  if (compareQuantities(parseQuantity(out.cpuRequest), parseQuantity(out.cpuLimit)) > 0) throw new InjectorConfigError(`${setting}.cpuRequest`, 'must not exceed cpuLimit');
  if (compareQuantities(parseQuantity(out.memoryRequest), parseQuantity(out.memoryLimit)) > 0) throw new InjectorConfigError(`${setting}.memoryRequest`, 'must not exceed memoryLimit');
  return out;
}

/** Defaults filled in and every value checked once, at startup. */
export function resolveInjectorConfig(partial: Partial<InjectorConfig> = {}): InjectorConfig {
  const config: InjectorConfig = { ...DEFAULT_INJECTOR_CONFIG, ...partial };
  if (!IMAGE_PATTERN.test(config.image)) throw new InjectorConfigError('image', `"${config.image}" is not an image reference`);
  if (!['Always', 'IfNotPresent', 'Never'].includes(config.imagePullPolicy)) throw new InjectorConfigError('imagePullPolicy', 'must be Always, IfNotPresent or Never');
  if (!DNS_LABEL.test(config.ownNamespace)) throw new InjectorConfigError('ownNamespace', `"${config.ownNamespace}" is not a namespace name`);
  config.proxyResources = checkResources('proxyResources', config.proxyResources);
  config.initResources = checkResources('initResources', config.initResources);
  return config;
}
