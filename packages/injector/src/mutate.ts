// The pure mutation: who is injected, with what, and the mutated pod (template) as raw JSON.
// Shared by the webhook and `leakguard inject`; no I/O.
import type { InjectorConfig } from './config.js';
import type { InjectionMode, InjectionStatus } from './injection-status.js';
import { encodeStatus, stripInjection } from './injection-status.js';
import { buildRedirectionRules, hasRedirection } from './iptables.js';
import type { JsonObject } from './json.js';
import { arrayOfObjectsAt, cloneJson, ensureArray, ensureObject, objectAt, stringAt, stringMapAt } from './json.js';
import { describeKnobIssue, quoteValue, readKnobs } from './knobs.js';
import type { KnobIssue } from './knobs.js';
import {
  ALLOW_POD_OPT_OUT_ANNOTATION,
  DEFAULT_CONTAINER_ANNOTATION,
  INIT_CONTAINER,
  INJECTED_LABEL,
  INJECT_LABEL,
  OTHER_MESH_CONTAINERS,
  PROXY_CONTAINER,
  PSA_ENFORCE_LABEL,
  STATUS_ANNOTATION,
  SYSTEM_NAMESPACES,
} from './names.js';
import { checkPodLevelResources } from './pod-rules.js';
import { describePort, planInbound } from './ports.js';
import { describeIssues } from './schema-validation.js';
import { buildInitContainer, buildProxyContainer, buildVolumes } from './sidecar-spec.js';
import type { Placement, SidecarSettings } from './sidecar-spec.js';
import { INBOUND_PORT } from './names.js';

