// The `config.leakguard.io/<knob>` annotations: a namespace's value is inherited by its pods,
// a pod's value wins. Every value is checked; an unusable one is reported as a KnobIssue that
// names the annotation, where it was set and why (strict namespaces deny on it, permissive
// ones warn and fall back to the default).
import { isIPv4, isIPv6 } from 'node:net';
import type { InjectorConfig, ResourceSettings } from './config.js';
import { CONFIG_ANNOTATION_PREFIX, DEFAULT_FINGERPRINT_KEY_SECRET, DEFAULT_POLICY_CONFIGMAP } from './names.js';
import { canonicalQuantity, compareQuantities, parseQuantity } from './quantity.js';

export type KnobSource = 'pod' | 'namespace';

export interface KnobIssue {
  annotation: string;
  source: KnobSource;
  message: string;
}

export interface Cidr {
  family: 4 | 6;
  /** `address/prefix`, as iptables takes it. */
  cidr: string;
}

export interface PodKnobs {
  policy: string;
  /** Explicit inbound port: a number, or the name of a container port. */
  inboundPort?: number | string;
  skipInboundPorts: number[];
  skipOutboundPorts: number[];
  skipOutboundCidrs: Cidr[];
  egress: 'enabled' | 'disabled';
  nativeSidecar: boolean;
  fingerprintKeySecret: string;
  proxyResources: ResourceSettings;
}

export const KNOB_NAMES = [
  'policy',
  'inbound-port',
  'skip-inbound-ports',
  'skip-outbound-ports',
  'skip-outbound-cidrs',
  'egress',
  'native-sidecar',
  'fingerprint-key-secret',
  'proxy-cpu-request',
  'proxy-cpu-limit',
  'proxy-memory-request',
  'proxy-memory-limit',
] as const;
export type KnobName = (typeof KNOB_NAMES)[number];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// IANA_SVC_NAME, as Kubernetes validates container port names.
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

export function isDnsSubdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

export function isPortName(value: string): boolean {
  return value.length > 0 && value.length <= 15 && PORT_NAME.test(value);
}

/** A user-written value, quoted and cut short for a message. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

class KnobValueError extends Error {}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new KnobValueError(`${quoteValue(text)} is not a port number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new KnobValueError(`port ${port} is outside 1-65535`);
  return port;
}

function parseList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 1 && items[0] === '') return [];
  if (items.some((s) => s === '')) throw new KnobValueError('has an empty item (expected a comma-separated list)');
  return items;
}

function parsePortList(value: string): number[] {
  return [...new Set(parseList(value).map(parsePort))].sort((a, b) => a - b);
}

function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!family) throw new KnobValueError(`${quoteValue(text)} is not an IPv4 or IPv6 CIDR`);
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { family, cidr: `${address}/${max}` };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw new KnobValueError(`${quoteValue(text)} has a prefix length outside 0-${max}`);
  return { family, cidr: `${address}/${Number(prefixText)}` };
}

function parseQuantityKnob(value: string): string {
  let canonical: string;
  try {
    const q = parseQuantity(value);
    if (q.nanos <= 0n) throw new KnobValueError(`${quoteValue(value)} must be greater than zero`);
    canonical = canonicalQuantity(value);
  } catch (err) {
    if (err instanceof KnobValueError) throw err;
    throw new KnobValueError((err as Error).message);
  }
  return canonical;
}

interface KnobRead {
  value: string;
  source: KnobSource;
}

/**
 * Reads every knob from the namespace's and the pod's annotations. Unusable values become
 * issues and leave the default in place, so the caller can decide between deny and warn.
 */
