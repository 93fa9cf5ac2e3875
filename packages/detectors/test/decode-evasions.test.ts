/**
 * Every evasion of detector-rules.md, alone and combined: found by the engine, redacted in
 * the encoding it was sent in, and the output re-parsed (JSON.parse, XMLValidator,
 * URLSearchParams) to prove it is still a valid document. Each case runs whole
 * (`engine.process`) and streamed in chunks, split inside every escape.
 *
 * Values are synthetic; outputs are compared with `t.ok(a === b)` so a failure prints none.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import t from 'tap';
import { XMLValidator } from 'fast-xml-parser';
import { createEngine } from '@leakguard/detectors';
import type { ActionedFinding } from '@leakguard/detectors';
import { card, group } from './fixtures/identifiers.js';
import { TEST_KEY } from './fixtures/engine-fixtures.js';

const SSN = '536-22-1234';
const PAN = card('4', 16);
const MBI = '1EG4-TE5-MK73';
const SECRETS = [SSN, SSN.replace(/-/g, ''), PAN, MBI, MBI.replace(/-/g, '')];

const engine = createEngine({
  fingerprintKey: TEST_KEY,
  detectors: {
    us_ssn: { action: 'redact' },
    payment_card: { action: 'redact', redaction: { keepLast: 4 } },
    us_mbi: { action: 'redact' },
  },
});

const pct = (s: string) => [...Buffer.from(s)].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
const json = (s: string) => [...s].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
const dec = (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('');
const hex = (s: string) => [...s].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join('');
const wide = (s: string) => s.replace(/[0-9A-Za-z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** A mask as redaction writes it over full-width text: `＊` for letters and digits, separators kept. */
const wideMask = (s: string) => s.replace(/\*/g, '＊').replace(/-/g, '－');
const zw = (s: string) => [...s].join('\u200b\u2060\u00ad');

type Charset = 'utf-8' | 'utf-16le' | 'utf-16be';
const encode = (text: string, charset: Charset) =>
  charset === 'utf-8' ? Buffer.from(text) : charset === 'utf-16le' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf16le').swap16();
const decode = (bytes: Buffer, charset: Charset) =>
  charset === 'utf-8' ? bytes.toString('utf8') : charset === 'utf-16le' ? bytes.toString('utf16le') : Buffer.from(bytes).swap16().toString('utf16le');

interface Case {
  name: string;
  /** The document as text, with each value as it is encoded in it. */
  text: string;
  contentType: string;
  charset?: Charset;
  contentEncoding?: string;
  /** The encoded values the findings must point at, by detector. */
  values: Array<[detector: string, encoded: string]>;
  /** Parses the redacted document (throws when invalid) and says whether each value reads as masked. */
  redactedOk(output: string): boolean;
  /** JSON numbers are re-quoted by whole-body scans only: the stream output differs there. */
  wholeOnly?: boolean;
}

const masked = {
  ssn: '***-**-****',
  pan: '*'.repeat(12) + PAN.slice(-4),
  mbi: '****-***-****',
};

function xmlText(output: string, element: string): string {
  if (XMLValidator.validate(output) !== true) throw new Error('not well-formed');
  const m = new RegExp(`<${element}>(.*?)</${element}>`, 's').exec(output);
  if (!m) throw new Error('element missing');
  return m[1].replace(/<!\[CDATA\[|\]\]>/g, '').replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)));
}

