// Which port the proxy fronts. One inbound upstream per pod: the proxy forwards to a single app
// port, so every other declared port is a way around inspection that must be acknowledged.
import type { JsonObject } from './json.js';
import { arrayOfObjectsAt, stringAt } from './json.js';
import type { PodKnobs } from './knobs.js';
import { PROXY_PORTS } from './names.js';

export interface DeclaredPort {
  container: string;
  name?: string;
  port: number;
  protocol: string;
}

export interface InboundChoice {
  port: number;
  /** The container declaring it (absent for an undeclared number given by annotation). */
  container?: string;
  portName?: string;
  /** Why this port: for --dry-run and the status annotation. */
  reason: string;
}

/** What identifies the app container besides its position (first regular container). */
export interface AppContainerHint {
  /** `kubectl.kubernetes.io/default-container` as the pod carried it, even if a previous injection wrote it. */
  named?: string;
  /** The port the previous injection fronted: on reinvocation its container is still the app. */
  previousInboundPort?: number;
}

export interface InboundPlan {
  /** The regular container the proxy serves (`kubectl.kubernetes.io/default-container`). */
  appContainer?: string;
  inbound?: InboundChoice;
  /** Declared ports traffic could reach without the proxy, not acknowledged. */
  bypass: DeclaredPort[];
  /** Declared ports that clash with the proxy's own. */
  conflicts: DeclaredPort[];
  /** Problems with `config.leakguard.io/inbound-port` (treated like an invalid knob). */
  knobIssues: string[];
}

function declaredPorts(containers: JsonObject[]): DeclaredPort[] {
  const out: DeclaredPort[] = [];
  for (const c of containers) {
    const container = stringAt(c, 'name') ?? '';
    for (const p of arrayOfObjectsAt(c, 'ports')) {
      const port = p.containerPort;
      if (typeof port !== 'number') continue;
      out.push({ container, name: stringAt(p, 'name'), port, protocol: stringAt(p, 'protocol') ?? 'TCP' });
    }
  }
  return out;
}

export function describePort(p: DeclaredPort): string {
  return `${p.port}/${p.protocol} (container ${p.container}${p.name ? `, port ${p.name}` : ''})`;
}

/**
 * The app container: the one the pod names, else (reinvocation) the one declaring the port the
 * previous injection fronted, else the first. Another webhook may have put a container first
 * since the previous injection; the decision must not change with it.
 */
function findAppContainer(containers: JsonObject[], hint: AppContainerHint): JsonObject | undefined {
  const named = hint.named === undefined ? undefined : containers.find((c) => c.name === hint.named);
  const previous =
    hint.previousInboundPort === undefined
      ? undefined
      : containers.find((c) => declaredPorts([c]).some((p) => p.port === hint.previousInboundPort && p.protocol === 'TCP'));
  return named ?? previous ?? containers[0];
}

/**
 * `containers` are the app's regular containers and `sidecars` its own native sidecars (init
 * containers with restartPolicy Always), both with Leakguard's containers already removed.
 */
export function planInbound(spec: JsonObject, knobs: PodKnobs, appHint: AppContainerHint = {}): InboundPlan {
  const containers = arrayOfObjectsAt(spec, 'containers');
  const initContainers = arrayOfObjectsAt(spec, 'initContainers');
  const sidecars = initContainers.filter((c) => c.restartPolicy === 'Always');
  const app = findAppContainer(containers, appHint);
  const appContainer = app ? stringAt(app, 'name') : undefined;

  const serving = declaredPorts([...(app ? [app] : []), ...containers.filter((c) => c !== app), ...sidecars]);
  const skip = new Set(knobs.skipInboundPorts);
  const knobIssues: string[] = [];
  let inbound: InboundChoice | undefined;

  if (typeof knobs.inboundPort === 'number') {
    const port = knobs.inboundPort;
    const decl = serving.find((p) => p.port === port && p.protocol === 'TCP');
    inbound = { port, container: decl?.container, portName: decl?.name, reason: 'annotation config.leakguard.io/inbound-port' };
  } else if (typeof knobs.inboundPort === 'string') {
    const name = knobs.inboundPort;
    const decl = serving.find((p) => p.name === name);
    if (!decl) knobIssues.push(`names no container port (declared port names: ${serving.filter((p) => p.name).map((p) => p.name).join(', ') || 'none'})`);
    else if (decl.protocol !== 'TCP') knobIssues.push(`names port ${describePort(decl)}, which is not TCP`);
    else inbound = { port: decl.port, container: decl.container, portName: decl.name, reason: 'annotation config.leakguard.io/inbound-port' };
  }
  if (inbound && skip.has(inbound.port)) {
    knobIssues.push(`port ${inbound.port} is also listed in config.leakguard.io/skip-inbound-ports`);
    inbound = undefined;
  }
  // No usable explicit choice: the default (permissive namespaces go on with it; strict ones
  // deny on the knob issue anyway).
  if (!inbound && app) {
    const appPorts = declaredPorts([app]).filter((p) => p.protocol === 'TCP' && !skip.has(p.port));
    const http = appPorts.find((p) => p.name === 'http');
    const chosen = http ?? appPorts[0];
    if (chosen) {
      inbound = {
        port: chosen.port,
        container: chosen.container,
        portName: chosen.name,
        reason: http ? `port named "http" of container ${chosen.container}` : `first TCP port of container ${chosen.container}`,
      };
    }
  }

  const proxyPorts = new Set<number>(PROXY_PORTS.map((p) => p.port));
  const conflicts = declaredPorts([...initContainers, ...containers]).filter((p) => proxyPorts.has(p.port));
  if (inbound && proxyPorts.has(inbound.port) && !conflicts.some((c) => c.port === inbound?.port)) {
    conflicts.push({ container: inbound.container ?? '(annotation)', port: inbound.port, protocol: 'TCP' });
  }
  const bypass = serving.filter(
    (p) => !(inbound && p.port === inbound.port && p.protocol === 'TCP') && !skip.has(p.port) && !proxyPorts.has(p.port),
  );
  return { appContainer, inbound, bypass, conflicts, knobIssues };
}
