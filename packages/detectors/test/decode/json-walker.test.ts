/**
 * The JSON walker against JSON.parse: it accepts exactly the documents JSON.parse accepts, and
 * on those it reports every key and scalar in document order with the pointer and the span
 * JSON.stringify gives them. Documents are random trees, printed compact or indented, then
 * some are broken by one random edit.
 */
import t from 'tap';
import { walkJson, type JsonTokenKind } from '../../src/decode/json-walker.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KEY_PARTS = ['id', 'name', 'a/b', 'ti~lde', 'quo"te', 'back\\slash', 'é', 'x y', ''];
const STRINGS = ['', 'plain', 'with "quotes"', 'back\\slash\\', 'tab\there', 'line\nfeed', 'ünïcødé', '\u0001ctl', 'ends with \\"'];
const NUMBERS = [0, -0.5, 12, 3.25e-7, -1e21, 123456789];

function randomValue(random: () => number, depth: number): Json {
  const r = random();
  if (depth < 4 && r < 0.25) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  }
  if (depth < 4 && r < 0.5) {
    const object: Record<string, Json> = {};
    const members = Math.floor(random() * 4);
    // Keys are never integer-like: JavaScript would reorder those, JSON text does not.
    for (let m = 0; m < members; m++) object[`${KEY_PARTS[Math.floor(random() * KEY_PARTS.length)]}${m}k`] = randomValue(random, depth + 1);
    return object;
  }
  if (r < 0.7) return STRINGS[Math.floor(random() * STRINGS.length)] as string;
  if (r < 0.85) return NUMBERS[Math.floor(random() * NUMBERS.length)] as number;
  return [true, false, null][Math.floor(random() * 3)] as Json;
}

interface Token {
  kind: JsonTokenKind;
  pointer: string | undefined;
  text: string;
}

/** What the walker should report: keys and scalars in order, from the parsed tree. */
function expectedTokens(value: Json, pointer: string | undefined, out: Token[]): Token[] {
  const segment = (key: string) => `${pointer ?? ''}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (Array.isArray(value)) {
    value.forEach((item, k) => expectedTokens(item, segment(String(k)), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push({ kind: 'key', pointer: segment(key), text: JSON.stringify(key) });
      expectedTokens(item, segment(key), out);
    }
  } else {
    const kind: JsonTokenKind = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'literal';
    out.push({ kind, pointer, text: JSON.stringify(value) });
  }
  return out;
}

function walked(text: string): { valid: boolean; tokens: Token[] } {
  const bytes = Buffer.from(text);
  const tokens: Token[] = [];
  const valid = walkJson(bytes, 0, (kind, start, end, pointer) => {
    tokens.push({ kind, pointer: pointer(), text: bytes.toString('utf8', start, end) });
  });
  return { valid, tokens };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

t.test('valid documents: every key and scalar, in order, with its pointer and span', async (t) => {
  const random = seeded(2026);
  let differing = 0;
  for (let round = 0; round < 2000; round++) {
    const value = randomValue(random, 0);
    const text = JSON.stringify(value, null, [0, 1, '\t'][round % 3] as number | string);
    const padded = round % 5 === 0 ? ` \n${text}\r\n ` : text;
    const { valid, tokens } = walked(padded);
    if (!valid || JSON.stringify(tokens) !== JSON.stringify(expectedTokens(value, undefined, []))) differing++;
  }
  t.equal(differing, 0, '2000 documents walked as JSON.parse reads them');
});

/** Which positions of a printed document are inside a string (its quotes included). */
function stringPositions(text: string): boolean[] {
  const inside: boolean[] = [];
  let open = false;
  for (let k = 0; k < text.length; k++) {
    if (!open && text[k] === '"') open = true;
    else if (open && text[k] === '\\') {
      inside[k++] = true;
    } else if (open && text[k] === '"') {
      inside[k] = true;
      open = false;
      continue;
    }
    inside[k] = open;
  }
  return inside;
}

// The walker checks structure, not what is inside strings (it skips them by their quotes):
// edits here land outside strings, where the walker and JSON.parse must agree on every byte.
t.test('broken documents: valid exactly when JSON.parse accepts them', async (t) => {
  const random = seeded(7);
  const EDITS = ['{', '}', '[', ']', ',', ':', ' ', '\n', '0', '-', '.', 'e', 'E', '+', 't', 'x'];
  let differing = 0;
  let rejected = 0;
  for (let round = 0; round < 4000; round++) {
    const text = JSON.stringify(randomValue(random, 0), null, round % 2);
    const inside = stringPositions(text);
    let at = Math.floor(random() * (text.length + 1));
    while (at < text.length && inside[at] === true) at++;
    const edit = EDITS[Math.floor(random() * EDITS.length)] as string;
    const broken = random() < 0.5 || at === text.length ? text.slice(0, at) + edit + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    const accepted = parses(broken);
    if (!accepted) rejected++;
    if (walked(broken).valid !== accepted) differing++;
  }
  t.equal(differing, 0, 'no document judged differently');
  t.ok(rejected > 1000, `${rejected} of 4000 edited documents are not JSON`);
});

t.test('string contents are not checked: a bad escape still walks (locations stay useful)', async (t) => {
  t.ok(walked('{"a":"bad \\x escape"}').valid);
  t.same(
    walked('{"a":"bad \\x escape"}').tokens.map((token) => token.pointer),
    ['/a', '/a'],
  );
});

t.test('edge documents', async (t) => {
  for (const text of ['0', '"s"', 'true', '[]', '{}', ' [ ] ', '[[]]', '{"a":{}}', '-0', '1e5', '[1,]', '{"a":1,}', '{,}', '[,1]', '', ' ', '01', '1.', '.5', 'nul', 'truex', '{"a" 1}', '{"a":}', '[1 2]', '["a"}', '{"a":1]', '[]]', '{}{}', '"\\"', '[tru]']) {
    t.equal(walked(text).valid, parses(text), JSON.stringify(text));
  }
});

t.test('a visitor returning false stops the walk', async (t) => {
  const bytes = Buffer.from('{"a":[1,2,3],"b":"x"}');
  const seen: string[] = [];
  const valid = walkJson(bytes, 0, (kind, start, end) => {
    seen.push(bytes.toString('utf8', start, end));
    return seen.length < 3;
  });
  t.ok(valid, 'the prefix walked is valid');
  t.same(seen, ['"a"', '1', '2']);
});
