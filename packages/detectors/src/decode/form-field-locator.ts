/**
 * Form field names (`application/x-www-form-urlencoded`) of offsets: the decoded name of the
 * `name=value` pair an offset lies in. Each offset finds its pair by searching around it, so
 * the cost does not grow with the body.
 */
import type { CodeUnits } from './encoded-char.js';
import { LocatedOffsets, unitsText } from './located-offsets.js';

function decodeFormComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

export function locateInForm(units: CodeUnits, start: number, located: LocatedOffsets): Array<string | undefined> {
  const n = units.length;
  while (!located.done) {
    const offset = located.nextOffset;
    if (offset < start || offset >= n) {
      located.assignBelow(offset + 1, undefined);
      continue;
    }
    const pairStart = Math.max(start, units.lastIndexOf(0x26, offset - 1) + 1);
    let pairEnd = units.indexOf(0x26, offset);
    if (pairEnd < 0) pairEnd = n;
    let nameEnd = units.indexOf(0x3d, pairStart);
    if (nameEnd < 0 || nameEnd > pairEnd) nameEnd = pairEnd;
    located.assignBelow(pairEnd + 1, decodeFormComponent(unitsText(units, pairStart, nameEnd)));
  }
  return located.locations;
}
