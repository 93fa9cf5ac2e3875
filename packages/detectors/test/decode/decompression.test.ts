/**
 * Content-Encoding: every coding and stack round-trips through the sync and the streaming
 * decoders, chunked any way; raw deflate is accepted; corrupt and unknown encodings are typed
 * errors; the limits hold exactly at their boundary.
 */
import t from 'tap';
import zlib from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DecodeError, DecompressionLimitError } from '../../src/errors.js';
import {
  compressSync,
  createCompressStream,
  createDecompressStream,
  decompressSync,
  formatContentEncoding,
  parseContentEncoding,
  resolveDecodingLimits,
} from '../../src/decode/index.js';
import { cutAt } from './fragments.js';

const limits = resolveDecodingLimits();
const text = Buffer.from('{"note":"' + 'synthetic body, nothing sensitive. '.repeat(3000) + '"}');

async function streamThrough(stream: NodeJS.ReadWriteStream, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    stream,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

t.test('parseContentEncoding', async (t) => {
  t.same(parseContentEncoding(undefined), []);
  t.same(parseContentEncoding('identity'), []);
  t.same(parseContentEncoding(' GZIP , br'), ['gzip', 'br']);
  t.same(parseContentEncoding('x-gzip,, deflate'), ['gzip', 'deflate']);
  t.equal(formatContentEncoding(['gzip', 'br']), 'gzip, br');
  t.equal(formatContentEncoding([]), 'identity');
  const error = t.throws(() => parseContentEncoding('gzip, zstd')) as DecodeError;
  t.ok(error instanceof DecodeError);
  t.equal(error.code, 'LG_ERR_DECODE');
});

const encodings = ['gzip', 'x-gzip', 'deflate', 'br', 'identity', 'gzip, br', 'br, deflate', 'deflate, gzip, br'];

t.test('sync and streaming round trips, every coding and stack, any chunking', async (t) => {
  for (const encoding of encodings) {
    const compressed = compressSync(text, encoding);
    if (encoding !== 'identity') t.ok(compressed.length < text.length, `${encoding} compresses`);
    t.ok(decompressSync(compressed, encoding, limits).equals(text), `${encoding}: sync`);
    for (const cuts of [[], [1], [1, 2, 3, 4, 5], [7, 100, 101], [...Array(40).keys()].map((k) => k * 37)]) {
      const out = await streamThrough(createDecompressStream(encoding, limits), cutAt(compressed, cuts));
      t.ok(out.equals(text), `${encoding}: stream, cuts ${cuts.length}`);
    }
    const recompressed = await streamThrough(createCompressStream(encoding), cutAt(text, [5, 5000, 20000]));
    t.ok(decompressSync(recompressed, encoding, limits).equals(text), `${encoding}: streaming compression`);
  }
});

t.test('the order of a stack: "gzip, br" means br was applied last', async (t) => {
  const body = zlib.brotliCompressSync(zlib.gzipSync(text));
  t.ok(decompressSync(body, 'gzip, br', limits).equals(text));
  t.throws(() => decompressSync(body, 'br, gzip', limits), DecodeError);
});

t.test('deflate: zlib-wrapped and raw are both read', async (t) => {
  const wrapped = zlib.deflateSync(text);
  const raw = zlib.deflateRawSync(text);
  t.ok(decompressSync(wrapped, 'deflate', limits).equals(text), 'zlib-wrapped');
  t.ok(decompressSync(raw, 'deflate', limits).equals(text), 'raw');
  t.ok((await streamThrough(createDecompressStream('deflate', limits), cutAt(raw, [1, 2]))).equals(text), 'raw, streamed from 1-byte chunks');
  t.ok((await streamThrough(createDecompressStream('deflate', limits), cutAt(wrapped, [1]))).equals(text), 'wrapped, header split');
});

t.test('empty bodies stay empty', async (t) => {
  t.equal(decompressSync(Buffer.alloc(0), 'gzip, br', limits).length, 0);
  t.equal((await streamThrough(createDecompressStream('deflate', limits), [])).length, 0);
  t.ok(decompressSync(compressSync(Buffer.alloc(0), 'gzip'), 'gzip', limits).length === 0, 'an encoded empty body');
});

t.test('corrupt and truncated bodies are DecodeErrors', async (t) => {
  const gz = zlib.gzipSync(text);
  const bad: Array<[string, Buffer, string]> = [
    ['not gzip', Buffer.from('plain text, not gzip'), 'gzip'],
    ['truncated gzip', gz.subarray(0, gz.length - 10), 'gzip'],
    ['bit flip in gzip', Buffer.from(gz).fill(0x55, 40, 60), 'gzip'],
    ['not brotli', Buffer.from('plain text, not brotli at all'), 'br'],
    ['not deflate', Buffer.from([0xff, 0xff, 0xff, 0xff]), 'deflate'],
  ];
  for (const [name, body, encoding] of bad) {
    const syncError = t.throws(() => decompressSync(body, encoding, limits)) as DecodeError;
    t.ok(syncError instanceof DecodeError && syncError.code === 'LG_ERR_DECODE', `${name}: sync`);
    await t.rejects(streamThrough(createDecompressStream(encoding, limits), cutAt(body, [3])), { code: 'LG_ERR_DECODE' }, `${name}: stream`);
  }
});

t.test('limits hold exactly at their boundary', async (t) => {
  const body = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const gz = zlib.gzipSync(body);
  const exact = { maxDecompressedBytes: body.length, maxCompressionRatio: Infinity };
  t.equal(decompressSync(gz, 'gzip', exact).length, body.length, 'sync: exactly the limit passes');
  t.equal((await streamThrough(createDecompressStream('gzip', exact), cutAt(gz, [100]))).length, body.length, 'stream: exactly the limit passes');
  const under = { maxDecompressedBytes: body.length - 1, maxCompressionRatio: Infinity };
  t.throws(() => decompressSync(gz, 'gzip', under), { code: 'LG_ERR_DECOMPRESSION_LIMIT', limit: 'maxDecompressedBytes' });
  await t.rejects(streamThrough(createDecompressStream('gzip', under), [gz]), { code: 'LG_ERR_DECOMPRESSION_LIMIT', limit: 'maxDecompressedBytes' });

  const ratio = body.length / gz.length;
  const byRatio = { maxDecompressedBytes: Infinity, maxCompressionRatio: Math.floor(ratio) - 1 };
  const error = t.throws(() => decompressSync(gz, 'gzip', byRatio)) as DecompressionLimitError;
  t.ok(error instanceof DecompressionLimitError && error.limit === 'maxCompressionRatio', 'ratio limit, sync');
  t.equal(decompressSync(gz, 'gzip', { maxDecompressedBytes: Infinity, maxCompressionRatio: Math.ceil(ratio) }).length, body.length, 'ratio just above passes');
  const small = zlib.gzipSync(Buffer.alloc(1024 * 1024, 0x61));
  t.equal(decompressSync(small, 'gzip', { maxDecompressedBytes: Infinity, maxCompressionRatio: 2 }).length, 1024 * 1024, 'no ratio limit up to 1 MiB');
});
