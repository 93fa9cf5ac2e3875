/**
 * The view→raw mapping, run-length encoded. A run is a stretch of consecutive view bytes
 * whose characters are encoded back to back in the raw bytes with the same width: a run of
 * plain ASCII is one run of width 1 however long it is, `%31%32%33` is one run of width 3.
 * A removed character (zero-width, CDATA marker) or a change of width starts a new run.
 *
 * Lookups are O(1) for the run used last or the one after it (the scanner asks in order)
 * and O(log runs) otherwise; `discard` drops runs the scanner no longer needs.
 */

/** Fields of one run in `SpanRuns.data`. */
const VIEW_START = 0;
const RAW_START = 1;
const COUNT = 2;
const WIDTH = 3;
const FIELDS = 4;

export class SpanRuns {
  private data = new Float64Array(64 * FIELDS);
  /** Index (in runs) of the first run still kept. */
  private head = 0;
  /** Number of runs stored, discarded ones below `head` included. */
  private count = 0;
  private lastHit = 0;
  /** View bytes mapped so far. */
  viewLength = 0;

  /** Maps the next `count` view bytes to `count` characters of `width` raw bytes each, starting at `rawStart`. */
  append(rawStart: number, count: number, width: number): void {
    const d = this.data;
    if (this.count > this.head) {
      const last = (this.count - 1) * FIELDS;
      if (d[last + WIDTH] === width && d[last + RAW_START] + d[last + COUNT] * width === rawStart) {
        d[last + COUNT] += count;
        this.viewLength += count;
        return;
      }
    }
    if ((this.count + 1) * FIELDS > d.length) this.grow();
    const at = this.count * FIELDS;
    const data = this.data;
    data[at + VIEW_START] = this.viewLength;
    data[at + RAW_START] = rawStart;
    data[at + COUNT] = count;
    data[at + WIDTH] = width;
    this.count++;
    this.viewLength += count;
  }

  /** Raw offset where the character behind view byte `v` begins. */
  rawStart(v: number): number {
    const at = this.find(v) * FIELDS;
    const d = this.data;
    return d[at + RAW_START] + (v - d[at + VIEW_START]) * d[at + WIDTH];
  }

  /** Raw offset one past the character behind view byte `v`. */
  rawEnd(v: number): number {
    const at = this.find(v) * FIELDS;
    const d = this.data;
    return d[at + RAW_START] + (v - d[at + VIEW_START] + 1) * d[at + WIDTH];
  }

  /** Forgets runs that lie entirely below view byte `v`. */
  discard(v: number): void {
    const d = this.data;
    while (this.head < this.count && d[this.head * FIELDS + VIEW_START] + d[this.head * FIELDS + COUNT] <= v) this.head++;
    // Compact once the dead prefix dominates, so memory follows the window, not the body.
    if (this.head > 256 && this.head * 2 > this.count) {
      d.copyWithin(0, this.head * FIELDS, this.count * FIELDS);
      this.count -= this.head;
      this.lastHit = Math.max(0, this.lastHit - this.head);
      this.head = 0;
    }
  }

  /** Number of runs kept; for tests of the cheap path and of `discard`. */
  get runCount(): number {
    return this.count - this.head;
  }

  private find(v: number): number {
    const d = this.data;
    if (this.count === this.head || v < d[this.head * FIELDS + VIEW_START] || v >= this.viewLength) {
      throw new RangeError(`view offset ${v} is not mapped (kept: ${this.keptStart()}..${this.viewLength})`);
    }
    let hit = this.lastHit;
    if (hit >= this.head && hit < this.count) {
      if (contains(d, hit, v)) return hit;
      if (hit + 1 < this.count && contains(d, hit + 1, v)) return (this.lastHit = hit + 1);
    }
    let lo = this.head;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (d[mid * FIELDS + VIEW_START] <= v) lo = mid;
      else hi = mid - 1;
    }
    hit = lo;
    this.lastHit = hit;
    return hit;
  }

  private keptStart(): number {
    return this.count > this.head ? this.data[this.head * FIELDS + VIEW_START] : this.viewLength;
  }

  private grow(): void {
    const bigger = new Float64Array(this.data.length * 2);
    bigger.set(this.data.subarray(0, this.count * FIELDS));
    this.data = bigger;
  }
}

function contains(d: Float64Array, run: number, v: number): boolean {
  const start = d[run * FIELDS + VIEW_START];
  return v >= start && v < start + d[run * FIELDS + COUNT];
}
