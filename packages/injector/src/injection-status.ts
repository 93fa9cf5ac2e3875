// The `leakguard.io/status` annotation: what was injected, so a later call (webhook
// reinvocation, re-applied manifest) removes exactly that and injects again.
import type { JsonObject } from './json.js';
import { isJsonObject, objectAt } from './json.js';
import {
  DEFAULT_CONTAINER_ANNOTATION,
  INIT_CONTAINER,
  INJECTED_LABEL,
  KEYS_VOLUME,
  POLICY_VOLUME,
  PROXY_CONTAINER,
  STATUS_ANNOTATION,
  XTABLES_LOCK_VOLUME,
} from './names.js';
import type { Placement } from './sidecar-spec.js';

export type InjectionMode = 'strict' | 'permissive' | 'pod';

export interface InjectionStatus {
  version: string;
  mode: InjectionMode;
  placement: Placement;
  policy: string;
  inboundPort: number | null;
  egress: 'enabled' | 'disabled';
  initContainers: string[];
  containers: string[];
  volumes: string[];
  /** Annotations the injection added (e.g. kubectl.kubernetes.io/default-container). */
  annotations: string[];
}

export function encodeStatus(s: InjectionStatus): string {
  // Fixed key order: the same injection always yields the same string (no spurious patch).
  return JSON.stringify({
    version: s.version,
    mode: s.mode,
    placement: s.placement,
    policy: s.policy,
    inboundPort: s.inboundPort,
    egress: s.egress,
    initContainers: s.initContainers,
    containers: s.containers,
    volumes: s.volumes,
    annotations: s.annotations,
  });
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

export function decodeStatus(text: string): InjectionStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed)) return undefined;
  const initContainers = stringList(parsed.initContainers);
  const containers = stringList(parsed.containers);
  const volumes = stringList(parsed.volumes);
  const annotations = stringList(parsed.annotations);
  if (!initContainers || !containers || !volumes || !annotations) return undefined;
  return {
    version: String(parsed.version ?? ''),
    mode: parsed.mode === 'strict' || parsed.mode === 'permissive' ? parsed.mode : 'pod',
    placement: parsed.placement === 'native' ? 'native' : 'legacy',
    policy: String(parsed.policy ?? ''),
    inboundPort: typeof parsed.inboundPort === 'number' ? parsed.inboundPort : null,
    egress: parsed.egress === 'enabled' ? 'enabled' : 'disabled',
    initContainers,
    containers,
    volumes,
    annotations,
  };
}

function removeNamed(list: JsonObject, key: string, names: Set<string>): void {
  const items = list[key];
  if (!Array.isArray(items)) return;
  list[key] = items.filter((item) => !(isJsonObject(item) && typeof item.name === 'string' && names.has(item.name)));
}

/**
 * Removes a previous injection from `template` (a Pod or pod template, mutated in place).
 * Containers are matched by name in both lists: another webhook may have moved or
 * re-serialized them (e.g. dropped `restartPolicy`). An unreadable status still removes
 * Leakguard's well-known containers and volumes.
 */
export function stripInjection(template: JsonObject): { stripped: boolean; previous?: InjectionStatus } {
  const metadata = objectAt(template, 'metadata');
  const annotations = objectAt(metadata, 'annotations');
  const raw = annotations?.[STATUS_ANNOTATION];
  if (typeof raw !== 'string') return { stripped: false };
  const previous = decodeStatus(raw);
  // Only Leakguard's own names are ever removed: a forged or corrupted status must not make the
  // webhook delete the user's containers, volumes or annotations.
  const ownContainers = [INIT_CONTAINER, PROXY_CONTAINER];
  const ownVolumes = [POLICY_VOLUME, KEYS_VOLUME, XTABLES_LOCK_VOLUME];
  const containerNames = new Set(previous ? [...previous.initContainers, ...previous.containers].filter((n) => ownContainers.includes(n)) : ownContainers);
  const volumeNames = new Set(previous ? previous.volumes.filter((n) => ownVolumes.includes(n)) : ownVolumes);
  const spec = objectAt(template, 'spec');
  if (spec) {
    removeNamed(spec, 'initContainers', containerNames);
    removeNamed(spec, 'containers', containerNames);
    // Emptied arrays stay: re-injecting fills them again, so inject twice = inject once.
    removeNamed(spec, 'volumes', volumeNames);
  }
  if (annotations) {
    for (const key of previous?.annotations ?? []) if (key === DEFAULT_CONTAINER_ANNOTATION) delete annotations[key];
    delete annotations[STATUS_ANNOTATION];
  }
  const labels = objectAt(metadata, 'labels');
  if (labels) delete labels[INJECTED_LABEL];
  return { stripped: true, previous };
}