export function readKnobs(
  podAnnotations: Record<string, string>,
  namespaceAnnotations: Record<string, string>,
  config: InjectorConfig,
): { knobs: PodKnobs; issues: KnobIssue[] } {
  const issues: KnobIssue[] = [];
  const effective = new Map<string, KnobRead>();
  for (const [source, annotations] of [['namespace', namespaceAnnotations], ['pod', podAnnotations]] as const) {
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(CONFIG_ANNOTATION_PREFIX)) continue;
      effective.set(key.slice(CONFIG_ANNOTATION_PREFIX.length), { value, source });
    }
  }

  const knobs: PodKnobs = {
    policy: DEFAULT_POLICY_CONFIGMAP,
    skipInboundPorts: [],
    skipOutboundPorts: [],
    skipOutboundCidrs: [],
    egress: 'disabled',
    nativeSidecar: config.nativeSidecarDefault,
    fingerprintKeySecret: DEFAULT_FINGERPRINT_KEY_SECRET,
    proxyResources: { ...config.proxyResources },
  };

  const known = new Set<string>(KNOB_NAMES);
  const sortedNames = [...effective.keys()].sort();
  for (const name of sortedNames) {
    const read = effective.get(name) as KnobRead;
    const annotation = CONFIG_ANNOTATION_PREFIX + name;
    if (!known.has(name)) {
      issues.push({ annotation, source: read.source, message: `unknown setting (known: ${KNOB_NAMES.join(', ')})` });
      continue;
    }
    try {
      applyKnob(knobs, name as KnobName, read.value);
    } catch (err) {
      if (!(err instanceof KnobValueError)) throw err;
      issues.push({ annotation, source: read.source, message: err.message });
    }
  }

  // Requests above limits are rejected by the API server: check the combination.
  const r = knobs.proxyResources;
  for (const [request, limit, knob] of [
    [r.cpuRequest, r.cpuLimit, 'proxy-cpu-request'],
    [r.memoryRequest, r.memoryLimit, 'proxy-memory-request'],
  ] as const) {
    if (compareQuantities(parseQuantity(request), parseQuantity(limit)) > 0) {
      const limitKnob = knob.replace('request', 'limit');
      const read = effective.get(knob) ?? effective.get(limitKnob);
      issues.push({
        annotation: CONFIG_ANNOTATION_PREFIX + (effective.has(knob) ? knob : limitKnob),
        source: read?.source ?? 'pod',
        message: `request ${request} exceeds limit ${limit}`,
      });
      if (knob === 'proxy-cpu-request') {
        r.cpuRequest = config.proxyResources.cpuRequest;
        r.cpuLimit = config.proxyResources.cpuLimit;
      } else {
        r.memoryRequest = config.proxyResources.memoryRequest;
        r.memoryLimit = config.proxyResources.memoryLimit;
      }
    }
  }
  return { knobs, issues };
}

function parseBoolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new KnobValueError(`${quoteValue(value)} must be "true" or "false"`);
}

function applyKnob(knobs: PodKnobs, name: KnobName, value: string): void {
  switch (name) {
    case 'policy':
    case 'fingerprint-key-secret': {
      if (!isDnsSubdomain(value)) throw new KnobValueError(`${quoteValue(value)} is not a valid ${name === 'policy' ? 'ConfigMap' : 'Secret'} name (lowercase DNS subdomain)`);
      if (name === 'policy') knobs.policy = value;
      else knobs.fingerprintKeySecret = value;
      return;
    }
    case 'inbound-port': {
      if (/^\d+$/.test(value)) knobs.inboundPort = parsePort(value);
      else if (isPortName(value)) knobs.inboundPort = value;
      else throw new KnobValueError(`${quoteValue(value)} is neither a port number nor a container port name`);
      return;
    }
    case 'skip-inbound-ports':
      knobs.skipInboundPorts = parsePortList(value);
      return;
    case 'skip-outbound-ports':
      knobs.skipOutboundPorts = parsePortList(value);
      return;
    case 'skip-outbound-cidrs': {
      const seen = new Set<string>();
      knobs.skipOutboundCidrs = parseList(value)
        .map(parseCidr)
        .filter((c) => !seen.has(c.cidr) && seen.add(c.cidr) !== undefined);
      return;
    }
    case 'egress':
      if (value !== 'enabled' && value !== 'disabled') throw new KnobValueError(`${quoteValue(value)} must be "enabled" or "disabled"`);
      knobs.egress = value;
      return;
    case 'native-sidecar':
      knobs.nativeSidecar = parseBoolean(value);
      return;
    case 'proxy-cpu-request':
      knobs.proxyResources.cpuRequest = parseQuantityKnob(value);
      return;
    case 'proxy-cpu-limit':
      knobs.proxyResources.cpuLimit = parseQuantityKnob(value);
      return;
    case 'proxy-memory-request':
      knobs.proxyResources.memoryRequest = parseQuantityKnob(value);
      return;
    case 'proxy-memory-limit':
      knobs.proxyResources.memoryLimit = parseQuantityKnob(value);
      return;
  }
}

export function describeKnobIssue(issue: KnobIssue): string {
  return `annotation ${issue.annotation} (set on the ${issue.source}): ${issue.message}`;
}
