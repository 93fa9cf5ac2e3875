/** A contender in a side-by-side benchmark: processes the whole corpus once per call. */
export interface Contender {
  name: string;
  run(): number | Promise<number>;
}

export interface Measurement {
  name: string;
  /** Median seconds of one pass over the corpus. */
  seconds: number;
  mbPerSecond: number;
  /** The contender's own result (matches, findings), to show the work was done. */
  result: number;
}

/**
 * Runs every contender `rounds` times, interleaved (A B C A B C …) so drift in machine load
 * hits them alike, after one warm-up pass each; reports the median of each.
 */
export async function race(contenders: Contender[], corpusBytes: number, rounds = 7): Promise<Measurement[]> {
  const times = new Map<string, number[]>();
  const results = new Map<string, number>();
  for (const c of contenders) {
    results.set(c.name, await c.run());
    times.set(c.name, []);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const start = process.hrtime.bigint();
      await c.run();
      (times.get(c.name) as number[]).push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return contenders.map((c) => {
    const sorted = [...(times.get(c.name) as number[])].sort((a, b) => a - b);
    const seconds = sorted[Math.floor(sorted.length / 2)] as number;
    return { name: c.name, seconds, mbPerSecond: corpusBytes / 1e6 / seconds, result: results.get(c.name) as number };
  });
}

/** A markdown table of measurements, with each row's ratio to `baseline`. */
export function table(rows: Measurement[], baseline: string): string {
  const base = rows.find((r) => r.name === baseline);
  const lines = ['| contender | MB/s | × ' + baseline + ' | result |', '|---|---:|---:|---:|'];
  for (const r of rows) {
    const ratio = base ? (r.mbPerSecond / base.mbPerSecond).toFixed(2) : '-';
    lines.push(`| ${r.name} | ${r.mbPerSecond.toFixed(0)} | ${ratio} | ${r.result} |`);
  }
  return lines.join('\n');
}
