/**
 * JSON pointers (RFC 6901) of offsets in a JSON document: `/patients/0/ssn` for a value
 * inside that member, or inside its key. The walk stops after the last offset; a prefix
 * that does not parse as JSON gives no locations.
 */
import type { CodeUnits } from './encoded-char.js';
import type { LocatedOffsets } from './located-offsets.js';
import { walkJson } from './json-walker.js';

export function locateInJson(units: CodeUnits, start: number, located: LocatedOffsets, sequence = false): Array<string | undefined> {
  const interest = { from: located.nextOffset };
  const valid = walkJson(
    units,
    start,
    (_kind, tokenStart, tokenEnd, pointer) => {
      located.assignBelow(tokenStart, undefined);
      if (located.nextOffset < tokenEnd) located.assignBelow(tokenEnd, pointer());
      interest.from = located.nextOffset;
      return !located.done;
    },
    interest,
    sequence,
  );
  return valid ? located.locations : located.clear();
}
