/**
 * Counters and histograms cheap to record on hot paths (issue #10), exported through prom-client.
 *
 * prom-client's `inc(labels)` / `observe(labels, value)` check every label name and build a hash
 * string from the label object on each call (a profile put it at ~0.14 ms for a query of 20 Klarna
 * calls). Here a series is found through nested Maps keyed by its label values, one level per label
 * (the values are the callers' own strings, hashed once by V8: no allocation once the series exists),
 * and recorded into a plain record. The prom-client metric is filled from those records in its
 * `collect()`, which prom-client calls before it serialises the metric at each scrape, so the text at
 * /metrics is what prom-client prints for the same calls: the same series with the same labels,
 * values (sums added in the same order) and order (first seen first, as prom-client keeps them).
 * test/unit/metric-series.test.ts compares the two.
 *
 * Memory: one record per label combination, as prom-client itself holds; the callers bound their
 * label values. Label values are given in `labelNames` order, one string each.
 */
import { format } from 'node:util';
import { Counter, Histogram, type Registry } from 'prom-client';

/** At most three labels: the lookups below are written out per depth (no rest arrays on the hot path). */
type LabelNames = readonly [] | readonly [string] | readonly [string, string] | readonly [string, string, string];
/** One string per label name, in order. */
type LabelValues<N extends LabelNames> = { [K in keyof N]: string };

interface MetricConfig<N extends LabelNames> {
  name: string;
  help: string;
  labelNames: N;
  registers: Registry[];
}

/** Every series of one metric, found by its label values; in the order first seen. */
class SeriesTable<S> {
  /** Each series once, first seen first: the order prom-client exports series in. */
  readonly series: S[] = [];
  readonly #depth: number;
  /** label value → next level, and at the last label → the series. */
  readonly #root = new Map<string, unknown>();
  readonly #make: (labels: Record<string, string>) => S;
  readonly #labelNames: readonly string[];

  constructor(labelNames: readonly string[], make: (labels: Record<string, string>) => S) {
    this.#labelNames = labelNames;
    this.#depth = labelNames.length;
    this.#make = make;
    // Without labels there is one series, there from the start (as prom-client's histogram has it).
    if (this.#depth === 0) this.series.push(make({}));
  }

  /** The series of these label values (as many as labels), made when first seen. */
  at(a?: string, b?: string, c?: string): S {
    const depth = this.#depth;
    if (depth === 0) return this.series[0]!;
    let level = this.#root;
    if (depth > 1) level = branch(level, a!);
    if (depth > 2) level = branch(level, b!);
    const key = depth === 1 ? a! : depth === 2 ? b! : c!;
    const found = level.get(key);
    if (found !== undefined) return found as S;
    // The label object in `labelNames` order: prom-client prints labels in their object's key order.
    const values = [a, b, c];
    const labels: Record<string, string> = {};
    this.#labelNames.forEach((name, index) => (labels[name] = values[index]!));
    const made = this.#make(labels);
    level.set(key, made);
    this.series.push(made);
    return made;
  }
}

function branch(level: Map<string, unknown>, key: string): Map<string, unknown> {
  let next = level.get(key) as Map<string, unknown> | undefined;
  if (next === undefined) level.set(key, (next = new Map()));
  return next;
}

export interface CheapCounter<N extends LabelNames> {
  /** Adds 1 to the series of these label values. */
  inc(...values: LabelValues<N>): void;
  /** Adds `by` (finite, not negative: prom-client would refuse it at scrape) to the series of these label values. */
  add(by: number, ...values: LabelValues<N>): void;
}

/** A prom-client Counter (registered in `registers`) whose series are recorded here and handed over at scrape. */
export function createCheapCounter<const N extends LabelNames>(config: MetricConfig<N>): CheapCounter<N> {
  const table = new SeriesTable(config.labelNames, (labels) => ({ labels, value: 0 }));
  new Counter({
    ...config,
    labelNames: [...config.labelNames],
    collect() {
      this.reset();
      for (const { labels, value } of table.series) this.inc(labels as Partial<Record<N[number], string>>, value);
    },
  });
  const add = (by: number, a?: string, b?: string, c?: string) => {
    if (!(by >= 0 && by < Infinity)) throw new TypeError(`Not a counter increment: ${format(by)}`);
    table.at(a, b, c).value += by;
  };
  const inc = (a?: string, b?: string, c?: string) => {
    table.at(a, b, c).value += 1;
  };
  return { inc, add } as CheapCounter<N>;
}

export interface CheapHistogram<N extends LabelNames> {
  /** Records `value` (finite, or a TypeError as prom-client throws) in the series of these label values. */
  observe(value: number, ...values: LabelValues<N>): void;
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Observations per bucket, not cumulative: `[i]` counts those in (buckets[i - 1], buckets[i]]; above the last, none. */
  inBucket: number[];
  sum: number;
  count: number;
}

/** A prom-client Histogram (registered in `registers`) whose series are recorded here and handed over at scrape. */
export function createCheapHistogram<const N extends LabelNames>(config: MetricConfig<N> & { buckets: readonly number[] }): CheapHistogram<N> {
  const buckets = [...config.buckets];
  const table = new SeriesTable<HistogramSeries>(config.labelNames, (labels) => ({ labels, inBucket: buckets.map(() => 0), sum: 0, count: 0 }));
  new Histogram({
    ...config,
    labelNames: [...config.labelNames],
    buckets,
    collect() {
      setHistogramSeries(this, buckets, table.series);
    },
  });
  const observe = (value: number, a?: string, b?: string, c?: string) => {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
    const series = table.at(a, b, c);
    series.sum += value;
    series.count += 1;
    for (let index = 0; index < buckets.length; index += 1) {
      if (value <= buckets[index]!) {
        series.inBucket[index]! += 1;
        break;
      }
    }
  };
  return { observe } as CheapHistogram<N>;
}

/** A series the way prom-client's Histogram keeps it: `bucketValues` by upper bound, not cumulative. */
interface PromHistogramSeries {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * prom-client's Histogram has no call that sets a series' buckets, so this replaces its `hashMap`
 * (key → series, in the shape its own `observe` builds and its export reads: prom-client 15,
 * lib/histogram.js). The export takes `Object.values(hashMap)`, so the keys only give the order:
 * index keys enumerate ascending, first seen first. The unit test pins the shape against prom-client.
 */
function setHistogramSeries(histogram: Histogram, buckets: readonly number[], series: readonly HistogramSeries[]): void {
  const hashMap: Record<number, PromHistogramSeries> = {};
  series.forEach(({ labels, inBucket, sum, count }, index) => {
    const bucketValues: Record<number, number> = {};
    buckets.forEach((bound, at) => (bucketValues[bound] = inBucket[at]!));
    hashMap[index] = { labels, bucketValues, sum, count };
  });
  (histogram as unknown as { hashMap: Record<number, PromHistogramSeries> }).hashMap = hashMap;
}
