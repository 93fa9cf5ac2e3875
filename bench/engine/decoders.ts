/**
 * bench/engine/decoders: what decoding costs. Three tables, each raced in one run against
 * the naive engine of issue 2 on the same bytes:
 *
 * 1. the plain corpus of bench/engine (JSON, form, XML, logs) with every decoder on: engine.scan
 *    with no content type, with each body's content type declared (form `+`, locations), and
 *    the view mapper alone. Target: engine.scan ≥ 2× the naive engine.
 * 2. a fully percent-encoded form corpus (every byte of every value `%XX`). Target: ≥ 1× the
 *    naive engine's MB/s, taken on the same forms unencoded (on the encoded bytes the naive
 *    engine is blind: it finds nothing, and fast); both are shown.
 * 3. each decoder on bodies that need it and on the same bodies plain (\u escapes, entities,
 *    CDATA, full-width, zero-width, UTF-16, gzip, br): MB/s of the bytes as sent.
 *
 * Run: `pnpm bench decoders` (or `node --conditions=leakguard-source --import tsx engine/decoders.ts`).
 */
import zlib from 'node:zlib';
import { createEngine } from '@leakguard/detectors';
import { createViewMapper } from '@leakguard/detectors';
import { streamCorpus } from './stream-corpus.js';
import { generateCorpus } from './corpus.js';
import { NaiveEngine } from './naive-engine.js';
import { race, table, type Contender, type Measurement } from '../measure.js';

const SEED = 20261127;
const KIND_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'application/xml', 'text/plain'];
const engine = createEngine({ fingerprintKey: 'bench' });
const naive = new NaiveEngine();

const sum = (bodies: Buffer[]) => bodies.reduce((n, b) => n + b.length, 0);
const ratio = (rows: Measurement[], a: string, b: string) => {
  const x = rows.find((r) => r.name === a)?.mbPerSecond ?? 0;
  const y = rows.find((r) => r.name === b)?.mbPerSecond ?? 1;
  return (x / y).toFixed(2);
};

function mapperAlone(bodies: Buffer[], types: Array<string | undefined>): number {
  let viewBytes = 0;
  bodies.forEach((body, k) => {
    const mapper = createViewMapper({ contentType: types[k] });
    viewBytes += mapper.push(body).length + mapper.flush().length;
  });
  return viewBytes;
}

function streamAll(bodies: Buffer[], types: Array<string | undefined>, encodings: Array<string | undefined> = []): Promise<number> {
  return streamCorpus(engine, bodies, (k) => ({ contentType: types[k], contentEncoding: encodings[k] }));
}

async function plainCorpus(): Promise<string> {
  const bodies = generateCorpus(SEED, 128, 256 * 1024);
  const types = bodies.map((_, k) => KIND_TYPES[k % 4]);
  const none = bodies.map(() => undefined);
  const contenders: Contender[] = [
    { name: 'naive engine', run: () => bodies.reduce((n, b) => n + naive.scan(b), 0) },
    { name: 'view mapper alone, types declared', run: () => mapperAlone(bodies, types) },
    { name: 'engine.scan, no content type', run: () => bodies.reduce((n, b) => n + engine.scan(b).length, 0) },
    { name: 'engine.scan, content types declared', run: () => bodies.reduce((n, b, k) => n + engine.scan(b, { contentType: types[k] }).length, 0) },
    { name: 'ScanStream 16 KiB, content types declared', run: () => streamAll(bodies, types) },
    { name: 'ScanStream 16 KiB, no content type', run: () => streamAll(bodies, none) },
  ];
  const rows = await race(contenders, sum(bodies));
  return [
    `### plain corpus, all decoders on (${(sum(bodies) / 1e6).toFixed(1)} MB: ${bodies.length} bodies of JSON, form, XML, logs; seed ${SEED})`,
    '',
    table(rows, 'naive engine'),
    '',
    `engine.scan (no content type) / naive: ${ratio(rows, 'engine.scan, no content type', 'naive engine')}× (target ≥ 2×)`,
    `engine.scan (types declared, with locations) / naive: ${ratio(rows, 'engine.scan, content types declared', 'naive engine')}×`,
  ].join('\n');
}

/** Form bodies of the corpus, and the same bodies with every byte of every value percent-encoded. */
function formCorpora(): { plain: Buffer[]; encoded: Buffer[] } {
  const plain = generateCorpus(SEED + 1, 128, 256 * 1024).filter((_, k) => k % 4 === 1);
  const encoded = plain.map((form) => {
    const pairs = form.toString('latin1').split('&').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const value = Buffer.from(decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' ')));
      return pair.slice(0, eq + 1) + [...value].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
    });
    return Buffer.from(pairs.join('&'), 'latin1');
  });
  return { plain, encoded };
}

