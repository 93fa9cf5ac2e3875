/**
 * Compressed bodies through the engine: bombs stopped with the typed error and bounded
 * memory in `process` and in streams, the limits of `EngineConfig.decoding` honoured,
 * corrupt and unsupported encodings as `DecodeError`, and `leakguard scan --ndjson`
 * reading `content_encoding`/`content_type` of its records.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import t from 'tap';
import { createEngine, DecodeError, DecompressionLimitError, ScanBlockedError, runScanCommand } from '@leakguard/detectors';
import { TEST_KEY } from './fixtures/engine-fixtures.js';
import { brotliBomb, gzipBomb, nestedGzipBomb, rawDeflateBomb, type Bomb } from './decode/fixtures/bombs.js';

const MiB = 1024 * 1024;
const SSN = '536-22-1234';
const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_ssn: { action: 'redact' } } });

async function drain(stream: NodeJS.ReadWriteStream, body: Buffer, chunkSize: number, onChunk: () => void = () => undefined) {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize) chunks.push(body.subarray(at, at + chunkSize));
  let produced = 0;
  try {
    await pipeline(Readable.from(chunks), stream, new Writable({ write(c: Buffer, _e, cb) { produced += c.length; onChunk(); cb(); } }));
    return { produced, error: null };
  } catch (error) {
    return { produced, error: error as Error };
  }
}

const bombs: Array<[string, () => Bomb]> = [
  ['gzip', () => gzipBomb(512)],
  ['raw deflate', () => rawDeflateBomb(512)],
  ['br', brotliBomb],
  ['gzip inside gzip', () => nestedGzipBomb(1024)],
];

for (const [name, make] of bombs) {
  t.test(`${name} bomb through the engine`, async (t) => {
    const bomb = make();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));

    const error = t.throws(() => engine.process(bomb.body, { contentEncoding: bomb.contentEncoding })) as DecompressionLimitError;
    t.ok(error instanceof DecompressionLimitError && error.code === 'LG_ERR_DECOMPRESSION_LIMIT', 'process: typed error');
    sample();

    const stream = engine.createStream({ contentEncoding: bomb.contentEncoding, recompress: true });
    const { produced, error: streamError } = await drain(stream, bomb.body, 16 * 1024, sample);
    t.ok(streamError instanceof DecompressionLimitError, 'stream: typed error');
    t.ok(produced < 2 * MiB, `stream: little output before the stop (${produced >> 10} KiB, re-compressed)`);
    t.ok(peak - before < 48 * MiB, `memory growth ${(peak - before) >> 20} MiB for a bomb of ${bomb.decompressedBytes >> 20} MiB`);
  });
}

t.test('EngineConfig.decoding limits are honoured', async (t) => {
  const body = zlib.gzipSync(Buffer.from(`ssn ${SSN} `.repeat(200_000)));
  const strict = createEngine({ fingerprintKey: TEST_KEY, decoding: { maxDecompressedBytes: MiB } });
  t.throws(() => strict.scan(body, { contentEncoding: 'gzip' }), { code: 'LG_ERR_DECOMPRESSION_LIMIT', limit: 'maxDecompressedBytes' });
  const { error } = await drain(strict.createStream({ contentEncoding: 'gzip' }), body, 4096);
  t.ok(error instanceof DecompressionLimitError && error.limit === 'maxDecompressedBytes', 'stream too');
  const lenient = createEngine({ fingerprintKey: TEST_KEY, decoding: { maxCompressionRatio: 10_000 } });
  t.equal(lenient.scan(body, { contentEncoding: 'gzip' }).length, 200_000, 'a highly repetitive body passes a lenient ratio');
  t.throws(() => engine.scan(body, { contentEncoding: 'gzip' }), { code: 'LG_ERR_DECOMPRESSION_LIMIT', limit: 'maxCompressionRatio' }, 'and fails the default one');
});

t.test('corrupt bodies and unknown encodings are DecodeErrors', async (t) => {
  const gz = zlib.gzipSync(Buffer.from(`{"ssn":"${SSN}"}`));
  const corrupt = Buffer.concat([gz.subarray(0, 12), Buffer.alloc(8, 0xff), gz.subarray(20)]);
  t.throws(() => engine.process(corrupt, { contentEncoding: 'gzip' }), DecodeError);
  const { error } = await drain(engine.createStream({ contentEncoding: 'gzip' }), corrupt, 5);
  t.ok(error instanceof DecodeError && (error as DecodeError).code === 'LG_ERR_DECODE', 'stream: DecodeError');
  t.throws(() => engine.process(gz, { contentEncoding: 'zstd' }), { code: 'LG_ERR_DECODE' });
  t.throws(() => engine.createStream({ contentEncoding: 'compress' }), { code: 'LG_ERR_DECODE' });
  t.notOk(String((error as Error).message).includes(SSN), 'no value in the message');
});

t.test('an unknown Content-Encoding value is not echoed in the error (the header is client text)', async (t) => {
  const planted = SSN.replace(/-/g, '');
  const error = (() => {
    try {
      engine.process(Buffer.from('x'), { contentEncoding: `gzip, ${planted}` });
    } catch (caught) {
      return caught as DecodeError;
    }
    return undefined;
  })();
  t.equal(error?.code, 'LG_ERR_DECODE');
  t.notOk(String(error?.message).includes(planted), 'the unknown value is not in the message');
  t.throws(() => engine.process(Buffer.from('x'), { contentEncoding: 'zstd' }), { message: /"zstd"/ }, 'a registered coding is named');
});

t.test('streams: outputEncoding and recompress', async (t) => {
  const raw = Buffer.from(`{"ssn":"${SSN}","n":1}`);
  for (const encoding of ['gzip', 'deflate', 'br', 'gzip, br']) {
    const body = encoding === 'gzip' ? zlib.gzipSync(raw) : encoding === 'deflate' ? zlib.deflateSync(raw) : encoding === 'br' ? zlib.brotliCompressSync(raw) : zlib.brotliCompressSync(zlib.gzipSync(raw));
    const plain = engine.createStream({ contentEncoding: encoding, contentType: 'application/json' });
    t.equal(plain.outputEncoding, 'identity', `${encoding}: decompressed by default`);
    const out: Buffer[] = [];
    plain.on('data', (d: Buffer) => out.push(d));
    await drain(plain, body, 3);
    const text = Buffer.concat(out).toString();
    t.ok((JSON.parse(text) as { ssn: string }).ssn === '***-**-****', `${encoding}: redacted, valid JSON`);
    const again = engine.createStream({ contentEncoding: encoding, recompress: true });
    t.equal(again.outputEncoding, encoding, `${encoding}: recompress keeps the encoding`);
  }
  t.equal(engine.createStream({ recompress: true }).outputEncoding, 'identity', 'nothing to re-compress');
});

t.test('block on a compressed stream: ScanBlockedError before any byte of the value leaves', async (t) => {
  const blocking = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_ssn: { action: 'block' } } });
  const raw = Buffer.from(`${'{"pad":"' + 'a'.repeat(50_000) + '",'}"ssn":"${SSN.replace(/-/g, '\\u002d')}"}`);
  for (const recompress of [false, true]) {
    const stream = blocking.createStream({ contentEncoding: 'gzip', contentType: 'application/json', recompress });
    const out: Buffer[] = [];
    stream.on('data', (d: Buffer) => out.push(d));
    const { error } = await drain(stream, zlib.gzipSync(raw), 1000);
    t.ok(error instanceof ScanBlockedError, `recompress ${recompress}: blocked`);
    const emitted = recompress ? zlib.gunzipSync(Buffer.concat(out), { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : Buffer.concat(out);
    t.ok(emitted.length < raw.length && !emitted.includes('536'), `recompress ${recompress}: not a digit of the value left`);
  }
});

t.test('leakguard scan --ndjson honours content_encoding and content_type', async (t) => {
  const json = `{"patient":{"ssn":"${[...SSN].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('')}"}}`;
  const records = [
    { id: 'gz', body_b64: zlib.gzipSync(Buffer.from(json)).toString('base64'), content_encoding: 'gzip', content_type: 'application/json' },
    { id: 'form', body: `a=1&ssn=${SSN.replace(/-/g, '%2D')}`, content_type: 'application/x-www-form-urlencoded' },
    { id: 'utf16', body_b64: Buffer.from(`ssn ${SSN}`, 'utf16le').toString('base64'), content_type: 'text/plain; charset=utf-16le' },
    { id: 'bad', body_b64: Buffer.from('not gzip').toString('base64'), content_encoding: 'gzip' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n');
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await runScanCommand(['--ndjson', '-'], { stdin: Readable.from([Buffer.from(records)]), stdout, stderr: new PassThrough() });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; findings?: Array<{ detector: string; start: number; end: number; location?: string }>; error?: { code: string } });
  t.equal(lines[0].findings?.[0]?.detector, 'us_ssn', 'gzip record: found');
  t.equal(lines[0].findings?.[0]?.location, '/patient/ssn', 'with its JSON pointer');
  t.equal(lines[1].findings?.[0]?.detector, 'us_ssn', 'form record: found');
  t.same([lines[2].findings?.[0]?.start, lines[2].findings?.[0]?.end], [8, 30], 'UTF-16 record: found, raw byte offsets');
  t.equal(lines[3].error?.code, 'LG_ERR_DECODE', 'a corrupt body is an error line');
  t.equal(code, 2);
  t.notOk(out.includes(SSN) || out.includes('536221234'), 'no value in the output');
});
