/**
 * The view mapper: every evasion of detector-rules.md decoded into the view, mapped back to
 * the raw bytes, and masked in its original encoding. Values are synthetic; views and masked
 * bodies are compared with `t.ok(a === b)` so that a failure never prints them.
 */
import t from 'tap';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { createViewMapper } from '../../src/decode/index.js';
import { mapChunks, viewText } from './view-harness.js';
import { composableFragment, encodeText, type BodyCharset } from './fragments.js';

interface Case {
  name: string;
  raw: string;
  contentType?: string;
  view: string;
  masked: string;
}

const cases: Case[] = [
  { name: 'plain text', raw: 'ssn 123-45-6789.', view: 'ssn 123-45-6789.', masked: '*** ***-**-****.' },
  {
    name: 'percent-encoded separators',
    raw: 'id=123%2D45%2D6789',
    view: 'id=123-45-6789',
    masked: '**=***%2D**%2D****',
  },
  {
    name: 'percent-encoded digits, lower-case hex kept',
    raw: 'q=%31%32%33%2d%34',
    view: 'q=123-4',
    masked: '*=%2A%2A%2A%2d%2A',
  },
  {
    name: 'form body: + is a space',
    raw: 'a=123+45+6789&b=x%2By',
    contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
    view: 'a=123 45 6789&b=x+y',
    masked: '*=***+**+****&*=*%2B*',
  },
  { name: 'outside forms + is a plus', raw: '1+2', view: '1+2', masked: '*+*' },
  {
    name: 'in forms & separates fields and < is text: no entities, no CDATA',
    raw: 'a=&#49;&b=<![CDATA[2]]>',
    contentType: 'application/x-www-form-urlencoded',
    view: 'a=&#49;&b=<![CDATA[2]]>',
    masked: '*=&#**;&*=<![*****[*]]>',
  },
  {
    name: 'JSON \\u escapes',
    raw: '{"ssn":"\\u0031\\u0032\\u0033-45-6789"}',
    contentType: 'application/json',
    view: '{"ssn":"123-45-6789"}',
    masked: '{"***":"\\u002A\\u002A\\u002A-**-****"}',
  },
  {
    name: 'JSON escaped backslash does not start an escape',
    raw: '"\\\\u0031"',
    view: '"\\u0031"',
    masked: '"\\\\*****"',
  },
  {
    name: 'XML decimal and hex entities',
    raw: '<v>&#49;&#50;&#x33;&#X2D;45</v>',
    contentType: 'application/xml',
    view: '<v>123-45</v>',
    masked: '<*>&#42;&#42;&#x2A;&#X2D;**</*>',
  },
  {
    name: 'named entities',
    raw: 'a&amp;b&nbsp;1&lt;&unknown;',
    view: 'a&b 1<&unknown;',
    masked: '*&amp;*&nbsp;*&lt;&*******;',
  },
  {
    name: 'CDATA markers do not hide or split a value',
    raw: '<v>12<![CDATA[3-45]]>-6789</v>',
    contentType: 'text/xml',
    view: '<v>123-45-6789</v>',
    masked: '<*>**<![CDATA[*-**]]>-****</*>',
  },
  { name: ']]> outside CDATA is text', raw: 'a]]>b', view: 'a]]>b', masked: '*]]>*' },
  {
    name: 'full-width digits, letters, hyphen and space',
    raw: '１２３－４５－６７８９\u3000ＭＢＩ',
    view: '123-45-6789 MBI',
    masked: '＊＊＊－＊＊－＊＊＊＊\u3000＊＊＊',
  },
  {
    name: 'zero-width characters vanish',
    raw: '1\u200b2\u200c3\u200d-\u206045\ufeff-67\u00ad89',
    view: '123-45-6789',
    masked: '*\u200b*\u200c*\u200d-\u2060**\ufeff-**\u00ad**',
  },
  { name: 'non-ASCII letters are opaque', raw: '123é45é6789', view: '123\x0145\x016789', masked: '***é**é****' },
  {
    name: 'layers compose: percent-encoded full-width digit',
    raw: '%EF%BC%91%EF%BC%92',
    view: '12',
    masked: '%EF%BC%8A%EF%BC%8A',
  },
  { name: 'layers compose: \\u full-width digit', raw: '\\uFF11\\uff12', view: '12', masked: '\\uFF0A\\uff0a' },
  { name: 'layers compose: entity full-width digit', raw: '&#65297;&#xff12;', view: '12', masked: '&#65290;&#xff0a;' },
  { name: 'layers compose: encoded zero-width', raw: '1%E2%80%8B2\\u200b3&#8203;4', view: '1234', masked: '*%E2%80%8B*\\u200b*&#8203;*' },
  {
    name: 'surrogate pairs',
    raw: '\\ud83d\\ude00\u{1F600}1',
    view: '\x01\x011',
    masked: '\\ud83d\\ude00\u{1F600}*',
  },
  { name: 'incomplete escapes stay literal', raw: '%3 \\u00 &#4 &am <![CD', view: '%3 \\u00 &#4 &am <![CD', masked: '%* \\*** &#* &** <![**' },
  { name: 'overlong UTF-8 is not a digit', raw: '%C0%B1%E0%80%B1', view: '\x01\x01\x01\x01\x01', masked: '%C0%B1%E0%80%B1' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const body = mapChunks([Buffer.from(c.raw)], c.contentType);
    t.ok(viewText(body) === c.view, 'view');
    t.ok(body.masked.toString() === c.masked, 'masked in the original encoding');
    t.equal(body.masked.length, Buffer.byteLength(c.raw), 'same byte length');
    t.equal(body.rawConsumed, Buffer.byteLength(c.raw), 'all raw consumed');
  });
}

