import t from 'tap';
import { AggregatorRegistry, Counter, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { ScrapeCounter, ScrapeHistogram } from '../src/observability/scrape-metrics.js';

// The per-exchange metrics are counted outside prom-client and exported at scrape time: the
// exposition must be the one prom-client's own Counter and Histogram give for the same events.
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1, 1];
const OBSERVED = [0, 0.0001, 0.0005, 0.0007, 0.001, 0.004, 0.02, 0.5, 1, 3, 42];

function prom(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): { registry: Registry<RegistryContentType>; counter: Counter<'rule' | 'action'>; histogram: Histogram<'rule'> } {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  const counter = new Counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['rule', 'action'], registers: [registry] });
  const histogram = new Histogram({ name: 'x_duration_seconds', help: 'Duration.', labelNames: ['rule'], buckets: BUCKETS, registers: [registry] });
  return { registry, counter, histogram };
}

function ours(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): { registry: Registry<RegistryContentType>; counter: ScrapeCounter<'rule' | 'action'>; histogram: ScrapeHistogram<'rule'> } {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  const counter = new ScrapeCounter('x_requests_total', 'Requests.', ['rule', 'action']);
  const histogram = new ScrapeHistogram('x_duration_seconds', 'Duration.', ['rule'], BUCKETS);
  registry.registerMetric(counter.asMetric());
  registry.registerMetric(histogram.asMetric());
  return { registry, counter, histogram };
}

function record(a: ReturnType<typeof prom>, b: ReturnType<typeof ours>, scale = 1): void {
  for (const [rule, action, times] of [['default', 'redact', 3], ['uploads "v2"', 'none', 2], ['default', 'block', 1]] as const) {
    for (let i = 0; i < times * scale; i++) {
      a.counter.labels(rule, action).inc();
      b.counter.series({ rule, action }).inc();
    }
  }
  a.counter.labels('default', 'log').inc(5);
  b.counter.series({ rule: 'default', action: 'log' }).inc(5);
  for (const rule of ['default', 'a\\b\nc']) {
    for (const value of OBSERVED) {
      a.histogram.labels(rule).observe(value * scale);
      b.histogram.series({ rule }).observe(value * scale);
    }
  }
}

t.test('the text exposition matches prom-client for the same increments and observations', async (t) => {
  const a = prom();
  const b = ours();
  record(a, b);
  t.equal(await b.registry.metrics(), await a.registry.metrics());
});

t.test('the OpenMetrics exposition matches too', async (t) => {
  const a = prom(Registry.OPENMETRICS_CONTENT_TYPE);
  const b = ours(Registry.OPENMETRICS_CONTENT_TYPE);
  record(a, b);
  t.equal(await b.registry.metrics(), await a.registry.metrics());
});

t.test('cluster aggregation sums the series of several workers as it does for prom-client', async (t) => {
  const [a1, a2, b1, b2] = [prom(), prom(), ours(), ours()];
  record(a1, b1);
  record(a2, b2, 2);
  const expected = AggregatorRegistry.aggregate([await a1.registry.getMetricsAsJSON(), await a2.registry.getMetricsAsJSON()]);
  const actual = AggregatorRegistry.aggregate([await b1.registry.getMetricsAsJSON(), await b2.registry.getMetricsAsJSON()]);
  t.equal(await actual.metrics(), await expected.metrics());
});

t.test('reset zeroes every series and keeps the ones callers hold usable', async (t) => {
  const b = ours();
  const held = b.counter.series({ rule: 'default', action: 'redact' });
  held.inc(4);
  b.histogram.series({ rule: 'default' }).observe(0.002);
  b.registry.resetMetrics();
  held.inc();
  const text = await b.registry.metrics();
  t.match(text, /x_requests_total\{rule="default",action="redact"\} 1\n/);
  t.match(text, /x_duration_seconds_count\{rule="default"\} 0\n/);
  t.equal(b.counter.series({ rule: 'default', action: 'redact' }), held, 'one series per label set');
});
