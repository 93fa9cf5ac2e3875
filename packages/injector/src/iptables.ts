// The traffic redirection leakguard-init installs, as iptables-restore payloads (one per IP
// family). The nat table of the pod's own network namespace is replaced whole: the pod owns
// it, and a whole-table restore is atomic and idempotent when the init container re-runs.
import type { Cidr } from './knobs.js';
import { ADMIN_PORT, EGRESS_PORT, INBOUND_PORT, PROXY_UID } from './names.js';

export interface RedirectionPlan {
  /** The app port whose inbound traffic goes to the proxy's :15100. */
  inboundPort?: number;
  /** Outbound redirection to :15101, only when `config.leakguard.io/egress: enabled`. */
  egress: boolean;
  skipOutboundPorts: number[];
  skipOutboundCidrs: Cidr[];
}

export interface RedirectionRules {
  ipv4: string;
  ipv6: string;
}

export const INBOUND_CHAIN = 'LEAKGUARD_INBOUND';
export const OUTBOUND_CHAIN = 'LEAKGUARD_OUTBOUND';
// iptables' multiport match takes at most 15 ports per rule.
const MULTIPORT_MAX = 15;

function familyPayload(plan: RedirectionPlan, family: 4 | 6): string {
  const lines = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
  ];
  if (plan.inboundPort !== undefined) lines.push(`:${INBOUND_CHAIN} - [0:0]`);
  if (plan.egress) lines.push(`:${OUTBOUND_CHAIN} - [0:0]`);
  if (plan.inboundPort !== undefined) {
    // The proxy reaches the app on loopback (OUTPUT chain), so this never loops.
    lines.push(`-A PREROUTING -p tcp -j ${INBOUND_CHAIN}`);
    lines.push(`-A ${INBOUND_CHAIN} -p tcp --dport ${plan.inboundPort} -j REDIRECT --to-ports ${INBOUND_PORT}`);
  }
  if (plan.egress) {
    lines.push(`-A OUTPUT -p tcp -j ${OUTBOUND_CHAIN}`);
    lines.push(`-A ${OUTBOUND_CHAIN} -m owner --uid-owner ${PROXY_UID} -j RETURN`);
    lines.push(`-A ${OUTBOUND_CHAIN} -o lo -j RETURN`);
    lines.push(`-A ${OUTBOUND_CHAIN} -p tcp --dport ${ADMIN_PORT} -j RETURN`);
    for (let i = 0; i < plan.skipOutboundPorts.length; i += MULTIPORT_MAX) {
      const ports = plan.skipOutboundPorts.slice(i, i + MULTIPORT_MAX).join(',');
      lines.push(`-A ${OUTBOUND_CHAIN} -p tcp -m multiport --dports ${ports} -j RETURN`);
    }
    for (const c of plan.skipOutboundCidrs) if (c.family === family) lines.push(`-A ${OUTBOUND_CHAIN} -d ${c.cidr} -j RETURN`);
    lines.push(`-A ${OUTBOUND_CHAIN} -p tcp -j REDIRECT --to-ports ${EGRESS_PORT}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

export function hasRedirection(plan: RedirectionPlan): boolean {
  return plan.inboundPort !== undefined || plan.egress;
}

export function buildRedirectionRules(plan: RedirectionPlan): RedirectionRules {
  return { ipv4: familyPayload(plan, 4), ipv6: familyPayload(plan, 6) };
}