t.test('the raw span of each view byte is the encoded character', async (t) => {
  const raw = 'x%31\\u0032&#51;４\u200b5';
  const body = mapChunks([Buffer.from(raw)]);
  const pieces = body.spans.map(([s, e]) => Buffer.from(raw).subarray(s, e).toString());
  t.same(pieces, ['x', '%31', '\\u0032', '&#51;', '４', '5']);
});

t.test('UTF-16 bodies are viewed as ASCII and masked in their byte order', async (t) => {
  const text = 'ssn: １23-45-%36789 \\u0031';
  const view = 'ssn: 123-45-6789 1';
  const masked = '***: ＊**-**-%2A*** \\u002A';
  const variants: Array<{ name: string; bytes: Buffer; contentType?: string; maskedBytes: Buffer }> = [
    { name: 'declared utf-16le', bytes: encodeText(text, 'utf-16le'), contentType: 'text/plain; charset=utf-16le', maskedBytes: encodeText(masked, 'utf-16le') },
    { name: 'declared utf-16be', bytes: encodeText(text, 'utf-16be'), contentType: 'text/plain; charset="UTF-16BE"', maskedBytes: encodeText(masked, 'utf-16be') },
    {
      name: 'declared utf-16 with a LE BOM',
      bytes: encodeText('\ufeff' + text, 'utf-16le'),
      contentType: 'application/json; charset=utf-16',
      maskedBytes: encodeText('\ufeff' + masked, 'utf-16le'),
    },
    { name: 'declared utf-16 without BOM, LE content', bytes: encodeText(text, 'utf-16le'), contentType: 'text/plain;charset=utf-16', maskedBytes: encodeText(masked, 'utf-16le') },
    { name: 'declared utf-16 without BOM, BE content', bytes: encodeText(text, 'utf-16be'), contentType: 'text/plain;charset=utf-16', maskedBytes: encodeText(masked, 'utf-16be') },
    { name: 'undeclared, BE BOM', bytes: encodeText('\ufeff' + text, 'utf-16be'), maskedBytes: encodeText('\ufeff' + masked, 'utf-16be') },
    { name: 'declared utf-8 but a LE BOM', bytes: encodeText('\ufeff' + text, 'utf-16le'), contentType: 'text/plain; charset=utf-8', maskedBytes: encodeText('\ufeff' + masked, 'utf-16le') },
  ];
  for (const v of variants) {
    const body = mapChunks([v.bytes], v.contentType);
    t.ok(viewText(body) === view, `${v.name}: view`);
    t.ok(body.masked.equals(v.maskedBytes), `${v.name}: masked`);
  }
});

t.test('a UTF-16 surrogate pair is one opaque character; an odd last byte is opaque', async (t) => {
  const body = mapChunks([Buffer.concat([encodeText('a\u{1F600}b', 'utf-16le'), Buffer.from([0x31])])], 'text/plain; charset=utf-16le');
  t.ok(viewText(body) === 'a\x01b\x01');
  t.same(body.spans, [
    [0, 2],
    [2, 6],
    [6, 8],
    [8, 9],
  ]);
});

