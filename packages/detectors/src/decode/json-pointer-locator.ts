/**
 * JSON pointers (RFC 6901) of offsets in a JSON document: `/patients/0/ssn` for a value
 * inside that member, or inside its key. A document that does not parse gives no locations.
 */
import type { CodeUnits } from './encoded-char.js';
import type { LocatedOffsets } from './located-offsets.js';
import { walkJson } from './json-walker.js';

export function locateInJson(units: CodeUnits, start: number, located: LocatedOffsets): Array<string | undefined> {
  const valid = walkJson(units, start, (_kind, tokenStart, tokenEnd, pointer) => {
    located.assignBelow(tokenStart, undefined);
    located.assignBelow(tokenEnd, pointer());
  });
  return valid ? located.locations : located.clear();
}
