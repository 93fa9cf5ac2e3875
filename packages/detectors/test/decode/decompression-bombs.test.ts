/**
 * Decompression bombs (gzip, zlib and raw deflate, brotli, gzip inside gzip), each of at
 * least 512 MiB decompressed: stopped with the typed error, right after the limit, with the
 * process's memory growing by a small fraction of what the bomb would have produced.
 */
import t from 'tap';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DecompressionLimitError } from '../../src/errors.js';
import { createDecompressStream, decompressSync, resolveDecodingLimits, RATIO_GRACE_BYTES, type ResolvedDecodingLimits } from '../../src/decode/index.js';
import { brotliBomb, gzipBomb, nestedGzipBomb, rawDeflateBomb, zlibDeflateBomb, type Bomb } from './fixtures/bombs.js';

const MiB = 1024 * 1024;
/** Growth allowed while stopping a bomb of ≥ 512 MiB: generous against allocator noise, far below the bomb. */
const MEMORY_BOUND = 48 * MiB;

const bombs: Array<[string, () => Bomb]> = [
  ['gzip', () => gzipBomb(512)],
  ['deflate, zlib-wrapped', () => zlibDeflateBomb(512)],
  ['deflate, raw', () => rawDeflateBomb(512)],
  ['br', brotliBomb],
  ['gzip inside gzip', () => nestedGzipBomb(1024)],
];

/** Peak growth of RSS and of heap + array buffers while `run` runs, sampled by `sample()` calls. */
function memoryProbe() {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed + before.arrayBuffers;
  return {
    sample() {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers);
    },
    growth() {
      this.sample();
      return { rss: peakRss - before.rss, heap: peakHeap - (before.heapUsed + before.arrayBuffers) };
    },
  };
}

async function streamBomb(bomb: Bomb, limits: ResolvedDecodingLimits, probe: ReturnType<typeof memoryProbe>) {
  let produced = 0;
  let error: unknown;
  const chunks: Buffer[] = [];
  for (let at = 0; at < bomb.body.length; at += 16 * 1024) chunks.push(bomb.body.subarray(at, at + 16 * 1024));
  try {
    await pipeline(
      Readable.from(chunks),
      createDecompressStream(bomb.contentEncoding, limits),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          produced += chunk.length;
          probe.sample();
          cb();
        },
      }),
    );
  } catch (e) {
    error = e;
  }
  return { produced, error };
}

for (const [name, make] of bombs) {
  t.test(`${name} bomb`, async (t) => {
    const bomb = make();
    t.ok(bomb.decompressedBytes >= 512 * MiB, 'a real bomb');
    const limits = resolveDecodingLimits();

    const syncProbe = memoryProbe();
    const syncError = t.throws(() => decompressSync(bomb.body, bomb.contentEncoding, limits)) as DecompressionLimitError;
    t.ok(syncError instanceof DecompressionLimitError, 'sync: typed error');
    t.equal(syncError.code, 'LG_ERR_DECOMPRESSION_LIMIT');
    t.equal(syncError.limit, 'maxCompressionRatio', 'stopped by the ratio');
    const syncGrowth = syncProbe.growth();
    t.ok(syncGrowth.rss < MEMORY_BOUND && syncGrowth.heap < MEMORY_BOUND, `sync: memory growth rss ${syncGrowth.rss >> 20} MiB, heap ${syncGrowth.heap >> 20} MiB`);

    const streamProbe = memoryProbe();
    const { produced, error } = await streamBomb(bomb, limits, streamProbe);
    t.ok(error instanceof DecompressionLimitError, 'stream: typed error');
    t.equal((error as DecompressionLimitError).limit, 'maxCompressionRatio');
    // Stopped at the first chunk past max(1 MiB, 200 × compressed bytes read so far).
    const allowed = Math.max(RATIO_GRACE_BYTES, limits.maxCompressionRatio * bomb.body.length);
    t.ok(produced <= allowed, `stream: ${produced >> 10} KiB out before the stop (allowed ${allowed >> 10} KiB)`);
    const streamGrowth = streamProbe.growth();
    t.ok(streamGrowth.rss < MEMORY_BOUND && streamGrowth.heap < MEMORY_BOUND, `stream: memory growth rss ${streamGrowth.rss >> 20} MiB, heap ${streamGrowth.heap >> 20} MiB`);
  });
}

t.test('the size limit stops a bomb when the ratio limit is off', async (t) => {
  const limits = { maxDecompressedBytes: 16 * MiB, maxCompressionRatio: Infinity };
  for (const [name, make] of bombs) {
    const bomb = make();
    t.throws(() => decompressSync(bomb.body, bomb.contentEncoding, limits), { code: 'LG_ERR_DECOMPRESSION_LIMIT', limit: 'maxDecompressedBytes' }, `${name}: sync`);
    const probe = memoryProbe();
    const { produced, error } = await streamBomb(bomb, limits, probe);
    t.ok(error instanceof DecompressionLimitError && error.limit === 'maxDecompressedBytes', `${name}: stream`);
    t.ok(produced <= 16 * MiB, `${name}: no byte past the limit reached the consumer`);
    t.ok(probe.growth().rss < MEMORY_BOUND, `${name}: memory bounded`);
  }
});