t.test('cheap path: plain ASCII chunks are returned as is and mapped by one run', async (t) => {
  const mapper = createViewMapper({ contentType: 'application/json' });
  const chunk = Buffer.from('{"name":"plain <b>text</b> with no escapes at all"} '.repeat(50));
  let offset = 0;
  for (let k = 0; k < 100; k++) {
    const view = mapper.push(chunk);
    t.equal(view, chunk, 'same buffer, no copy');
    offset += chunk.length;
  }
  t.equal(mapper.mappingRuns, 1, 'one identity run for all of it');
  t.equal(mapper.rawStart(offset - 1), offset - 1);
  t.equal(mapper.rawEnd(12345), 12346);
  t.equal(mapper.rawConsumed, offset);
  const escaped = Buffer.from('a%31');
  t.not(mapper.push(escaped), escaped, 'a chunk with an escape is decoded');
});

t.test('cheap path depends on what the content type declares', async (t) => {
  const plus = Buffer.from('a+b');
  t.equal(createViewMapper({ contentType: 'text/plain' }).push(plus), plus, '+ is plain outside forms');
  t.not(createViewMapper({ contentType: 'application/x-www-form-urlencoded' }).push(plus), plus, '+ needs decoding in a form');
  const lt = Buffer.from('<a>b</a>');
  t.equal(createViewMapper({ contentType: 'text/xml' }).push(lt), lt, 'markup without CDATA is plain');
  const opener = Buffer.from('x <![CDA');
  t.not(createViewMapper({}).push(opener), opener, 'a CDATA opener cut by the chunk end is held');
});

t.test('a chunk without ";" takes & as text, but holds a reference the next chunk may complete', async (t) => {
  const name = 'NegativeVeryThinSpace'; // a long name: the hold-back margin must cover it
  const head = Buffer.from('a=1&b=2&' + 'x'.repeat(100) + `&${name}`);
  const body = mapChunks([head, Buffer.from(';9&c=3')]);
  t.ok(viewText(body) === 'a=1&b=2&' + 'x'.repeat(100) + '9&c=3', 'the split reference is decoded (to nothing)');
  const whole = mapChunks([Buffer.concat([head, Buffer.from(';9&c=3')])]);
  t.same(body.spans, whole.spans, 'and mapped as in one chunk');
  const plainAmp = mapChunks([Buffer.from('q=1&amp=2&lt=3&#49=4')]);
  t.ok(viewText(plainAmp) === 'q=1&amp=2&lt=3&#49=4', 'names without ";" stay text');
});

t.test('discard forgets mapping below the window', async (t) => {
  const mapper = createViewMapper({});
  let viewLength = 0;
  for (let k = 0; k < 2000; k++) {
    viewLength += mapper.push(Buffer.from('ab%31')).length;
    mapper.discard(Math.max(0, viewLength - 10));
  }
  t.ok(mapper.mappingRuns < 10, `runs kept: ${mapper.mappingRuns}`);
  t.equal(mapper.rawStart(viewLength - 1), 2000 * 5 - 3);
  t.throws(() => mapper.rawStart(0), RangeError);
});

t.test('many runs: lookups in any order across blocks, before and after discard', async (t) => {
  const mapper = createViewMapper({});
  const pieces = 5000; // two runs per piece: several blocks of runs
  let viewLength = 0;
  for (let k = 0; k < pieces; k += 500) viewLength += mapper.push(Buffer.from('a%31'.repeat(500))).length;
  t.equal(viewLength, 2 * pieces);
  t.ok(mapper.mappingRuns === 2 * pieces, `${mapper.mappingRuns} runs`);
  const expected = (v: number) => (v % 2 === 0 ? [(v / 2) * 4, (v / 2) * 4 + 1] : [((v - 1) / 2) * 4 + 1, ((v - 1) / 2) * 4 + 4]);
  const order = [...Array(viewLength).keys()].sort((a, b) => ((a * 7919) % 10007) - ((b * 7919) % 10007));
  t.ok(order.every((v) => mapper.rawStart(v) === expected(v)[0] && mapper.rawEnd(v) === expected(v)[1]), 'random order');
  mapper.discard(4321);
  t.ok(mapper.mappingRuns <= 2 * pieces - 4321 + 1, 'runs below the discard point are gone');
  t.ok([...Array(viewLength - 4321).keys()].map((k) => k + 4321).every((v) => mapper.rawStart(v) === expected(v)[0] && mapper.rawEnd(v) === expected(v)[1]), 'the rest still maps');
  t.throws(() => mapper.rawStart(4000), RangeError);
  mapper.discard(viewLength);
  t.equal(mapper.mappingRuns, 0);
  mapper.push(Buffer.from('%32b'));
  t.same([mapper.rawStart(viewLength), mapper.rawEnd(viewLength + 1)], [20000, 20004], 'appending after a full discard');
});

