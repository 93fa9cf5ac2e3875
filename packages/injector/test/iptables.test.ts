// The iptables-restore payloads leakguard-init applies.
import t from 'tap';
import { buildRedirectionRules, hasRedirection } from '../src/index.js';

t.test('inbound only', async (t) => {
  const { ipv4, ipv6 } = buildRedirectionRules({ inboundPort: 8080, egress: false, skipOutboundPorts: [5432], skipOutboundCidrs: [] });
  t.equal(ipv4, ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':LEAKGUARD_INBOUND - [0:0]',
    '-A PREROUTING -p tcp -j LEAKGUARD_INBOUND', '-A LEAKGUARD_INBOUND -p tcp --dport 8080 -j REDIRECT --to-ports 15100', 'COMMIT', ''].join('\n'));
  t.equal(ipv6, ipv4, 'same rules for IPv6');
  t.notMatch(ipv4, /OUTPUT -p tcp -j/, 'no outbound redirection while egress is disabled');
  t.notMatch(ipv4, /5432/, 'skip-outbound-ports only matter with egress');
});

t.test('egress: excludes the proxy UID, loopback, the admin port, skipped ports and CIDRs per family', async (t) => {
  const ports = Array.from({ length: 17 }, (_, i) => 5000 + i);
  const { ipv4, ipv6 } = buildRedirectionRules({
    inboundPort: 8080,
    egress: true,
    skipOutboundPorts: ports,
    skipOutboundCidrs: [{ family: 4, cidr: '10.0.0.0/8' }, { family: 6, cidr: 'fd00::/8' }],
  });
  const out = ipv4.split('\n').filter((l) => l.includes('LEAKGUARD_OUTBOUND'));
  t.same(out, [
    ':LEAKGUARD_OUTBOUND - [0:0]',
    '-A OUTPUT -p tcp -j LEAKGUARD_OUTBOUND',
    '-A LEAKGUARD_OUTBOUND -m owner --uid-owner 15100 -j RETURN',
    '-A LEAKGUARD_OUTBOUND -o lo -j RETURN',
    '-A LEAKGUARD_OUTBOUND -p tcp --dport 15102 -j RETURN',
    `-A LEAKGUARD_OUTBOUND -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -j RETURN`,
    `-A LEAKGUARD_OUTBOUND -p tcp -m multiport --dports ${ports.slice(15).join(',')} -j RETURN`,
    '-A LEAKGUARD_OUTBOUND -d 10.0.0.0/8 -j RETURN',
    '-A LEAKGUARD_OUTBOUND -p tcp -j REDIRECT --to-ports 15101',
  ]);
  t.match(ipv6, /-d fd00::\/8 -j RETURN/);
  t.notMatch(ipv6, /10\.0\.0\.0/, 'IPv4 CIDRs stay out of the IPv6 payload');
  t.notMatch(ipv4, /fd00/, 'IPv6 CIDRs stay out of the IPv4 payload');
  const lines = ipv4.split('\n');
  t.ok(lines.indexOf('-A LEAKGUARD_OUTBOUND -m owner --uid-owner 15100 -j RETURN') < lines.indexOf('-A LEAKGUARD_OUTBOUND -p tcp -j REDIRECT --to-ports 15101'), 'exclusions come before the redirect');
});

t.test('nothing to redirect', async (t) => {
  t.equal(hasRedirection({ egress: false, skipOutboundPorts: [], skipOutboundCidrs: [] }), false);
  t.equal(hasRedirection({ egress: true, skipOutboundPorts: [], skipOutboundCidrs: [] }), true);
  t.equal(hasRedirection({ inboundPort: 1, egress: false, skipOutboundPorts: [], skipOutboundCidrs: [] }), true);
});
