/**
 * Form field names (`application/x-www-form-urlencoded`) of offsets: the decoded name of the
 * `name=value` pair an offset lies in.
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
  let i = start;
  while (i < n && !located.done) {
    let amp = units.indexOf(0x26, i);
    if (amp < 0) amp = n;
    let eq = units.indexOf(0x3d, i);
    if (eq < 0 || eq > amp) eq = amp;
    located.assignBelow(amp + 1, decodeFormComponent(unitsText(units, i, eq)));
    i = amp + 1;
  }
  return located.locations;
}
