import type { ViewMapper } from './types.js';

const ASTERISK = 0x2a;

/** The view is the raw bytes themselves: for bodies that need no text decoding. */
export class IdentityMapper implements ViewMapper {
  private consumed = 0;

  push(raw: Buffer): Buffer {
    this.consumed += raw.length;
    return raw;
  }

  flush(): Buffer {
    return Buffer.alloc(0);
  }

  rawStart(v: number): number {
    return v;
  }

  rawEnd(v: number): number {
    return v + 1;
  }

  get rawConsumed(): number {
    return this.consumed;
  }

  discard(): void {}

  maskRaw(raw: Buffer, offset: number, length: number): void {
    raw.fill(ASTERISK, offset, offset + length);
  }
}