const FORM = 'application/x-www-form-urlencoded';
const cases: Case[] = [
  {
    name: 'percent-encoded separators in a form',
    text: `ssn=${SSN.replace(/-/g, '%2D')}&next=1`,
    contentType: FORM,
    values: [['us_ssn', SSN.replace(/-/g, '%2D')]],
    redactedOk: (o) => new URLSearchParams(o).get('ssn') === masked.ssn && new URLSearchParams(o).get('next') === '1',
  },
  {
    name: 'every byte percent-encoded, in a form',
    text: `id=7&ssn=${pct(SSN)}`,
    contentType: `${FORM}; charset=UTF-8`,
    values: [['us_ssn', pct(SSN)]],
    redactedOk: (o) => new URLSearchParams(o).get('ssn') === masked.ssn,
  },
  {
    name: 'form + as space, card in groups',
    text: `pan=${group(PAN, [4, 4, 4, 4], '+')}`,
    contentType: FORM,
    values: [['payment_card', group(PAN, [4, 4, 4, 4], '+')]],
    redactedOk: (o) => new URLSearchParams(o).get('pan') === group(masked.pan, [4, 4, 4, 4], ' '),
  },
  {
    name: 'percent-encoding in a query string inside text',
    text: `GET /lookup?ssn=${SSN.replace(/-/g, '%2d')}&x=1 HTTP/1.1`,
    contentType: 'text/plain',
    values: [['us_ssn', SSN.replace(/-/g, '%2d')]],
    redactedOk: (o) => new URLSearchParams(o.split('?')[1].split(' ')[0]).get('ssn') === masked.ssn,
  },
  {
    name: 'JSON \\u escapes',
    text: `{"ssn":"${json(SSN)}","mbi":"${json('1E')}G4-TE5-MK73"}`,
    contentType: 'application/json',
    values: [
      ['us_ssn', json(SSN)],
      ['us_mbi', json('1E') + 'G4-TE5-MK73'],
    ],
    redactedOk: (o) => {
      const doc = JSON.parse(o) as Record<string, string>;
      return doc.ssn === masked.ssn && doc.mbi === masked.mbi;
    },
  },
  {
    name: 'JSON \\u escapes of full-width digits',
    text: `{"ssn":"${json(wide(SSN))}"}`,
    contentType: 'application/json',
    values: [['us_ssn', json(wide(SSN))]],
    redactedOk: (o) => (JSON.parse(o) as { ssn: string }).ssn === wideMask(masked.ssn),
  },
  {
    name: 'a JSON number (whole bodies re-quote it)',
    text: `{"ssn": ${SSN.replace(/-/g, '')}, "pan": ${PAN}}`,
    contentType: 'application/json',
    values: [
      ['us_ssn', SSN.replace(/-/g, '')],
      ['payment_card', PAN],
    ],
    redactedOk: (o) => {
      const doc = JSON.parse(o) as { ssn: string; pan: string };
      return doc.ssn === '*******' && doc.pan === masked.pan.slice(2);
    },
    wholeOnly: true,
  },
  {
    name: 'XML decimal entities',
    text: `<r><ssn>${dec(SSN)}</ssn></r>`,
    contentType: 'application/xml',
    values: [['us_ssn', dec(SSN)]],
    redactedOk: (o) => xmlText(o, 'ssn') === masked.ssn,
  },
  {
    name: 'XML hex entities, mixed with literal digits',
    text: `<r><pan>${hex(PAN.slice(0, 6))}${PAN.slice(6)}</pan></r>`,
    contentType: 'text/xml',
    values: [['payment_card', hex(PAN.slice(0, 6)) + PAN.slice(6)]],
    redactedOk: (o) => xmlText(o, 'pan') === masked.pan,
  },
  {
    name: 'inside a CDATA section',
    text: `<r><ssn><![CDATA[${SSN}]]></ssn></r>`,
    contentType: 'application/xml',
    values: [['us_ssn', SSN]],
    redactedOk: (o) => xmlText(o, 'ssn') === masked.ssn && o.includes('<![CDATA[***-**-****]]>'),
  },
  {
    name: 'XML entities next to a CDATA section that splits the value',
    text: `<r><ssn>${dec('53')}<![CDATA[6-22]]>${hex('-12')}34</ssn></r>`,
    contentType: 'application/xml',
    values: [['us_ssn', `${dec('53')}<![CDATA[6-22]]>${hex('-12')}34`]],
    redactedOk: (o) => xmlText(o, 'ssn') === masked.ssn,
  },
  {
    name: 'full-width digits',
    text: `ssn: ${wide(SSN)}.`,
    contentType: 'text/plain; charset=utf-8',
    values: [['us_ssn', wide(SSN)]],
    redactedOk: (o) => o === `ssn: ${wideMask(masked.ssn)}.`,
  },
  {
    name: 'zero-width characters interleaved',
    text: `{"note":"card ${zw(PAN)}"}`,
    contentType: 'application/json',
    values: [['payment_card', zw(PAN)]],
    redactedOk: (o) => (JSON.parse(o) as { note: string }).note === `card ${zw(masked.pan)}`,
  },
  {
    name: 'percent-encoded full-width digits',
    text: `q=${pct(wide(SSN))}`,
    contentType: FORM,
    values: [['us_ssn', pct(wide(SSN))]],
    redactedOk: (o) => new URLSearchParams(o).get('q') === wideMask(masked.ssn),
  },
  {
    name: 'entity-encoded full-width digits',
    text: `<p>${dec(wide(SSN))}</p>`,
    contentType: 'text/html',
    values: [['us_ssn', dec(wide(SSN))]],
    redactedOk: (o) => xmlText(o, 'p') === wideMask(masked.ssn),
  },
  {
    name: 'a body declared charset=utf-16le',
    text: `{"ssn":"${SSN}"}`,
    contentType: 'application/json; charset=utf-16le',
    charset: 'utf-16le',
    values: [['us_ssn', SSN]],
    redactedOk: (o) => (JSON.parse(o) as { ssn: string }).ssn === masked.ssn,
  },
  {
    name: 'UTF-16BE with a BOM, declared charset=utf-16, with \\u escapes',
    text: `\ufeff{"pan":"${json(PAN.slice(0, 4))}${PAN.slice(4)}"}`,
    contentType: 'application/json; charset=utf-16',
    charset: 'utf-16be',
    values: [['payment_card', json(PAN.slice(0, 4)) + PAN.slice(4)]],
    redactedOk: (o) => (JSON.parse(o.replace(/^\ufeff/, '')) as { pan: string }).pan === masked.pan,
  },
  {
    name: 'gzip + form + percent-encoding',
    text: `a=1&ssn=${pct(SSN)}&pan=${group(PAN, [4, 4, 4, 4], '%20')}`,
    contentType: FORM,
    contentEncoding: 'gzip',
    values: [
      ['us_ssn', pct(SSN)],
      ['payment_card', group(PAN, [4, 4, 4, 4], '%20')],
    ],
    redactedOk: (o) => new URLSearchParams(o).get('ssn') === masked.ssn && new URLSearchParams(o).get('pan') === group(masked.pan, [4, 4, 4, 4], ' '),
  },
  {
    name: 'JSON escapes inside a br-compressed body',
    text: `{"patients":[{"ssn":"${json(SSN)}"}]}`,
    contentType: 'application/json',
    contentEncoding: 'br',
    values: [['us_ssn', json(SSN)]],
    redactedOk: (o) => (JSON.parse(o) as { patients: Array<{ ssn: string }> }).patients[0].ssn === masked.ssn,
  },
  {
    name: 'deflate + XML entities and CDATA',
    text: `<records><ssn>${dec(SSN.slice(0, 4))}<![CDATA[${SSN.slice(4)}]]></ssn></records>`,
    contentType: 'application/xml',
    contentEncoding: 'deflate',
    values: [['us_ssn', `${dec(SSN.slice(0, 4))}<![CDATA[${SSN.slice(4)}`]],
    redactedOk: (o) => xmlText(o, 'ssn') === masked.ssn,
  },
  {
    name: 'gzip, br stack around a UTF-16LE JSON body with full-width digits',
    text: `{"mbi":"${wide(MBI)}"}`,
    contentType: 'application/json; charset=utf-16le',
    charset: 'utf-16le',
    contentEncoding: 'gzip, br',
    values: [['us_mbi', wide(MBI)]],
    redactedOk: (o) => (JSON.parse(o) as { mbi: string }).mbi === wideMask(masked.mbi),
  },
];

