/**
 * Building blocks of encoded documents for the decoder tests: each fragment is a piece of raw
 * text with the view it must produce and what redaction must turn it into. All values are
 * synthetic.
 */
import fc from 'fast-check';

export interface Fragment {
  /** Raw text (before the body's charset encoding). */
  raw: string;
  /** Expected view, one char per view byte (`\x01` for opaque characters). */
  view: string;
  /** `raw` after masking every view character that is a letter or digit. */
  masked: string;
}

const f = (raw: string, view: string, masked = raw): Fragment => ({ raw, view, masked });

/** Letters and digits written literally. */
const plainAlnum = fc.constantFrom(...'0123456789abcxyzABCXYZu'.split('')).map((c) => f(c, c, '*'));
/** Long plain stretches: the decoder copies these natively. */
const LONG_TEXT = 'Lorem ipsum dolor sit amet 12 consectetur adipiscing elit 34 sed do eiusmod.';
const plainLong = fc.nat(LONG_TEXT.length - 40).map((from) => {
  const text = LONG_TEXT.slice(from, from + 40 + (from % 20));
  return f(text, text, text.replace(/[0-9A-Za-z]/g, '*'));
});
/** Literal characters no decoder acts on. */
const plainOther = fc.constantFrom('-', ' ', '=', ':', '"', ',', '.', '/', '\n', '{', '}', '>', '#', ';').map((c) => f(c, c));

/** Complete encoded characters that fold to something, or to nothing (zero-width), in any body. */
const encoded: Fragment[] = [
  f('%31', '1', '%2A'),
  f('%6a', 'j', '%2a'),
  f('%2D', '-'),
  f('%20', ' '),
  f('%EF%BC%91', '1', '%EF%BC%8A'),
  f('%ef%bc%a1', 'A', '%ef%bc%8a'),
  f('%E2%80%8B', ''),
  f('%C2%AD', ''),
  f('%C3%A9', '\x01'),
  f('\\u0031', '1', '\\u002A'),
  f('\\u006a', 'j', '\\u002a'),
  f('\\uFF11', '1', '\\uFF0A'),
  f('\\u200B', ''),
  f('\\u2060', ''),
  f('\\"', '"'),
  f('\\\\', '\\'),
  f('\\n', '\n'),
  f('\\uD83D\\uDE00', '\x01'),
];

/** Character references: decoded outside form bodies (in a form, `&` separates fields). */
const references: Fragment[] = [
  f('&#49;', '1', '&#42;'),
  f('&#0049;', '1', '&#0042;'),
  f('&#x31;', '1', '&#x2A;'),
  f('&#X0031;', '1', '&#X002A;'),
  f('&#x6a;', 'j', '&#x2a;'),
  f('&#65297;', '1', '&#65290;'),
  f('&#xFF11;', '1', '&#xFF0A;'),
  f('&#8203;', ''),
  f('&amp;', '&'),
  f('&lt;', '<'),
  f('&nbsp;', ' '),
  f('&shy;', ''),
  f('&zwj;', ''),
];

/** Literal non-ASCII characters. */
const literals: Fragment[] = [
  f('\uff11', '1', '\uff0a'),
  f('\uff21', 'A', '\uff0a'),
  f('\uff41', 'a', '\uff0a'),
  f('\uff0d', '-'),
  f('\u3000', ' '),
  f('\u00a0', ' '),
  f('\u200b', ''),
  f('\u200c', ''),
  f('\u200d', ''),
  f('\u2060', ''),
  f('\ufeff', ''),
  f('\u00ad', ''),
  f('é', '\x01'),
  f('\u4e2d', '\x01'),
  f('\u{1F600}', '\x01'),
];

/** A CDATA section around literal letters and digits: the markers vanish from the view. */
const cdata = fc
  .array(plainAlnum, { minLength: 0, maxLength: 4 })
  .map((inner) => f(`<![CDATA[${inner.map((x) => x.raw).join('')}]]>`, inner.map((x) => x.view).join(''), `<![CDATA[${inner.map((x) => x.masked).join('')}]]>`));

/** Fragments whose views compose by concatenation (no fragment changes how its neighbour reads). */
export function composableFragment(form: boolean): fc.Arbitrary<Fragment> {
  const options: fc.Arbitrary<Fragment>[] = [plainAlnum, plainOther, plainLong, fc.constantFrom(...encoded, ...literals)];
  if (form) options.push(fc.constant(f('+', ' ')));
  else options.push(fc.constantFrom(...references), cdata);
  return fc.oneof(...options);
}

/** Broken and partial escapes, stray markers and bytes: documents built with these have no simple oracle. */
const nasty = fc.constantFrom(
  '%',
  '%3',
  '%G1',
  '%E2%80',
  '%EF%BC',
  '%C0%B1',
  '%FF',
  '\\',
  '\\u',
  '\\u00',
  '\\uD83D',
  '\\uDE00',
  '\\x',
  '&',
  '&#',
  '&#x',
  '&#4',
  '&#123456789;',
  '&#0;',
  '&am',
  '&bogus;',
  '&#xD800;',
  '<',
  '<![CDA',
  '<![CDATA[',
  ']',
  ']]',
  ']]>',
  '+',
  '\ud83d',
  '\ude00',
);

/** Any mix of the above: for chunk independence, where the unchunked run is the reference. */
export const anyFragmentRaw: fc.Arbitrary<string> = fc.oneof(
  composableFragment(true).map((x) => x.raw),
  nasty,
);

export type BodyCharset = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Encodes text in a body charset. Lone surrogates become U+FFFD in UTF-8, as `Buffer.from` does. */
export function encodeText(text: string, charset: BodyCharset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  return charset === 'utf-16le' ? le : Buffer.from(le).swap16();
}

/** Cuts `bytes` at the given positions (taken modulo its length). */
export function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) chunks.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.length) chunks.push(bytes.subarray(from));
  return chunks;
}

/** Every single byte as its own chunk. */
export function byteChunks(bytes: Buffer): Buffer[] {
  return [...bytes].map((b) => Buffer.from([b]));
}

/** Chunkings: random cuts, or one chunk per byte. */
export const chunking: fc.Arbitrary<{ cuts: number[] } | 'bytes'> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.nat(), { maxLength: 12 }).map((cuts) => ({ cuts })) },
  { weight: 1, arbitrary: fc.constant<'bytes'>('bytes') },
);

export function applyChunking(bytes: Buffer, how: { cuts: number[] } | 'bytes'): Buffer[] {
  return how === 'bytes' ? byteChunks(bytes) : cutAt(bytes, how.cuts);
}
