// config.leakguard.io/* parsing: inheritance, every knob's accepted and rejected values.
import t from 'tap';
import { readKnobs, resolveInjectorConfig } from '../src/index.js';

const config = resolveInjectorConfig({ image: 'registry.example.com/leakguard:test' });
const P = 'config.leakguard.io/';

t.test('defaults, inheritance and override', async (t) => {
  const { knobs, issues } = readKnobs({}, {}, config);
  t.same(issues, []);
  t.same(knobs, {
    policy: 'leakguard-policy',
    skipInboundPorts: [],
    skipOutboundPorts: [],
    skipOutboundCidrs: [],
    egress: 'disabled',
    nativeSidecar: false,
    fingerprintKeySecret: 'leakguard-fingerprint-key',
    proxyResources: config.proxyResources,
  });
  const r = readKnobs({ [`${P}egress`]: 'disabled', [`${P}proxy-memory-limit`]: '2048Mi' }, { [`${P}egress`]: 'enabled', [`${P}policy`]: 'team-policy' }, config);
  t.equal(r.knobs.egress, 'disabled', 'the pod wins');
  t.equal(r.knobs.policy, 'team-policy', 'namespace value inherited');
  t.equal(r.knobs.proxyResources.memoryLimit, '2Gi', 'quantities canonicalised');
});

t.test('accepted values', async (t) => {
  const { knobs, issues } = readKnobs(
    {
      [`${P}skip-inbound-ports`]: ' 9090, 8443 ,9090',
      [`${P}skip-outbound-ports`]: '',
      [`${P}skip-outbound-cidrs`]: '169.254.169.254,fd00::/8,10.0.0.0/8',
      [`${P}inbound-port`]: 'web',
      [`${P}native-sidecar`]: 'true',
      [`${P}fingerprint-key-secret`]: 'keys.team-a',
      [`${P}proxy-cpu-request`]: '0.25',
      [`${P}proxy-cpu-limit`]: '2',
    },
    {},
    config,
  );
  t.same(issues, []);
  t.same(knobs.skipInboundPorts, [8443, 9090], 'sorted, de-duplicated');
  t.same(knobs.skipOutboundPorts, []);
  t.same(knobs.skipOutboundCidrs, [{ family: 4, cidr: '169.254.169.254/32' }, { family: 6, cidr: 'fd00::/8' }, { family: 4, cidr: '10.0.0.0/8' }]);
  t.equal(knobs.inboundPort, 'web');
  t.equal(knobs.nativeSidecar, true);
  t.equal(knobs.fingerprintKeySecret, 'keys.team-a');
  t.equal(knobs.proxyResources.cpuRequest, '250m');
  t.equal(readKnobs({ [`${P}inbound-port`]: '8080' }, {}, config).knobs.inboundPort, 8080);
});

t.test('every rejected value names the annotation, where it was set and why', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['policy', 'Not_A_Name', /not a valid ConfigMap name/],
    ['fingerprint-key-secret', '-bad', /not a valid Secret name/],
    ['inbound-port', '70000', /outside 1-65535/],
    ['inbound-port', 'Web_Port', /neither a port number nor a container port name/],
    ['skip-inbound-ports', '80,,443', /empty item/],
    ['skip-inbound-ports', '80,http', /not a port number/],
    ['skip-outbound-ports', '0', /outside 1-65535/],
    ['skip-outbound-cidrs', 'example.com', /not an IPv4 or IPv6 CIDR/],
    ['skip-outbound-cidrs', 'fd00::/129', /prefix length outside 0-128/],
    ['egress', 'on', /must be "enabled" or "disabled"/],
    ['native-sidecar', 'yes', /must be "true" or "false"/],
    ['proxy-cpu-request', '-1', /greater than zero/],
    ['proxy-memory-limit', '1GB', /not a Kubernetes quantity/],
    ['proxy-memory-request', '1Gi', /request 1Gi exceeds limit 512Mi/],
    ['no-such-knob', 'x', /unknown setting/],
  ];
  for (const [knob, value, message] of cases) {
    for (const source of ['pod', 'namespace'] as const) {
      const annotations = { [`${P}${knob}`]: value };
      const { issues } = source === 'pod' ? readKnobs(annotations, {}, config) : readKnobs({}, annotations, config);
      t.equal(issues.length, 1, `${knob}=${value} on the ${source}: one issue`);
      t.equal(issues[0]?.annotation, `${P}${knob}`);
      t.equal(issues[0]?.source, source);
      t.match(issues[0]?.message, message);
    }
  }
  const long = readKnobs({ [`${P}egress`]: 'x'.repeat(500) }, {}, config).issues[0].message;
  t.ok(long.length < 120, 'long values are cut short in messages');
  t.same(readKnobs({ 'other.io/egress': 'on' }, {}, config).issues, [], 'other prefixes are not ours');
});
