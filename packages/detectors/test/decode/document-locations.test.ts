/**
 * Locations of offsets: JSON pointers, form field names, XML paths, in UTF-8 and UTF-16,
 * escaped keys included; a document that is not what it claims gives none.
 */
import t from 'tap';
import { locateOffsets, LOCATION_WALK_LIMIT } from '../../src/decode/index.js';
import { encodeText } from './fragments.js';

/** Offsets of each `marker` occurrence in `text` (UTF-8 bytes). */
function offsetsOf(text: string, marker: string): number[] {
  const bytes = Buffer.from(text);
  const found: number[] = [];
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 1)) found.push(at);
  return found;
}

t.test('JSON pointers', async (t) => {
  const json = JSON.stringify({
    patients: [
      { name: 'A', ssn: 'VALUE' },
      { ids: ['x', 'VALUE', { 'a/b~c': 'VALUE' }], n: 12 },
    ],
    'k\u00e9y': 'VALUE',
    e: {},
    f: [],
    g: [[], {}, 'VALUE'],
  });
  const body = Buffer.from(json);
  t.same(locateOffsets(body, 'application/json', offsetsOf(json, 'VALUE')), [
    '/patients/0/ssn',
    '/patients/1/ids/1',
    '/patients/1/ids/2/a~1b~0c',
    '/k\u00e9y',
    '/g/2',
  ]);
  t.same(locateOffsets(body, 'application/json', [json.indexOf('12')]), ['/patients/1/n'], 'a number');
  t.same(locateOffsets(body, 'application/json', [json.indexOf('ssn') + 1]), ['/patients/0/ssn'], 'inside a key');
  t.same(locateOffsets(body, undefined, [json.indexOf('VALUE')], true), ['/patients/0/ssn'], 'sniffed from the first character');
  t.same(locateOffsets(body, undefined, [json.indexOf('VALUE')]), [undefined], 'not sniffed unless asked');
});

t.test('line-delimited JSON: each record is an element of one sequence', async (t) => {
  const ndjson = '{"id":1,"user":{"ssn":"VALUE"}}\n{"id":2,"user":{"ssn":"VALUE"}}\n\n{"id":3,"tags":["a","VALUE"]}\n';
  const body = Buffer.from(ndjson);
  const expected = ['/0/user/ssn', '/1/user/ssn', '/2/tags/1'];
  for (const type of ['application/x-ndjson', 'application/jsonl', 'application/json-seq']) {
    t.same(locateOffsets(body, type, offsetsOf(ndjson, 'VALUE')), expected, type);
  }
  const seq = Buffer.from('\u001e{"ssn":"VALUE"}\n\u001e{"ssn":"VALUE"}\n');
  t.same(locateOffsets(seq, 'application/json-seq', offsetsOf(seq.toString(), 'VALUE')), ['/0/ssn', '/1/ssn'], 'RFC 7464 record separators');
  t.same(locateOffsets(body, 'application/json', offsetsOf(ndjson, 'VALUE')), [undefined, undefined, undefined], 'declared as one document, it is not JSON');
});

t.test('JSON with escaped keys, whitespace, and in UTF-16', async (t) => {
  const json = '\ufeff{\n  "\\u0073sn" : "VALUE" ,\r\n\t"list": [ 1 , "VALUE" ]\n}';
  t.same(locateOffsets(Buffer.from(json), 'application/json; charset=utf-8', offsetsOf(json, 'VALUE')), ['/ssn', '/list/1']);
  const le = encodeText(json, 'utf-16le');
  const unitOffsets = [json.indexOf('VALUE'), json.lastIndexOf('VALUE')];
  t.same(locateOffsets(le, 'application/json; charset=utf-16', unitOffsets.map((u) => 2 * u)), ['/ssn', '/list/1'], 'UTF-16LE with BOM');
  const be = encodeText(json.slice(1), 'utf-16be');
  t.same(locateOffsets(be, 'application/json; charset=utf-16be', unitOffsets.map((u) => 2 * (u - 1))), ['/ssn', '/list/1'], 'UTF-16BE');
});