export interface NamespaceMetadata {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface MutationInput {
  /** A Pod, or a workload's pod template (`{metadata, spec}`). Never modified. */
  template: JsonObject;
  namespace: NamespaceMetadata;
  /** Kind of the object that carries the template ("Pod", "Deployment", "Job", …). */
  ownerKind?: string;
}

export type Verdict = 'inject' | 'skip' | 'deny';

/** Stable rule ids, named in every denial and warning. */
export type RuleId =
  | 'pod-opt-out'
  | 'invalid-label'
  | 'host-network'
  | 'other-mesh'
  | 'invalid-setting'
  | 'port-conflict'
  | 'uninspected-port'
  | 'pod-security'
  | 'windows-pod'
  | 'pod-resources'
  | 'no-containers'
  | 'no-inbound-port'
  | 'legacy-placement'
  | 'invalid-result';

export interface MutationResult {
  verdict: Verdict;
  mode?: InjectionMode;
  /** Why the pod is or is not injected, line by line (for --dry-run). */
  explanation: string[];
  warnings: string[];
  denial?: string;
  /** The resulting template: mutated when injected, otherwise the input unchanged. */
  template: JsonObject;
  status?: InjectionStatus;
}

export const WARNING_PREFIX = 'leakguard: ';

interface Problem {
  rule: RuleId;
  message: string;
  /** In a permissive namespace: true = do not inject (with a warning), false = inject and warn. */
  blocksInjection: boolean;
}

function modeLabel(mode: InjectionMode, namespace: string): string {
  if (mode === 'strict') return `strict namespace "${namespace}"`;
  if (mode === 'permissive') return `permissive namespace "${namespace}"`;
  return `pod-level opt-in (namespace "${namespace}" is unlabelled)`;
}

export function excludedNamespaces(config: InjectorConfig): string[] {
  return [...SYSTEM_NAMESPACES, config.ownNamespace];
}

/** Puts Leakguard's containers where `placement` wants them; returns the names per list. */
function insertSidecars(spec: JsonObject, placement: Placement, proxy: JsonObject, init: JsonObject | undefined): { initContainers: string[]; containers: string[] } {
  if (placement === 'native') {
    const added = init ? [init, proxy] : [proxy];
    ensureArray(spec, 'initContainers').unshift(...added);
    return { initContainers: added.map((c) => c.name as string), containers: [] };
  }
  // After the user's init containers: they run before the proxy exists, so redirecting
  // their traffic would break them.
  if (init) ensureArray(spec, 'initContainers').push(init);
  ensureArray(spec, 'containers').unshift(proxy);
  return { initContainers: init ? [INIT_CONTAINER] : [], containers: [PROXY_CONTAINER] };
}

export function mutatePodTemplate(input: MutationInput, config: InjectorConfig): MutationResult {
  const ns = input.namespace;
  const unchanged = (verdict: Verdict, explanation: string[], warnings: string[] = [], extra: Partial<MutationResult> = {}): MutationResult => ({
    verdict,
    explanation,
    warnings,
    template: cloneJson(input.template),
    ...extra,
  });

  if (excludedNamespaces(config).includes(ns.name)) {
    return unchanged('skip', [`namespace "${ns.name}" is never injected (system namespace or Leakguard's own)`]);
  }

  // Read before stripping, which removes the default-container annotation a previous injection
  // added: on reinvocation the app container must stay the one that injection chose.
  const namedApp = stringMapAt(objectAt(input.template, 'metadata'), 'annotations')[DEFAULT_CONTAINER_ANNOTATION];
  // Decide on a copy without any previous injection: our own containers must not count as the app's.
  const work = cloneJson(input.template);
  const { previous } = stripInjection(work);
  const metadata = ensureObject(work, 'metadata');
  const spec = ensureObject(work, 'spec');
  const podLabels = stringMapAt(metadata, 'labels');
  const podAnnotations = stringMapAt(metadata, 'annotations');
  const explanation: string[] = [];
  const warnings: string[] = [];
  const warn = (rule: RuleId, message: string) => warnings.push(`${WARNING_PREFIX}[${rule}] ${message}`);

  // 1. Who is injected.
  const nsValue = ns.labels[INJECT_LABEL];
  const podValue = podLabels[INJECT_LABEL];
  let mode: InjectionMode;
  if (nsValue === 'enabled' || nsValue === 'permissive') {
    mode = nsValue === 'enabled' ? 'strict' : 'permissive';
    explanation.push(`namespace "${ns.name}" has label ${INJECT_LABEL}=${nsValue}: ${mode}`);
  } else if (nsValue === 'disabled') {
    return unchanged('skip', [`namespace "${ns.name}" has label ${INJECT_LABEL}=disabled`]);
  } else if (nsValue !== undefined) {
    warn('invalid-label', `not injected: namespace "${ns.name}" label ${INJECT_LABEL}=${quoteValue(nsValue)} is not one of enabled, permissive, disabled`);
    return unchanged('skip', [`namespace "${ns.name}" has an unsupported ${INJECT_LABEL} label value`], warnings);
  } else if (podValue === 'enabled') {
    mode = 'pod';
    explanation.push(`pod has label ${INJECT_LABEL}=enabled in unlabelled namespace "${ns.name}": pod-level opt-in`);
  } else {
    if (podValue !== undefined && podValue !== 'disabled') {
      warn('invalid-label', `not injected: pod label ${INJECT_LABEL}=${quoteValue(podValue)} is not "enabled" or "disabled"`);
    }
    return unchanged('skip', [`namespace "${ns.name}" has no ${INJECT_LABEL} label and the pod does not opt in`], warnings);
  }
  const strict = mode === 'strict';
  const where = modeLabel(mode, ns.name);
  const problems: Problem[] = [];

  // Nothing to inspect, and the API server rejects such a pod anyway: never deny it for that.
  if (arrayOfObjectsAt(spec, 'containers').length === 0) {
    warn('no-containers', 'not injected: the pod declares no containers, so there is nothing to inspect');
    return unchanged('skip', [...explanation, 'not injected: no containers'], warnings, { mode });
  }

  if (mode !== 'pod') {
    const optOutValue = ns.annotations[ALLOW_POD_OPT_OUT_ANNOTATION];
    if (optOutValue !== undefined && optOutValue !== 'true' && optOutValue !== 'false') {
      warn('invalid-label', `namespace annotation ${ALLOW_POD_OPT_OUT_ANNOTATION}=${quoteValue(optOutValue)} is not "true" or "false"; pod opt-out stays disallowed`);
    }
    if (podValue === 'disabled') {
      if (optOutValue === 'true') {
        explanation.push(`pod has label ${INJECT_LABEL}=disabled and the namespace allows opting out (${ALLOW_POD_OPT_OUT_ANNOTATION}="true")`);
        return unchanged('skip', explanation, warnings, { mode });
      }
      problems.push({
        rule: 'pod-opt-out',
        message: `pod label ${INJECT_LABEL}=disabled is not honoured: namespace "${ns.name}" does not allow pod opt-out (annotation ${ALLOW_POD_OPT_OUT_ANNOTATION}: "true")`,
        blocksInjection: false,
      });
    } else if (podValue !== undefined && podValue !== 'enabled') {
      problems.push({ rule: 'invalid-label', message: `pod label ${INJECT_LABEL}=${quoteValue(podValue)} is not "enabled" or "disabled"`, blocksInjection: false });
    }
  }

  // 2. Pods the redirection cannot be installed for.
  if (spec.hostNetwork === true) {
    problems.push({
      rule: 'host-network',
      message: 'hostNetwork pods share the node\'s network namespace: redirecting their traffic would capture the whole node\'s',
      blocksInjection: true,
    });
  }
  const windowsBy = stringAt(objectAt(spec, 'os'), 'name') === 'windows' ? 'spec.os.name' : stringMapAt(spec, 'nodeSelector')['kubernetes.io/os'] === 'windows' ? 'nodeSelector kubernetes.io/os' : undefined;
  if (windowsBy) {
    problems.push({
      rule: 'windows-pod',
      message: `Windows pod (${windowsBy}: windows): ${INIT_CONTAINER}'s iptables redirection and the Linux security settings of Leakguard's containers cannot run on Windows nodes`,
      blocksInjection: true,
    });
  }
  const allContainers = [...arrayOfObjectsAt(spec, 'initContainers'), ...arrayOfObjectsAt(spec, 'containers')];
  const mesh = allContainers.map((c) => stringAt(c, 'name')).filter((n): n is string => (OTHER_MESH_CONTAINERS as readonly string[]).includes(n ?? ''));
  if (mesh.length > 0) {
    problems.push({
      rule: 'other-mesh',
      message: `pod already carries another mesh's proxy (${mesh.join(', ')}): two proxies cannot both redirect the pod's traffic`,
      blocksInjection: true,
    });
  }
  const ours = allContainers.map((c) => stringAt(c, 'name')).filter((n) => n === PROXY_CONTAINER || n === INIT_CONTAINER);
  if (ours.length > 0) {
    problems.push({
      rule: 'port-conflict',
      message: `pod already has a container named ${ours.join(', ')} that Leakguard did not inject (no ${STATUS_ANNOTATION} annotation)`,
      blocksInjection: true,
    });
  }

  // 3. Settings.
  const { knobs, issues } = readKnobs(podAnnotations, ns.annotations, config);
  const plan = planInbound(spec, knobs, { named: namedApp, previousInboundPort: previous?.inboundPort ?? undefined });
  const knobIssues: KnobIssue[] = [
    ...issues,
    ...plan.knobIssues.map((message) => ({
      annotation: 'config.leakguard.io/inbound-port',
      source: podAnnotations['config.leakguard.io/inbound-port'] !== undefined ? ('pod' as const) : ('namespace' as const),
      message,
    })),
  ];
  for (const issue of knobIssues) {
    problems.push({ rule: 'invalid-setting', message: `${describeKnobIssue(issue)}${strict ? '' : '; using the default'}`, blocksInjection: false });
  }

  // 4. Ports.
  for (const c of plan.conflicts) {
    problems.push({ rule: 'port-conflict', message: `port ${describePort(c)} is one of the proxy's own ports (15100-15102)`, blocksInjection: true });
  }
  if (plan.bypass.length > 0) {
    problems.push({
      rule: 'uninspected-port',
      message: `port${plan.bypass.length > 1 ? 's' : ''} ${plan.bypass.map(describePort).join(', ')} would bypass inspection (the proxy fronts ${plan.inbound ? `port ${plan.inbound.port} only` : 'no port'}); list ${plan.bypass.length > 1 ? 'them' : 'it'} in config.leakguard.io/skip-inbound-ports to acknowledge, or choose the port with config.leakguard.io/inbound-port`,
      blocksInjection: false,
    });
  }

  const egress = knobs.egress === 'enabled';
  const redirection = {
    inboundPort: plan.inbound?.port,
    egress,
    skipOutboundPorts: knobs.skipOutboundPorts,
    skipOutboundCidrs: knobs.skipOutboundCidrs,
  };
  const withInit = hasRedirection(redirection);

  // 5. Pod Security admission runs after us and would reject the NET_ADMIN init container.
  const psa = ns.labels[PSA_ENFORCE_LABEL];
  if (withInit && (psa === 'baseline' || psa === 'restricted')) {
    problems.push({
      rule: 'pod-security',
      message: `namespace "${ns.name}" enforces Pod Security "${psa}", which rejects the ${INIT_CONTAINER} container (NET_ADMIN, NET_RAW, runAsUser 0); label the namespace ${PSA_ENFORCE_LABEL}=privileged`,
      blocksInjection: true,
    });
  }

  // 6. Pod-level resources (spec.resources) must still hold the pod with Leakguard's containers in
  // it. The pod's budget is the user's: it is never raised here. A pod that does not fit its own
  // budget is left to the validation of the result ([invalid-result], "already invalid").
  const placement: Placement = knobs.nativeSidecar ? 'native' : 'legacy';
  const settings: SidecarSettings = { config, knobs, placement, upstreamPort: plan.inbound?.port };
  const proxy = buildProxyContainer(settings);
  const rules = withInit ? buildRedirectionRules(redirection) : undefined;
  const init = rules ? buildInitContainer(settings, rules) : undefined;
  if (objectAt(spec, 'resources') && checkPodLevelResources(spec, '/spec').length === 0) {
    const trial = cloneJson(spec);
    insertSidecars(trial, placement, cloneJson(proxy), init && cloneJson(init));
    const shortfalls = checkPodLevelResources(trial, '/spec');
    if (shortfalls.length > 0) {
      problems.push({
        rule: 'pod-resources',
        message: `the pod-level resources (spec.resources) leave no room for Leakguard's containers: ${describeIssues(shortfalls)}; add the proxy's share to spec.resources or lower it with config.leakguard.io/proxy-cpu-request, -cpu-limit, -memory-request, -memory-limit`,
        blocksInjection: true,
      });
    }
  }

  if (problems.length > 0) {
    if (strict) {
      const denial = `${WARNING_PREFIX}denied by ${where}: ${problems.map((p) => `[${p.rule}] ${p.message}`).join('; ')}`;
      return unchanged('deny', [...explanation, 'denied: the namespace is strict'], warnings, { mode, denial });
    }
    const blocking = problems.filter((p) => p.blocksInjection);
    if (blocking.length > 0) {
      for (const p of problems) warn(p.rule, `${p.blocksInjection ? 'not injected: ' : ''}${p.message}`);
      return unchanged('skip', [...explanation, `not injected: ${blocking.map((p) => p.rule).join(', ')}`], warnings, { mode });
    }
    for (const p of problems) warn(p.rule, p.message);
  }

  // 7. Build.
  if (!plan.inbound) {
    warn('no-inbound-port', `pod declares no inbound port: nothing inbound to redirect; the proxy is injected for the egress side${egress ? '' : ' (egress redirection is disabled too, so no traffic passes through it yet)'}`);
  }
  const podRestart = stringAt(spec, 'restartPolicy') ?? 'Always';
  if (placement === 'legacy' && (podRestart !== 'Always' || input.ownerKind === 'Job' || input.ownerKind === 'CronJob')) {
    warn('legacy-placement', `restartPolicy ${podRestart}: as a regular container the proxy never exits, so this pod never completes; set config.leakguard.io/native-sidecar: "true" (Kubernetes >= 1.29)`);
  }
  const userInit = arrayOfObjectsAt(spec, 'initContainers');
  if (placement === 'legacy' && egress && userInit.length > 0) {
    warn('legacy-placement', `init containers ${userInit.map((c) => stringAt(c, 'name')).join(', ')} run before the proxy starts: their egress is not inspected; native sidecars close this gap`);
  }

  const added = insertSidecars(spec, placement, proxy, init);
  const status: InjectionStatus = {
    version: config.version,
    mode,
    placement,
    policy: knobs.policy,
    inboundPort: plan.inbound?.port ?? null,
    egress: knobs.egress,
    initContainers: added.initContainers,
    containers: added.containers,
    volumes: [],
    annotations: [],
  };
  const volumes = buildVolumes(settings, withInit);
  ensureArray(spec, 'volumes').push(...volumes);
  status.volumes = volumes.map((v) => v.name as string);

  const annotations = ensureObject(metadata, 'annotations');
  if (placement === 'legacy' && plan.appContainer && annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) {
    annotations[DEFAULT_CONTAINER_ANNOTATION] = plan.appContainer;
    status.annotations.push(DEFAULT_CONTAINER_ANNOTATION);
  }
  annotations[STATUS_ANNOTATION] = encodeStatus(status);
  ensureObject(metadata, 'labels')[INJECTED_LABEL] = 'true';

  explanation.push(`placement: ${placement === 'native' ? 'native sidecar (init container with restartPolicy: Always)' : 'first regular container with a postStart wait'}`);
  explanation.push(plan.inbound ? `inbound: port ${plan.inbound.port} (${plan.inbound.reason}) redirected to :${INBOUND_PORT}` : 'inbound: no port to redirect');
  explanation.push(`egress: ${knobs.egress}${egress ? ' (outbound TCP redirected to :15101)' : ''}`);
  explanation.push(`policy: ConfigMap "${knobs.policy}"`);
  if (previous) explanation.push('a previous injection was removed and injected again');
  return { verdict: 'inject', mode, explanation, warnings, template: work, status };
}