function decompress(body: Buffer, contentEncoding: string | undefined): Buffer {
  let out = body;
  for (const coding of (contentEncoding ?? '').split(',').map((c) => c.trim()).filter(Boolean).reverse()) {
    out = coding === 'gzip' ? zlib.gunzipSync(out) : coding === 'br' ? zlib.brotliDecompressSync(out) : zlib.inflateSync(out);
  }
  return out;
}

function compress(body: Buffer, contentEncoding: string | undefined): Buffer {
  let out = body;
  for (const coding of (contentEncoding ?? '').split(',').map((c) => c.trim()).filter(Boolean)) {
    out = coding === 'gzip' ? zlib.gzipSync(out) : coding === 'br' ? zlib.brotliCompressSync(out) : zlib.deflateSync(out);
  }
  return out;
}

async function streamed(body: Buffer, chunks: number[], options: Parameters<typeof engine.createStream>[0]) {
  const stream = engine.createStream(options);
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  let at = 0;
  for (const cut of [...chunks, body.length]) {
    if (cut > at) pieces.push(body.subarray(at, cut));
    at = Math.max(at, cut);
  }
  await pipeline(Readable.from(pieces), stream, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
  return { output: Buffer.concat(out), findings: stream.findings, outputEncoding: stream.outputEncoding };
}

function withoutLocation(findings: readonly ActionedFinding[]): string {
  return JSON.stringify(findings.map(({ location: _location, ...rest }) => rest));
}

function leaks(text: string): boolean {
  return SECRETS.some((s) => text.includes(s));
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    const charset = c.charset ?? 'utf-8';
    const raw = encode(c.text, charset);
    const body = compress(raw, c.contentEncoding);
    const options = { contentType: c.contentType, contentEncoding: c.contentEncoding };

    const result = engine.process(body, options);
    for (const [detector, encoded] of c.values) {
      const found = result.findings.find((f) => f.detector === detector && raw.subarray(f.start, f.end).equals(encode(encoded, charset)));
      t.ok(found, `${detector} found, its offsets spanning the encoded value`);
    }
    t.equal(result.findings.length, c.values.length, 'nothing else found');
    t.equal(result.action, 'redact');
    const output = decompress(result.output, c.contentEncoding);
    t.equal(output.length, raw.length, 'redaction keeps the length');
    const text = decode(output, charset);
    let valid = false;
    try {
      valid = c.redactedOk(text);
    } catch {
      valid = false;
    }
    t.ok(valid, 'the output parses, and the value reads as masked');
    t.notOk(leaks(text), 'no value left in the output');
    if (c.contentType.includes('json')) t.ok(result.findings.every((f) => f.location !== undefined), 'JSON findings have a location');

    if (c.wholeOnly) return;
    const cuts = [[], [1], [Math.floor(raw.length / 2)], [...Array(raw.length).keys()]];
    for (const cutSet of cuts) {
      const s = await streamed(c.contentEncoding ? body : raw, c.contentEncoding ? cutSet.filter((x) => x < body.length) : cutSet, options);
      t.equal(s.outputEncoding, 'identity');
      t.ok(s.output.equals(output), `stream (${cutSet.length} cuts): the same redacted output`);
      t.ok(withoutLocation(s.findings) === withoutLocation(result.findings), `stream (${cutSet.length} cuts): the same findings`);
    }
    if (c.contentEncoding) {
      const s = await streamed(body, [7], { ...options, recompress: true });
      t.equal(s.outputEncoding, c.contentEncoding.split(',').map((x) => x.trim()).join(', '), 'recompress: outputEncoding names the codings');
      t.ok(decompress(s.output, c.contentEncoding).equals(output), 'recompress: the redacted body, re-compressed in the same codings');
    }
  });
}

