/**
 * The view→raw mapping, run-length encoded. A run is a stretch of consecutive view bytes
 * whose characters are encoded back to back in the raw bytes with the same width: a run of
 * plain ASCII is one run of width 1 however long it is, `%31%32%33` is one run of width 3.
 * A removed character (zero-width, CDATA marker) or a change of width starts a new run.
 *
 * Runs live in blocks, so appending never copies what is stored (a form body makes two runs
 * per field). Blocks start small and double up to a cap: most bodies need one run, and a
 * 32 KiB first block cost more than scanning a 1 KiB body (one mapper per scan). Lookups are O(1) for the run used last or the one after it (the
 * scanner asks in order) and O(log runs) otherwise; `discard` drops whole blocks the scanner
 * no longer needs.
 */

/** Fields of one run in a block. */
const VIEW_START = 0;
const RAW_START = 1;
const COUNT = 2;
const WIDTH = 3;
const FIELDS = 4;
const RUNS_PER_BLOCK = 1024;
const FIRST_BLOCK_RUNS = 8;

/**
 * Runs of a block, `FIELDS` numbers each. A plain array, not a Float64Array: one mapper is made
 * per scan, and a typed array (with its ArrayBuffer) cost more to create than the scan of a
 * small body.
 */
type RunBlock = number[];

export class SpanRuns {
  /** Blocks of 8, 16, … up to `RUNS_PER_BLOCK` runs; only the last one is partly filled. */
  private blocks: RunBlock[] = [];
  /** Runs stored in the last block. */
  private lastFill = 0;
  /** Runs of the first block that were discarded. */
  private head = 0;
  /** Block and run index of the last lookup. */
  private hitBlock = 0;
  private hitRun = 0;
  /** View bytes mapped so far. */
  viewLength = 0;

  /** Maps the next `count` view bytes to `count` characters of `width` raw bytes each, starting at `rawStart`. */
  append(rawStart: number, count: number, width: number): void {
    const blocks = this.blocks;
    if (blocks.length > 0 && this.lastFill > (blocks.length === 1 ? this.head : 0)) {
      const block = blocks[blocks.length - 1];
      const last = (this.lastFill - 1) * FIELDS;
      if (block[last + WIDTH] === width && block[last + RAW_START] + block[last + COUNT] * width === rawStart) {
        block[last + COUNT] += count;
        this.viewLength += count;
        return;
      }
    }
    if (blocks.length === 0 || this.lastFill === capacity(blocks[blocks.length - 1])) {
      const runs = blocks.length === 0 ? FIRST_BLOCK_RUNS : Math.min(RUNS_PER_BLOCK, capacity(blocks[blocks.length - 1]) * 2);
      blocks.push(new Array<number>(runs * FIELDS).fill(0));
      this.lastFill = 0;
    }
    const block = blocks[blocks.length - 1];
    const at = this.lastFill * FIELDS;
    block[at + VIEW_START] = this.viewLength;
    block[at + RAW_START] = rawStart;
    block[at + COUNT] = count;
    block[at + WIDTH] = width;
    this.lastFill++;
    this.viewLength += count;
  }

  /** Raw offset where the character behind view byte `v` begins. */
  rawStart(v: number): number {
    this.find(v);
    const block = this.blocks[this.hitBlock];
    const at = this.hitRun * FIELDS;
    return block[at + RAW_START] + (v - block[at + VIEW_START]) * block[at + WIDTH];
  }

  /** Raw offset one past the character behind view byte `v`. */
  rawEnd(v: number): number {
    this.find(v);
    const block = this.blocks[this.hitBlock];
    const at = this.hitRun * FIELDS;
    return block[at + RAW_START] + (v - block[at + VIEW_START] + 1) * block[at + WIDTH];
  }

  /** Forgets runs that lie entirely below view byte `v`. */
  discard(v: number): void {
    const blocks = this.blocks;
    while (blocks.length > 0) {
      const first = blocks[0];
      const fill = blocks.length === 1 ? this.lastFill : capacity(first);
      while (this.head < fill && first[this.head * FIELDS + VIEW_START] + first[this.head * FIELDS + COUNT] <= v) this.head++;
      if (this.head < fill || blocks.length === 1) break;
      blocks.shift();
      this.head = 0;
      this.hitBlock = Math.max(0, this.hitBlock - 1);
    }
    if (blocks.length === 1 && this.head === this.lastFill) {
      // Everything discarded: start the block over rather than keep a dead prefix.
      this.head = 0;
      this.lastFill = 0;
      this.hitRun = 0;
    }
  }

  /** Number of runs kept; for tests of the cheap path and of `discard`. */
  get runCount(): number {
    const blocks = this.blocks;
    if (blocks.length === 0) return 0;
    let runs = this.lastFill - this.head;
    for (let i = 0; i < blocks.length - 1; i++) runs += capacity(blocks[i]);
    return runs;
  }

  private fill(block: number): number {
    return block === this.blocks.length - 1 ? this.lastFill : capacity(this.blocks[block]);
  }

  private contains(block: number, run: number, v: number): boolean {
    if (block >= this.blocks.length || run >= this.fill(block) || (block === 0 && run < this.head)) return false;
    const b = this.blocks[block];
    const start = b[run * FIELDS + VIEW_START];
    return v >= start && v < start + b[run * FIELDS + COUNT];
  }

  /** Points `hitBlock`/`hitRun` at the run holding view byte `v`. */
  private find(v: number): void {
    if (this.contains(this.hitBlock, this.hitRun, v)) return;
    const inBlock = this.hitBlock < this.blocks.length && this.hitRun + 1 < capacity(this.blocks[this.hitBlock]);
    const nextRun = inBlock ? this.hitRun + 1 : 0;
    const nextBlock = inBlock ? this.hitBlock : this.hitBlock + 1;
    if (this.contains(nextBlock, nextRun, v)) {
      this.hitBlock = nextBlock;
      this.hitRun = nextRun;
      return;
    }
    const blocks = this.blocks;
    if (this.runCount === 0 || v < blocks[0][this.head * FIELDS + VIEW_START] || v >= this.viewLength) {
      const kept = this.runCount === 0 ? this.viewLength : blocks[0][this.head * FIELDS + VIEW_START];
      throw new RangeError(`view offset ${v} is not mapped (kept: ${kept}..${this.viewLength})`);
    }
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (blocks[mid][VIEW_START] <= v) lo = mid;
      else hi = mid - 1;
    }
    const block = blocks[lo];
    let first = lo === 0 ? this.head : 0;
    let last = this.fill(lo) - 1;
    while (first < last) {
      const mid = (first + last + 1) >>> 1;
      if (block[mid * FIELDS + VIEW_START] <= v) first = mid;
      else last = mid - 1;
    }
    this.hitBlock = lo;
    this.hitRun = first;
  }
}

/** Runs a block holds. */
function capacity(block: RunBlock): number {
  return block.length / FIELDS;
}
