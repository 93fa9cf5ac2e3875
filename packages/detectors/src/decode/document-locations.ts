/**
 * Where in a document each finding is, for whole-body scans: a JSON pointer, a form field
 * name or an XML path, chosen from the declared content type (or, when it declares no
 * syntax, from the body's first character: `{`/`[` is JSON, `<` is XML). Offsets are raw
 * byte offsets; UTF-16 bodies are walked in 16-bit units.
 */
import type { CodeUnits } from './encoded-char.js';
import { parseContentType, resolveRawCharset, type DocumentSyntax } from './content-type.js';
import { LocatedOffsets, isJsonWhitespace } from './located-offsets.js';
import { locateInJson } from './json-pointer-locator.js';
import { locateInForm } from './form-field-locator.js';
import { locateInXml } from './xml-path-locator.js';

/** The location of each raw offset (`undefined` where none is known), in the order given. */
export function locateOffsets(body: Buffer, contentType: string | undefined, offsets: readonly number[]): Array<string | undefined> {
  const declared = parseContentType(contentType);
  const charset = resolveRawCharset(declared, body[0], body[1]);
  let units: CodeUnits = body;
  let unitOffsets = offsets;
  if (charset !== 'utf-8') {
    const swapped = charset === 'utf-16be' ? Buffer.from(body.subarray(0, body.length & ~1)).swap16() : body;
    units = new Uint16Array(swapped.length >> 1);
    for (let k = 0; k < units.length; k++) units[k] = swapped[2 * k] | (swapped[2 * k + 1] << 8);
    unitOffsets = offsets.map((o) => o >> 1);
  }
  let start = 0;
  if (charset === 'utf-8' ? units[0] === 0xef && units[1] === 0xbb && units[2] === 0xbf : units[0] === 0xfeff) start = charset === 'utf-8' ? 3 : 1;
  const located = new LocatedOffsets(unitOffsets);
  switch (syntaxOf(declared.syntax, units, start)) {
    case 'json':
      return locateInJson(units, start, located);
    case 'form':
      return locateInForm(units, start, located);
    case 'xml':
      return locateInXml(units, start, located);
    default:
      return located.locations;
  }
}

function syntaxOf(declared: DocumentSyntax, units: CodeUnits, start: number): DocumentSyntax {
  if (declared !== 'other') return declared;
  let i = start;
  while (i < units.length && isJsonWhitespace(units[i])) i++;
  if (units[i] === 0x7b || units[i] === 0x5b) return 'json';
  if (units[i] === 0x3c) return 'xml';
  return 'other';
}
