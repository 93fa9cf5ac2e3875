/**
 * Prometheus metrics (design.md §2 names plus request/latency/cut/error series). Labels are
 * bounded by the policy (detector ids, rule names or indexes) and by fixed enums: never a path,
 * a host or anything a client sent.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Action } from '@leakguard/detectors';
import { ScrapeCounter, ScrapeHistogram, type CounterSeries, type HistogramSeries } from './scrape-metrics.js';

export type MetricDirection = 'request' | 'response';
export type ReloadResult = 'success' | 'error';

export class ProxyMetrics {
  readonly registry: Registry;
  /** Per-exchange series are counted in plain fields and read at scrape time (scrape-metrics.ts). */
  readonly findings: ScrapeCounter<'detector' | 'action' | 'direction'>;
  readonly bytesScanned: ScrapeCounter<'direction'>;
  readonly scanSeconds: ScrapeHistogram<'direction'>;
  readonly policyReloads: Counter<'result'>;
  readonly requests: ScrapeCounter<'rule' | 'status_class' | 'action'>;
  readonly requestDuration: ScrapeHistogram<'rule'>;
  readonly streamCuts: Counter<'direction'>;
  readonly inspectionErrors: Counter<'code'>;
  readonly inFlight: Gauge;
  readonly ready: Gauge;
  readonly policyInfo: Gauge<'name' | 'revision' | 'mode'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    this.findings = new ScrapeCounter(
      'leakguard_findings_total',
      'Sensitive values found, by detector, the action decided and the half of the exchange.',
      ['detector', 'action', 'direction'],
    );
    this.bytesScanned = new ScrapeCounter(
      'leakguard_bytes_scanned_total',
      'Body bytes (as received, before decoding) that went through inspection.',
      ['direction'],
    );
    this.scanSeconds = new ScrapeHistogram(
      'leakguard_scan_seconds',
      'Time spent inspecting one body or header block (engine work, not network waits).',
      ['direction'],
      [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    );
    this.policyReloads = new Counter({
      name: 'leakguard_policy_reloads_total',
      help: 'Policy loads (startup and hot reloads), by result.',
      labelNames: ['result'],
      registers,
    });
    this.requests = new ScrapeCounter(
      'leakguard_requests_total',
      'Exchanges handled, by route rule, response status class and the strongest action taken.',
      ['rule', 'status_class', 'action'],
    );
    this.requestDuration = new ScrapeHistogram(
      'leakguard_request_duration_seconds',
      'Time from the request arriving to the response finishing, by route rule.',
      ['rule'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    this.streamCuts = new Counter({
      name: 'leakguard_stream_cuts_total',
      help: 'Connections cut because a block (or a closed-mode inspection fault) came after the headers were sent.',
      labelNames: ['direction'],
      registers,
    });
    this.inspectionErrors = new Counter({
      name: 'leakguard_inspection_errors_total',
      help: 'Faults inside inspection (decompression limits, corrupt encodings), by error code.',
      labelNames: ['code'],
      registers,
    });
    const metrics = this;
    this.inFlight = new Gauge({
      name: 'leakguard_exchanges_in_flight',
      help: 'Exchanges currently being proxied.',
      registers,
      // Read at scrape time rather than kept up to date on every exchange.
      collect() {
        this.set(metrics.inFlightSource());
      },
    });
    this.ready = new Gauge({
      name: 'leakguard_ready',
      help: '1 when a valid policy is loaded and the proxy is not draining.',
      aggregator: 'min',
      registers,
    });
    this.policyInfo = new Gauge({
      name: 'leakguard_policy_info',
      help: 'The policy serving traffic (value 1).',
      labelNames: ['name', 'revision', 'mode'],
      aggregator: 'max',
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Per-exchange series: counted in plain fields, exported when /metrics is scraped.
    for (const metric of [this.findings, this.bytesScanned, this.scanSeconds, this.requests, this.requestDuration]) {
      this.registry.registerMetric(metric.asMetric());
    }
    this.requestScan = { bytes: this.bytesScanned.series({ direction: 'request' }), seconds: this.scanSeconds.series({ direction: 'request' }) };
    this.responseScan = { bytes: this.bytesScanned.series({ direction: 'response' }), seconds: this.scanSeconds.series({ direction: 'response' }) };
  }

  /** Where the in-flight gauge reads its value at scrape time. */
  inFlightSource: () => number = () => 0;

  /** Records the exchange outcome; label children are cached because this runs per exchange. */
  recordExchange(rule: string, status: number, action: Action | null, seconds: number): void {
    const key = `${rule}\u0000${status}\u0000${action}`;
    let children = this.exchangeChildren.get(key);
    if (!children) {
      children = {
        count: this.requests.series({ rule, status_class: `${Math.floor(status / 100)}xx`, action: action ?? 'none' }),
        duration: this.requestDuration.series({ rule }),
      };
      if (this.exchangeChildren.size < 4096) this.exchangeChildren.set(key, children);
    }
    children.count.inc();
    children.duration.observe(seconds);
  }

  recordScan(direction: MetricDirection, bytes: number, seconds: number): void {
    const children = direction === 'request' ? this.requestScan : this.responseScan;
    children.bytes.inc(bytes);
    children.seconds.observe(seconds);
  }

  /** Label children per direction, resolved once (this runs for every inspected body). */
  private readonly requestScan: { bytes: CounterSeries; seconds: HistogramSeries };
  private readonly responseScan: { bytes: CounterSeries; seconds: HistogramSeries };

  /** Counts one finding; label children are cached (detector ids and actions come from the policy). */
  recordFinding(detector: string, action: Action, direction: MetricDirection): void {
    const key = `${detector}\u0000${action}\u0000${direction}`;
    let child = this.findingChildren.get(key);
    if (!child) {
      child = this.findings.series({ detector, action, direction });
      if (this.findingChildren.size < 4096) this.findingChildren.set(key, child);
    }
    child.inc();
  }

  private readonly findingChildren = new Map<string, CounterSeries>();

  setPolicy(name: string, revision: string, mode: string): void {
    this.policyInfo.reset();
    this.policyInfo.labels(name, revision, mode).set(1);
  }

  private readonly exchangeChildren = new Map<
    string,
    { count: CounterSeries; duration: HistogramSeries }
  >();
}
