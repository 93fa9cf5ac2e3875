/**
 * Shared plumbing of the document locators: offsets are answered in ascending order while a
 * locator walks the document once (and stops after the last one: a location depends only on
 * what precedes it), and a document's text is read from code units (bytes for UTF-8, 16-bit
 * units for UTF-16).
 */
import type { CodeUnits } from './encoded-char.js';

export class LocatedOffsets {
  /** Indexes into `offsets`, in ascending offset order. */
  private readonly order: number[];
  private next = 0;
  readonly locations: Array<string | undefined>;

  constructor(private readonly offsets: readonly number[]) {
    this.order = offsets.map((_, k) => k).sort((a, b) => offsets[a] - offsets[b]);
    this.locations = new Array<string | undefined>(offsets.length).fill(undefined);
  }

  /** Gives `location` to every offset not yet located that lies below `end` (a unit index). */
  assignBelow(end: number, location: string | undefined): void {
    while (this.next < this.order.length && this.offsets[this.order[this.next]] < end) {
      this.locations[this.order[this.next]] = location;
      this.next++;
    }
  }

  /** Whether every offset that can be located has been passed (`Infinity` stands for "do not locate"). */
  get done(): boolean {
    return this.nextOffset === Infinity;
  }

  /** The smallest offset not located yet (`Infinity` when done): lets a locator build a location only when one is asked for. */
  get nextOffset(): number {
    return this.next < this.order.length ? this.offsets[this.order[this.next]] : Infinity;
  }

  /** Drops every answer: the document turned out not to be what it was taken for. */
  clear(): Array<string | undefined> {
    return this.locations.fill(undefined);
  }
}

/** The text of `units[start, end)`; `utf16` units are chars, bytes are UTF-8. */
export function unitsText(units: CodeUnits, start: number, end: number): string {
  if (units instanceof Uint8Array) return Buffer.from(units.buffer, units.byteOffset + start, end - start).toString('utf8');
  let text = '';
  for (let k = start; k < end; k++) text += String.fromCharCode(units[k]);
  return text;
}

export function isJsonWhitespace(unit: number): boolean {
  return unit === 0x20 || unit === 0x0a || unit === 0x0d || unit === 0x09;
}