t.test('a split inside every escape of a combined document gives the whole-body result', async (t) => {
  const text = `ssn=${pct(SSN)}&j=${json(MBI)}&x=${pct(wide(PAN))}`;
  const raw = Buffer.from(text);
  const whole = engine.process(raw, { contentType: FORM });
  t.equal(whole.findings.length, 3, 'three values found');
  let allSame = true;
  for (let cut = 0; cut <= raw.length; cut++) {
    const s = await streamed(raw, [cut], { contentType: FORM });
    if (!s.output.equals(whole.output) || withoutLocation(s.findings) !== withoutLocation(whole.findings)) allSame = false;
  }
  t.ok(allSame, 'every single split');
  t.same(
    whole.findings.map((f) => f.location),
    ['ssn', 'j', 'x'],
    'form field locations',
  );
});

t.test('monitor mode with a compressed body passes the bytes through untouched', async (t) => {
  const raw = Buffer.from(`{"ssn":"${json(SSN)}"}`);
  const body = zlib.gzipSync(raw);
  const s = await streamed(body, [5, 17], { contentType: 'application/json', contentEncoding: 'gzip', monitor: true });
  t.ok(s.output.equals(body), 'the very same compressed bytes');
  t.equal(s.outputEncoding, 'gzip');
  t.equal(s.findings.length, 1, 'and the finding is still reported');
  const whole = engine.process(body, { contentType: 'application/json', contentEncoding: 'gzip', monitor: true });
  t.ok(whole.output === body, 'process: the input itself');
});

t.test('a compressed body with nothing to redact keeps its bytes in process()', async (t) => {
  const body = zlib.gzipSync(Buffer.from('{"note":"nothing here"}'));
  const result = engine.process(body, { contentType: 'application/json', contentEncoding: 'gzip' });
  t.equal(result.findings.length, 0);
  t.ok(result.output === body);
});