t.test('maskRaw on spans the escape form cannot hold keeps the length and the syntax', async (t) => {
  const mapper = createViewMapper({});
  const check = (raw: string, expected: string) => {
    const buf = Buffer.from(raw);
    mapper.maskRaw(buf, 0, buf.length);
    t.ok(buf.toString() === expected, `${JSON.stringify(raw)} → ${JSON.stringify(expected)}`);
  };
  check('é', '**');
  check('%C3%A9', '%2A%2A');
  check('\\"', '**');
  check('&amp;', '*****');
  check('&#9;', '****');
  check('&#x9;', '&#42;');
  check('&#x031;', '&#x02A;');
  check('\\uD83D\\uDE00', '\\u002A\\u002A');
  check('\u{1F600}', '****');
  check('\u4e2d', '***');
});

t.test('masked documents still parse', async (t) => {
  const digits = /^[0-9]$/;
  const json = '{"a":"\\u0031\\u0032 \\"q\\" ｘ１%31&#49;","b":["x\\\\y"]}';
  const jm = mapChunks([Buffer.from(json)], 'application/json', digits);
  const parsed = JSON.parse(jm.masked.toString()) as { a: string; b: string[] };
  t.ok(parsed.a === '** "q" ｘ＊%2A&#42;', 'JSON string masked and valid');

  const xml = '<r a="&#49;2"><v>&#x31;<![CDATA[2-3]]>&amp;４</v><w>&#65297;</w></r>';
  const xm = mapChunks([Buffer.from(xml)], 'application/xml', digits);
  t.equal(XMLValidator.validate(xm.masked.toString()), true, 'XML still well-formed');
  t.ok(xm.masked.toString() === '<r a="&#42;*"><v>&#x2A;<![CDATA[*-*]]>&amp;＊</v><w>&#65290;</w></r>', 'XML masked');

  const form = 'ssn=123%2D45+6789&n%61me=J%C3%A9r%C3%B4me';
  const fm = mapChunks([Buffer.from(form)], 'application/x-www-form-urlencoded', digits);
  const params = new URLSearchParams(fm.masked.toString());
  t.ok(params.get('ssn') === '***-** ****', 'form value masked and decodable');
  t.ok(params.get('name') === 'J\u00e9r\u00f4me', 'other fields untouched');
});

const charsets: Array<{ charset: BodyCharset; contentType: (base: string) => string; bom: string }> = [
  { charset: 'utf-8', contentType: (b) => b, bom: '' },
  { charset: 'utf-16le', contentType: (b) => `${b}; charset=utf-16le`, bom: '' },
  { charset: 'utf-16be', contentType: (b) => b, bom: '\ufeff' },
];

t.test('property: views and masks compose over fragments, in every charset and syntax', async (t) => {
  for (const { charset, contentType, bom } of charsets) {
    for (const base of ['application/x-www-form-urlencoded', 'application/json', 'text/plain']) {
      const form = base === 'application/x-www-form-urlencoded';
      fc.assert(
        fc.property(fc.array(composableFragment(form), { maxLength: 40 }), (fragments) => {
          const raw = bom + fragments.map((x) => x.raw).join('');
          const body = mapChunks([encodeText(raw, charset)], contentType(base));
          const expectedMasked = encodeText(bom + fragments.map((x) => x.masked).join(''), charset);
          // Each fragment's view bytes map to raw spans inside that fragment.
          let rawAt = encodeText(bom, charset).length;
          let v = 0;
          for (const x of fragments) {
            const rawEnd = rawAt + encodeText(x.raw, charset).length;
            for (let k = 0; k < x.view.length; k++, v++) {
              const [s, e] = body.spans[v] ?? [-1, -1];
              if (s < rawAt || e > rawEnd || s >= e) return false;
            }
            rawAt = rawEnd;
          }
          return viewText(body) === fragments.map((x) => x.view).join('') && body.masked.equals(expectedMasked);
        }),
        { numRuns: 150 },
      );
      t.pass(`${charset} ${base}`);
    }
  }
});