async function encodedForms(): Promise<string> {
  const { plain, encoded } = formCorpora();
  const form = 'application/x-www-form-urlencoded';
  const types = encoded.map(() => form);
  const contenders: Array<Contender & { bytes: number }> = [
    { name: 'naive engine, same forms unencoded', bytes: sum(plain), run: () => plain.reduce((n, b) => n + naive.scan(b), 0) },
    { name: 'naive engine, encoded (blind: finds nothing)', bytes: sum(encoded), run: () => encoded.reduce((n, b) => n + naive.scan(b), 0) },
    { name: 'view mapper alone', bytes: sum(encoded), run: () => mapperAlone(encoded, types) },
    { name: 'engine.scan', bytes: sum(encoded), run: () => encoded.reduce((n, b) => n + engine.scan(b, { contentType: form }).length, 0) },
    { name: 'ScanStream 16 KiB', bytes: sum(encoded), run: () => streamAll(encoded, types) },
  ];
  // Contenders read different byte counts here: MB/s is each one's own bytes over its time.
  const rows = (await race(contenders, 1)).map((row, k) => ({ ...row, mbPerSecond: contenders[k].bytes / 1e6 / row.seconds }));
  return [
    `### fully percent-encoded form corpus (${(sum(encoded) / 1e6).toFixed(1)} MB encoded, ${(sum(plain) / 1e6).toFixed(1)} MB unencoded, ${encoded.length} bodies)`,
    '',
    table(rows, 'naive engine, same forms unencoded'),
    '',
    `engine.scan on the encoded forms / naive engine's MB/s on the same forms unencoded: ${ratio(rows, 'engine.scan', 'naive engine, same forms unencoded')}× (target ≥ 1×)`,
    `engine.scan / naive engine on the encoded bytes (which it cannot read): ${ratio(rows, 'engine.scan', 'naive engine, encoded (blind: finds nothing)')}×`,
  ].join('\n');
}

const jsonStrings = /"(?:[^"\\]|\\.)*"/g;
const wideOf = (c: string) => String.fromCharCode(c.charCodeAt(0) + 0xfee0);

interface Variant {
  name: string;
  /** Bodies as sent, with their content type and encoding. */
  encode(body: Buffer): Buffer;
  kind: number;
  contentType: string;
  contentEncoding?: string;
}

const variants: Variant[] = [
  {
    name: 'JSON \\u escapes (every digit in strings)',
    kind: 0,
    contentType: 'application/json',
    encode: (b) => Buffer.from(b.toString().replace(jsonStrings, (s) => s.replace(/[0-9]/g, (d) => '\\u003' + d))),
  },
  {
    name: 'XML numeric entities (every digit in text)',
    kind: 2,
    contentType: 'application/xml',
    encode: (b) => Buffer.from(b.toString().replace(/>([^<]+)</g, (_, text: string) => '>' + text.replace(/[0-9]/g, (d) => `&#${d.charCodeAt(0)};`) + '<')),
  },
  {
    name: 'XML CDATA (every text node)',
    kind: 2,
    contentType: 'application/xml',
    encode: (b) => Buffer.from(b.toString().replace(/>([^<]+)</g, (_, text: string) => `><![CDATA[${text}]]><`)),
  },
  {
    name: 'full-width digits and letters (logs)',
    kind: 3,
    contentType: 'text/plain; charset=utf-8',
    encode: (b) => Buffer.from(b.toString().replace(/[0-9A-Za-z]/g, wideOf)),
  },
  {
    name: 'zero-width after every digit (logs)',
    kind: 3,
    contentType: 'text/plain; charset=utf-8',
    encode: (b) => Buffer.from(b.toString().replace(/[0-9]/g, (d) => d + '\u200b')),
  },
  { name: 'UTF-16LE (JSON)', kind: 0, contentType: 'application/json; charset=utf-16le', encode: (b) => Buffer.from(b.toString(), 'utf16le') },
  { name: 'gzip (JSON)', kind: 0, contentType: 'application/json', contentEncoding: 'gzip', encode: (b) => zlib.gzipSync(b) },
  { name: 'br (JSON)', kind: 0, contentType: 'application/json', contentEncoding: 'br', encode: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }) },
];

async function perDecoder(): Promise<string> {
  const corpus = generateCorpus(SEED + 2, 64, 128 * 1024);
  const lines = [
    '### each decoder, on bodies that need it and on the same bodies plain (engine.scan; MB/s of the bytes as sent, and of the content they carry)',
    '',
    '| decoder | plain MB/s | encoded MB/s (as sent) | encoded MB/s (content) | naive on encoded MB/s | encoded / naive | findings plain / encoded |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const v of variants) {
    const plain = corpus.filter((_, k) => k % 4 === v.kind);
    const encoded = plain.map((b) => v.encode(b));
    const opts = { contentType: v.contentType, contentEncoding: v.contentEncoding };
    const plainOpts = { contentType: v.contentType.replace(/; charset=utf-16le/, '') };
    const [p] = await race([{ name: 'plain', run: () => plain.reduce((n, b) => n + engine.scan(b, plainOpts).length, 0) }], sum(plain), 5);
    const rows = await race(
      [
        { name: 'encoded', run: () => encoded.reduce((n, b) => n + engine.scan(b, opts).length, 0) },
        { name: 'naive', run: () => encoded.reduce((n, b) => n + naive.scan(b), 0) },
      ],
      sum(encoded),
      5,
    );
    const [e, nv] = rows;
    const contentMbPerSecond = sum(plain) / 1e6 / e.seconds;
    lines.push(
      `| ${v.name} | ${p.mbPerSecond.toFixed(0)} | ${e.mbPerSecond.toFixed(0)} | ${contentMbPerSecond.toFixed(0)} | ${nv.mbPerSecond.toFixed(0)} | ${(e.mbPerSecond / nv.mbPerSecond).toFixed(2)} | ${p.result} / ${e.result} |`,
    );
  }
  return lines.join('\n');
}

export async function benchDecoders(): Promise<string> {
  return [await plainCorpus(), '', await encodedForms(), '', await perDecoder()].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchDecoders());
}
