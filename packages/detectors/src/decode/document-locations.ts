/**
 * Where in a document each finding is, for whole-body scans: a JSON pointer, a form field
 * name or an XML path, chosen from the declared content type (or, when it declares no
 * syntax, from the body's first character: `{`/`[` is JSON, `<` is XML). Offsets are raw
 * byte offsets; UTF-16 bodies are walked in 16-bit units.
 */
import type { CodeUnits } from './encoded-char.js';
import { parseContentType, resolveRawCharset, type DocumentSyntax, type RawCharset } from './content-type.js';
import { LocatedOffsets, isJsonWhitespace } from './located-offsets.js';
import { locateInJson } from './json-pointer-locator.js';
import { locateInForm } from './form-field-locator.js';
import { locateInXml } from './xml-path-locator.js';

/** A body read as text: its code units, where the document starts (after a BOM), and its syntax. */
export interface DocumentText {
  units: CodeUnits;
  charset: RawCharset;
  /** Bytes per code unit. */
  unitSize: 1 | 2;
  start: number;
  syntax: DocumentSyntax;
  /** JSON documents one after another (NDJSON and the like): walked as the elements of one array. */
  jsonSequence: boolean;
}

/**
 * Reads a body as text for the locators. `sniff` lets the first character choose the syntax
 * when the content type declares none.
 */
export function readDocumentText(body: Buffer, contentType: string | undefined, sniff: boolean): DocumentText {
  const declared = parseContentType(contentType);
  const charset = resolveRawCharset(declared, body[0], body[1]);
  let units: CodeUnits = body;
  if (charset !== 'utf-8') {
    const swapped = charset === 'utf-16be' ? Buffer.from(body.subarray(0, body.length & ~1)).swap16() : body;
    units = new Uint16Array(swapped.length >> 1);
    for (let k = 0; k < units.length; k++) units[k] = swapped[2 * k] | (swapped[2 * k + 1] << 8);
  }
  let start = 0;
  if (charset === 'utf-8' ? units[0] === 0xef && units[1] === 0xbb && units[2] === 0xbf : units[0] === 0xfeff) start = charset === 'utf-8' ? 3 : 1;
  const syntax = declared.syntax !== 'other' || !sniff ? declared.syntax : sniffSyntax(units, start);
  return { units, charset, unitSize: charset === 'utf-8' ? 1 : 2, start, syntax, jsonSequence: declared.jsonSequence };
}

/**
 * How far into a body locations are looked for. A location costs a walk of the document up
 * to the finding (JSON and XML at a few hundred MB/s); past this, findings go without one,
 * so that a large body with findings costs at most this walk. API payloads are mostly smaller.
 */
export const LOCATION_WALK_LIMIT = 64 * 1024;

/**
 * The location of each raw offset (`undefined` where none is known), in the order given.
 * With `sniff`, a body whose content type declares no syntax is taken for JSON when it
 * starts with `{`/`[`, for XML when it starts with `<`. Offsets past
 * `LOCATION_WALK_LIMIT` get none.
 */
export function locateOffsets(body: Buffer, contentType: string | undefined, offsets: readonly number[], sniff = false): Array<string | undefined> {
  const doc = readDocumentText(body, contentType, sniff);
  const unitOffsets = offsets.map((o) => (o < LOCATION_WALK_LIMIT ? Math.floor(o / doc.unitSize) : Infinity));
  const located = new LocatedOffsets(unitOffsets);
  switch (doc.syntax) {
    case 'json':
      return locateInJson(doc.units, doc.start, located, doc.jsonSequence);
    case 'form':
      return locateInForm(doc.units, doc.start, located);
    case 'xml':
      return locateInXml(doc.units, doc.start, located);
    default:
      return located.locations;
  }
}

function sniffSyntax(units: CodeUnits, start: number): DocumentSyntax {
  let i = start;
  while (i < units.length && isJsonWhitespace(units[i])) i++;
  if (units[i] === 0x7b || units[i] === 0x5b) return 'json';
  if (units[i] === 0x3c) return 'xml';
  return 'other';
}