t.test('JSON that breaks before an offset gives no location; after it, the prefix decides', async (t) => {
  for (const bad of ['{"a": VALUE}', '{"a" "VALUE"}', '{"a": 01, "b": "VALUE"}', '{"a": tru, "b": "VALUE"}', '["x"}, "VALUE"]', '{"a": -, "b": "VALUE"}']) {
    t.same(locateOffsets(Buffer.from(bad), 'application/json', [bad.indexOf('VALUE')]), [undefined], bad);
  }
  for (const [prefixOk, pointer] of [['{"a": "VALUE"', '/a'], ['{"a": "VALUE"} trailing', '/a'], ['["VALUE",]', '/0'], ['{"a": 1.5e-3, "b": ["VALUE"', '/b/0']]) {
    t.same(locateOffsets(Buffer.from(prefixOk), 'application/json', [prefixOk.indexOf('VALUE')]), [pointer], prefixOk);
  }
});

t.test('form field names', async (t) => {
  const form = 'ssn=VALUE&full+name=VALUE&n%61me%5B0%5D=x+VALUE&empty=&flag&VALUE=1&bad%ZZ=VALUE';
  t.same(locateOffsets(Buffer.from(form), 'application/x-www-form-urlencoded', offsetsOf(form, 'VALUE')), [
    'ssn',
    'full name',
    'name[0]',
    'VALUE',
    'bad%ZZ',
  ]);
  const le = encodeText(form, 'utf-16le');
  t.same(locateOffsets(le, 'application/x-www-form-urlencoded; charset=utf-16le', [2 * form.indexOf('VALUE')]), ['ssn'], 'UTF-16');
});

t.test('XML paths', async (t) => {
  const xml = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE records [ <!ELEMENT records ANY> ]>',
    '<records xmlns:h="urn:x">',
    '  <!-- <fake>VALUE</fake> -->',
    '  <patient id="VALUE" kind=\'p\'>',
    '    <ssn>VALUE</ssn>',
    '    <h:note><![CDATA[ <not-a-tag> VALUE ]]></h:note>',
    '    <empty/>',
    '    <n a="1"/>VALUE',
    '  </patient>',
    '</records>',
  ].join('\n');
  t.same(locateOffsets(Buffer.from(xml), 'application/xml', offsetsOf(xml, 'VALUE')), [
    '/records',
    '/records/patient/@id',
    '/records/patient/ssn',
    '/records/patient/h:note',
    '/records/patient',
  ]);
  t.same(locateOffsets(Buffer.from(xml), 'text/plain', [xml.indexOf('<ssn>') + 5], true), ['/records/patient/ssn'], 'sniffed from the first character');
});

t.test('XML that breaks before an offset, or unknown syntax: no locations', async (t) => {
  const html = '<html><body><p>VALUE<br></body></html>';
  t.same(locateOffsets(Buffer.from(html), 'text/html', [html.indexOf('VALUE')]), [undefined], 'HTML is not located');
  for (const bad of ['<a><b></a><c>VALUE</c>', 'text <a>VALUE</a>', '<a><!-- VALUE', '<a x=1>VALUE</a>', '<a></a><b>VALUE</b>', '<a/ >VALUE']) {
    t.same(locateOffsets(Buffer.from(bad), 'application/xml', [bad.indexOf('VALUE')]), [undefined], bad);
  }
  t.same(locateOffsets(Buffer.from('plain VALUE'), 'text/plain', [6]), [undefined]);
});

t.test('findings past LOCATION_WALK_LIMIT go without a location', async (t) => {
  const filler = ', "pad": "' + 'x'.repeat(LOCATION_WALK_LIMIT) + '"';
  const json = '{"a": "VALUE"' + filler + ', "b": "VALUE"}';
  const [first, second] = offsetsOf(json, 'VALUE');
  t.same(locateOffsets(Buffer.from(json), 'application/json', [first, second]), ['/a', undefined]);
});

t.test('offsets may come in any order', async (t) => {
  const json = '{"a":"VALUE","b":"VALUE"}';
  const [first, second] = offsetsOf(json, 'VALUE');
  t.same(locateOffsets(Buffer.from(json), 'application/json', [second, first, second]), ['/b', '/a', '/b']);
});
