/**
 * Named character references the view decodes: the five of XML, and the HTML names whose
 * characters matter to detection (ASCII punctuation, spaces, zero-width characters). A name
 * that is not here stays literal text in the view, which can neither create nor hide a
 * digit or letter run.
 */
const ENTITIES: ReadonlyArray<readonly [number, readonly string[]]> = [
  [0x09, ['Tab']],
  [0x0a, ['NewLine']],
  [0x21, ['excl']],
  [0x22, ['quot', 'QUOT']],
  [0x23, ['num']],
  [0x24, ['dollar']],
  [0x25, ['percnt']],
  [0x26, ['amp', 'AMP']],
  [0x27, ['apos']],
  [0x28, ['lpar']],
  [0x29, ['rpar']],
  [0x2a, ['ast', 'midast']],
  [0x2b, ['plus']],
  [0x2c, ['comma']],
  [0x2e, ['period']],
  [0x2f, ['sol']],
  [0x3a, ['colon']],
  [0x3b, ['semi']],
  [0x3c, ['lt', 'LT']],
  [0x3d, ['equals']],
  [0x3e, ['gt', 'GT']],
  [0x3f, ['quest']],
  [0x40, ['commat']],
  [0x5b, ['lsqb', 'lbrack']],
  [0x5c, ['bsol']],
  [0x5d, ['rsqb', 'rbrack']],
  [0x5e, ['Hat']],
  [0x5f, ['lowbar', 'UnderBar']],
  [0x60, ['grave', 'DiacriticalGrave']],
  [0x7b, ['lcub', 'lbrace']],
  [0x7c, ['verbar', 'vert', 'VerticalLine']],
  [0x7d, ['rcub', 'rbrace']],
  [0xa0, ['nbsp', 'NonBreakingSpace']],
  [0xad, ['shy']],
  [0x2002, ['ensp']],
  [0x2003, ['emsp']],
  [0x2004, ['emsp13']],
  [0x2005, ['emsp14']],
  [0x2007, ['numsp']],
  [0x2008, ['puncsp']],
  [0x2009, ['thinsp', 'ThinSpace']],
  [0x200a, ['hairsp', 'VeryThinSpace']],
  [0x200b, ['ZeroWidthSpace', 'NegativeVeryThinSpace', 'NegativeThinSpace', 'NegativeMediumSpace', 'NegativeThickSpace']],
  [0x200c, ['zwnj']],
  [0x200d, ['zwj']],
  [0x2010, ['hyphen', 'dash']],
  [0x2212, ['minus']],
  [0x205f, ['MediumSpace']],
  [0x2060, ['NoBreak']],
];

/** Longest name in the table; bounds how far the decoder looks ahead after `&`. */
export const MAX_ENTITY_NAME_LENGTH = 24;

const BY_NAME: ReadonlyMap<string, number> = new Map(ENTITIES.flatMap(([cp, names]) => names.map((n) => [n, cp] as const)));

/** The code point of `&name;`, or `undefined` when the name is not decoded. */
export function namedEntityCodePoint(name: string): number | undefined {
  return BY_NAME.get(name);
}
