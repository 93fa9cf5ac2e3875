/**
 * Counters and histograms for the per-exchange hot path, read by prom-client at scrape time.
 *
 * prom-client hashes and validates the label object on every `inc`/`observe`, even through a
 * label child: five of those per exchange. Here the caller resolves a series once per label
 * set and keeps it; counting is then a field increment and observing a bucket search. The
 * registry sees ordinary metrics: `get()` returns the structure prom-client's own Counter and
 * Histogram return, so the text format and the cluster aggregation are unchanged.
 */
import type { Metric } from 'prom-client';

type LabelSet<L extends string> = Readonly<Record<L, string>>;

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What `Registry` reads of a metric: prom-client's `MetricObjectWithValues`. */
export interface ScrapedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: MetricValue[];
}

/** The series of one label set of a `ScrapeCounter`. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/** The series of one label set of a `ScrapeHistogram`. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts as number[])[i]++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

abstract class ScrapeMetric<L extends string, S extends { readonly labels: Readonly<Record<string, string>> }> {
  readonly aggregator = 'sum' as const;
  /** Series by label values; never dropped (callers keep references), only zeroed by `reset`. */
  protected readonly all = new Map<string, S>();

  constructor(
    /** Writable: the registry renames counters for OpenMetrics output. */
    public name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
  ) {}

  /** The series of these label values (created on first use). Keep it: this lookup is not free. */
  series(labels: LabelSet<L>): S {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let series = this.all.get(key);
    if (series === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      series = this.create(Object.freeze(own));
      this.all.set(key, series);
    }
    return series;
  }

  /** As a prom-client metric, for `Registry#registerMetric` (which reads only this class's members). */
  asMetric(): Metric {
    return this as unknown as Metric;
  }

  protected abstract create(labels: Readonly<Record<string, string>>): S;
}

/** A Prometheus counter counted in plain fields, exported when scraped. */
export class ScrapeCounter<L extends string> extends ScrapeMetric<L, CounterSeries> {
  readonly type = 'counter' as const;

  protected create(labels: Readonly<Record<string, string>>): CounterSeries {
    return new CounterSeries(labels);
  }

  async get(): Promise<ScrapedMetric> {
    const values: MetricValue[] = [];
    for (const series of this.all.values()) values.push({ labels: { ...series.labels }, value: series.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.all.values()) series.value = 0;
  }
}

/** A Prometheus histogram observed into plain arrays, exported (cumulative buckets) when scraped. */
export class ScrapeHistogram<L extends string> extends ScrapeMetric<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  protected create(labels: Readonly<Record<string, string>>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  async get(): Promise<ScrapedMetric> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.all.values()) series.reset();
  }
}
