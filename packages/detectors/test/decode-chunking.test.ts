/**
 * The engine's chunk-independence property, on encoded bodies: identifiers written with
 * percent-escapes, JSON escapes, XML entities, full-width forms, zero-width characters and
 * CDATA sections, in UTF-8 or UTF-16, optionally gzip/br-compressed. However the body is cut
 * (random cuts, a byte at a time, a cut at every offset so inside every escape), the stream
 * reports the findings and emits the redacted bytes of the whole-body scan.
 */
import fc from 'fast-check';
import t from 'tap';
import zlib from 'node:zlib';
import type { ActionedFinding, Engine } from '@leakguard/detectors';
import { createEngine } from '@leakguard/detectors';
import { card, group, npi } from './fixtures/identifiers.js';
import { REDACT_ALL_LOW, TEST_KEY, streamInCuts, type ScanOutcome } from './fixtures/engine-fixtures.js';

const engine: Engine = createEngine({
  detectors: {
    ...REDACT_ALL_LOW,
  },
  fingerprintKey: TEST_KEY,
});

const IDENTIFIERS = ['536-22-1234', '536 22 1234', '536221234', card('4', 16), group(card('4', 16), [4, 4, 4, 4], ' '), '1EG4-TE5-MK73', npi('123456789'), '536-22-1234A'];
const NOISE = [' ', ', ', '\n', 'ssn ', 'medicare ', 'npi ', 'id=', '-', '12', 'x', '&', '=', '%', '\\', '<', ']]>', 'é', '9'];

/** Ways to write one ASCII character. */
const CHAR_ENCODINGS: Array<(c: string) => string> = [
  (c) => c,
  (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'),
  (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  (c) => `&#${c.charCodeAt(0)};`,
  (c) => `&#x${c.charCodeAt(0).toString(16)};`,
  (c) => (/[0-9A-Za-z-]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c),
  (c) => (/[0-9A-Za-z-]/.test(c) ? [...Buffer.from(String.fromCharCode(c.charCodeAt(0) + 0xfee0))].map((b) => '%' + b.toString(16).toUpperCase()).join('') : c),
  (c) => c + '\u200b',
  (c) => '\u2060' + c,
  (c) => (c === ' ' ? '+' : c),
];

const encodedIdentifier = fc
  .tuple(fc.constantFrom(...IDENTIFIERS), fc.array(fc.nat(CHAR_ENCODINGS.length - 1), { minLength: 16, maxLength: 16 }), fc.boolean())
  .map(([id, picks, cdata]) => {
    const encoded = [...id].map((c, k) => CHAR_ENCODINGS[picks[k % picks.length]](c)).join('');
    return cdata ? `<![CDATA[${encoded}]]>` : encoded;
  });

const setup = fc.record({
  contentType: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'text/xml', undefined),
  charset: fc.constantFrom<'utf-8' | 'utf-16le'>('utf-8', 'utf-16le'),
  contentEncoding: fc.constantFrom(undefined, 'gzip', 'br'),
});

const documentArb = fc.array(fc.oneof(encodedIdentifier, fc.constantFrom(...NOISE)), { minLength: 1, maxLength: 20 }).map((parts) => parts.join(''));

interface Scenario {
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
}

function build(text: string, s: { contentType?: string; charset: 'utf-8' | 'utf-16le'; contentEncoding?: string }): Scenario {
  const raw = s.charset === 'utf-8' ? Buffer.from(text) : Buffer.from(text, 'utf16le');
  const contentType = s.charset === 'utf-16le' ? `${s.contentType ?? 'text/plain'}; charset=utf-16le` : s.contentType;
  const body = s.contentEncoding === 'gzip' ? zlib.gzipSync(raw) : s.contentEncoding === 'br' ? zlib.brotliCompressSync(raw) : raw;
  return { body, contentType, contentEncoding: s.contentEncoding };
}

function runWhole(sc: Scenario): { findings: ActionedFinding[]; output: Buffer } {
  const result = engine.process(sc.body, { contentType: sc.contentType, contentEncoding: sc.contentEncoding });
  const output =
    sc.contentEncoding === 'gzip' ? zlib.gunzipSync(result.output) : sc.contentEncoding === 'br' ? zlib.brotliDecompressSync(result.output) : result.output;
  return { findings: result.findings, output };
}

function runChunked(sc: Scenario, cuts: number[]): Promise<ScanOutcome> {
  return streamInCuts(engine, sc.body, cuts, { contentType: sc.contentType, contentEncoding: sc.contentEncoding });
}

/** Stream findings carry no `location` (whole-body only): compare the rest. */
function same(a: { findings: ActionedFinding[]; output: Buffer }, b: { findings: ActionedFinding[]; output: Buffer }): boolean {
  const strip = (f: ActionedFinding[]) => JSON.stringify(f.map(({ location: _l, ...rest }) => rest));
  return strip(a.findings) === strip(b.findings) && a.output.equals(b.output);
}

t.test('random encoded documents and chunkings give the unchunked result', async (t) => {
  let withFindings = 0;
  await fc.assert(
    fc.asyncProperty(documentArb, setup, fc.array(fc.nat(), { maxLength: 12 }), async (text, s, rawCuts) => {
      const sc = build(text, s);
      const cuts = [...new Set(rawCuts.map((c) => c % (sc.body.length + 1)))].sort((x, y) => x - y);
      const whole = runWhole(sc);
      if (whole.findings.length > 0) withFindings++;
      return same(await runChunked(sc, cuts), whole);
    }),
    { seed: 20261128, numRuns: 250 },
  );
  t.ok(withFindings > 80, `a good share of documents hold findings (${withFindings} of 250)`);
});

t.test('encoded documents fed a byte at a time give the unchunked result', async (t) => {
  await fc.assert(
    fc.asyncProperty(documentArb, setup, async (text, s) => {
      const sc = build(text, s);
      return same(await runChunked(sc, Array.from({ length: sc.body.length }, (_, i) => i)), runWhole(sc));
    }),
    { seed: 11, numRuns: 40 },
  );
  t.pass('40 documents, one byte per chunk');
});

t.test('a cut at every offset, so inside every escape of every encoding', async (t) => {
  const id = '536-22-1234';
  for (const [k, encodeChar] of CHAR_ENCODINGS.entries()) {
    for (const charset of ['utf-8', 'utf-16le'] as const) {
      const text = `ssn ${[...id].map(encodeChar).join('')} and <![CDATA[${[...card('4', 16)].map(encodeChar).join('')}]]>.`;
      const sc = build(text, { contentType: 'text/plain', charset });
      const whole = runWhole(sc);
      t.ok(whole.findings.length === 2, `encoding #${k} ${charset}: both values found`);
      let allSame = true;
      for (let cut = 0; cut <= sc.body.length; cut++) if (!same(await runChunked(sc, [cut]), whole)) allSame = false;
      t.ok(allSame, `encoding #${k} ${charset}: every single cut gives the unchunked result`);
    }
  }
});
