// Cluster-wide injector settings from flags, each with a LEAKGUARD_* environment variable.
// Shared by `leakguard webhook` and `leakguard inject` so both inject the same thing.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { InjectorConfig, ImagePullPolicy } from './config.js';
import { DEFAULT_INJECTOR_CONFIG, resolveInjectorConfig } from './config.js';
import { InjectorConfigError, UsageError } from './errors.js';

export const INJECTOR_FLAG_OPTIONS = {
  image: { type: 'string' },
  'image-pull-policy': { type: 'string' },
  'native-sidecar-default': { type: 'string' },
  'own-namespace': { type: 'string' },
  'proxy-cpu-request': { type: 'string' },
  'proxy-cpu-limit': { type: 'string' },
  'proxy-memory-request': { type: 'string' },
  'proxy-memory-limit': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const INJECTOR_FLAG_ENV: Record<keyof typeof INJECTOR_FLAG_OPTIONS, string> = {
  image: 'LEAKGUARD_INJECT_IMAGE',
  'image-pull-policy': 'LEAKGUARD_INJECT_IMAGE_PULL_POLICY',
  'native-sidecar-default': 'LEAKGUARD_NATIVE_SIDECAR_DEFAULT',
  'own-namespace': 'LEAKGUARD_OWN_NAMESPACE',
  'proxy-cpu-request': 'LEAKGUARD_PROXY_CPU_REQUEST',
  'proxy-cpu-limit': 'LEAKGUARD_PROXY_CPU_LIMIT',
  'proxy-memory-request': 'LEAKGUARD_PROXY_MEMORY_REQUEST',
  'proxy-memory-limit': 'LEAKGUARD_PROXY_MEMORY_LIMIT',
};

export const INJECTOR_FLAGS_HELP = `Injection settings (each also from its environment variable):
  --image REF                     image for leakguard-proxy and leakguard-init   LEAKGUARD_INJECT_IMAGE
  --image-pull-policy POLICY      Always | IfNotPresent | Never                  LEAKGUARD_INJECT_IMAGE_PULL_POLICY
  --native-sidecar-default BOOL   proxy as native sidecar unless the pod says    LEAKGUARD_NATIVE_SIDECAR_DEFAULT
                                  otherwise (needs Kubernetes >= 1.29)
  --own-namespace NS              Leakguard's namespace, never injected          LEAKGUARD_OWN_NAMESPACE
  --proxy-cpu-request Q, --proxy-cpu-limit Q, --proxy-memory-request Q, --proxy-memory-limit Q
                                  proxy resources (LEAKGUARD_PROXY_CPU_REQUEST …)`;

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's own options plus `--help` and the shared injection flags, strictly and
 * without positionals; a parse failure becomes a `UsageError` (exit 2 with usage).
 */
type CommandFlags<T extends CommandOptions> = ReturnType<
  typeof parseArgs<{
    args: string[];
    strict: true;
    allowPositionals: false;
    options: T & { help: { type: 'boolean'; short: 'h' } } & typeof INJECTOR_FLAG_OPTIONS;
  }>
>['values'];

export function parseCommandFlags<T extends CommandOptions>(argv: string[], options: T): CommandFlags<T> {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: 'boolean', short: 'h' } as const, ...INJECTOR_FLAG_OPTIONS },
    }).values as CommandFlags<T>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

type FlagValues = Partial<Record<keyof typeof INJECTOR_FLAG_OPTIONS, string | boolean | undefined>>;

export function injectorConfigFromFlags(values: FlagValues, env: NodeJS.ProcessEnv, overrides: Partial<InjectorConfig> = {}): InjectorConfig {
  const pick = (flag: keyof typeof INJECTOR_FLAG_OPTIONS): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' ? v : env[INJECTOR_FLAG_ENV[flag]];
  };
  const partial: Partial<InjectorConfig> = { ...overrides };
  const image = pick('image');
  if (image) partial.image = image;
  const policy = pick('image-pull-policy');
  if (policy) partial.imagePullPolicy = policy as ImagePullPolicy;
  const native = pick('native-sidecar-default');
  if (native !== undefined) {
    if (native !== 'true' && native !== 'false') throw new InjectorConfigError('native-sidecar-default', `"${native}" must be true or false`);
    partial.nativeSidecarDefault = native === 'true';
  }
  const own = pick('own-namespace') ?? overrides.ownNamespace;
  if (own) partial.ownNamespace = own;
  const base = partial.proxyResources ?? DEFAULT_INJECTOR_CONFIG.proxyResources;
  partial.proxyResources = {
    cpuRequest: pick('proxy-cpu-request') ?? base.cpuRequest,
    cpuLimit: pick('proxy-cpu-limit') ?? base.cpuLimit,
    memoryRequest: pick('proxy-memory-request') ?? base.memoryRequest,
    memoryLimit: pick('proxy-memory-limit') ?? base.memoryLimit,
  };
  return resolveInjectorConfig(partial);
}
