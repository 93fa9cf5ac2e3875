/**
 * The `ViewMapper` of the engine: turns raw (content-decoded) body bytes into the view the
 * detectors match on, one view byte per decoded character, and maps view bytes back to the
 * raw bytes that encode them.
 *
 * What is decoded depends on the declared type and on the bytes: percent-escapes and JSON
 * escapes anywhere; in a form body `+` too, while `&` and `<` are its field separator and
 * text (a browser percent-encodes them inside values); in any other body XML/HTML entities
 * and CDATA markers.
 *
 * Cheap path: a chunk that holds nothing a decoder acts on (no `%`, `\`, byte ≥ 0x80; in
 * forms no `+`; elsewhere no `&`, CDATA opener, or `]` inside CDATA) is returned as is and
 * mapped by one identity run: native `indexOf`/`isAscii` scans, no per-byte JavaScript.
 */
import { isAscii } from 'node:buffer';
import type { ViewMapper } from '../types.js';
import { parseContentType, resolveRawCharset, type DeclaredContentType, type RawCharset } from './content-type.js';
import {
  EncodedChar,
  readEncodedChar,
  plainTableIndex,
  PLAIN_VIEW_BYTE,
  HEX_VALUE,
  FLAG_FORM,
  FLAG_IN_CDATA,
  FLAG_UTF16,
  KIND_CDATA_OPEN,
  KIND_CDATA_CLOSE,
  type CodeUnits,
} from './encoded-char.js';
import { ASCII_MASK, foldCodePoint, OPAQUE_VIEW_BYTE } from './fold.js';
import { maskEncodedChars } from './mask-writer.js';
import { MAX_ENTITY_NAME_LENGTH } from './named-entities.js';
import { SpanRuns } from './span-runs.js';

export interface ViewMapperOptions {
  /** The body's `Content-Type`, charset included. */
  contentType?: string;
}

const EMPTY = Buffer.alloc(0);
/** The byte `%XY` stands for, indexed by X << 7 | Y, when it is ASCII; -1 otherwise. */
const PERCENT_ASCII = new Int8Array(128 * 128).fill(-1);
for (let x = 0; x < 128; x++) {
  for (let y = 0; y < 128; y++) {
    const hi = HEX_VALUE[x];
    const lo = HEX_VALUE[y];
    if (hi >= 0 && hi < 8 && lo >= 0) PERCENT_ASCII[(x << 7) | y] = (hi << 4) | lo;
  }
}
/** ASCII letters and digits, the characters of an entity name. */
const ALNUM = new Uint8Array(128);
for (let c = 0; c < 128; c++) ALNUM[c] = /[0-9A-Za-z]/.test(String.fromCharCode(c)) ? 1 : 0;
const CDATA_OPENER = Buffer.from('<![CDATA[', 'latin1');
/** Searched instead of the whole opener: `[` is rare in markup, `<` is everywhere, so memchr skips ahead. */
const CDATA_OPENER_TAIL = Buffer.from('[CDATA[', 'latin1');

export class TextViewMapper implements ViewMapper {
  private readonly declared: DeclaredContentType;
  /** `undefined` until the first bytes told (BOM sniffing). */
  private charset: RawCharset | undefined;
  private flags: number;
  /** Raw bytes received but not yet consumed (an escape or character cut by the chunk boundary). */
  private pending: Buffer = EMPTY;
  /** Raw bytes received so far, pending ones included. */
  private rawReceived = 0;
  private readonly runs = new SpanRuns();
  private readonly char = new EncodedChar();

  constructor(options: ViewMapperOptions = {}) {
    this.declared = parseContentType(options.contentType);
    this.flags = this.declared.syntax === 'form' ? FLAG_FORM : 0;
    if (this.declared.charset === 'utf-16le' || this.declared.charset === 'utf-16be') this.setCharset(this.declared.charset);
  }

  get rawConsumed(): number {
    return this.rawReceived - this.pending.length;
  }

  /** View bytes produced so far. */
  get viewLength(): number {
    return this.runs.viewLength;
  }

  /** The character encoding the raw bytes are read in; `undefined` before the first two bytes. */
  get rawCharset(): RawCharset | undefined {
    return this.charset;
  }

  /** Runs of the view→raw mapping currently kept (one per stretch of same-width characters). */
  get mappingRuns(): number {
    return this.runs.runCount;
  }

  push(raw: Buffer): Buffer {
    if (raw.length === 0) return EMPTY;
    this.rawReceived += raw.length;
    if (this.charset === undefined && !this.sniffCharset(raw, false)) {
      this.pending = Buffer.concat([this.pending, raw]);
      return EMPTY;
    }
    if (this.pending.length === 0 && this.charset === 'utf-8' && this.isPlain(raw)) {
      this.runs.append(this.rawReceived - raw.length, raw.length, 1);
      return raw;
    }
    return this.decode(this.pending.length === 0 ? raw : Buffer.concat([this.pending, raw]), false);
  }

  flush(): Buffer {
    if (this.pending.length === 0) return EMPTY;
    if (this.charset === undefined) this.sniffCharset(EMPTY, true);
    return this.decode(this.pending, true);
  }

  rawStart(v: number): number {
    return v >= this.runs.viewLength ? this.rawConsumed : this.runs.rawStart(v);
  }

  rawEnd(v: number): number {
    return v >= this.runs.viewLength ? this.rawConsumed : this.runs.rawEnd(v);
  }

  discard(v: number): void {
    this.runs.discard(v);
  }

  maskRaw(raw: Buffer, offset: number, length: number): void {
    const utf16 = this.charset === 'utf-16le' || this.charset === 'utf-16be';
    // One UTF-8 byte behind a letter or digit is that ASCII character itself (escapes, entities
    // and folded forms take more): the mask is one `*`, without decoding anything.
    if (length === 1 && !utf16) {
      raw[offset] = ASCII_MASK;
      return;
    }
    maskEncodedChars(raw, offset, length, {
      unitSize: utf16 ? 2 : 1,
      bigEndian: this.charset === 'utf-16be',
      flags: this.flags & FLAG_FORM,
    });
  }

  private setCharset(charset: RawCharset): void {
    this.charset = charset;
    if (charset !== 'utf-8') this.flags |= FLAG_UTF16;
  }

  /** Decides the charset once the first two body bytes are known; `false` while undecided. */
  private sniffCharset(raw: Buffer, final: boolean): boolean {
    const first = this.pending.length > 0 ? this.pending[0] : raw[0];
    const second = this.pending.length > 1 ? this.pending[1] : this.pending.length === 1 ? raw[0] : raw[1];
    const mayBeUtf16 = this.declared.charset === 'utf-16' || first === 0xff || first === 0xfe;
    if (second === undefined && !final && mayBeUtf16) return false;
    this.setCharset(resolveRawCharset(this.declared, first, second));
    return true;
  }

  private isPlain(raw: Buffer): boolean {
    return isPlainText(raw, this.flags);
  }

  private decode(input: Buffer, final: boolean): Buffer {
    const base = this.rawReceived - input.length;
    const utf16 = this.charset !== 'utf-8';
    const unitSize = utf16 ? 2 : 1;
    const units: CodeUnits = utf16 ? toUtf16Units(input, this.charset === 'utf-16be') : input;
    const n = units.length;
    const view = Buffer.allocUnsafe(n + 1);
    const char = this.char;
    let flags = this.flags;
    // A chunk without `;` has no character reference that ends in it: up to where a
    // reference could still end in the next chunk, `&` is text (query strings, forms sent
    // without a content type) and stays in the plain loop.
    const ampPlainUntil = units.indexOf(0x3b) < 0 ? n - MAX_ENTITY_NAME_LENGTH - 2 : -1;
    let plain = PLAIN_VIEW_BYTE[plainTableIndex(flags, ampPlainUntil < 0)];
    // The run being built (raw start, characters, width in bytes), kept local: the loop runs
    // per character and SpanRuns only hears of a run when it ends.
    let runRaw = 0;
    let runCount = 0;
    let runWidth = 0;
    // ASCII text outside forms: long plain stretches are found with memchr and copied with
    // memcpy rather than byte by byte (a form's `+` comes too often for that to pay).
    const finder = !utf16 && !(flags & FLAG_FORM) && isAscii(input) ? new PlainStretchFinder(input) : undefined;
    let i = 0;
    let o = 0;
    while (i < n) {
      if (i >= ampPlainUntil && ampPlainUntil >= 0) plain = PLAIN_VIEW_BYTE[plainTableIndex(flags)];
      let c = units[i];
      let viewByte = c < 0x80 ? plain[c] : -1;
      if (viewByte >= 0) {
        const start = i;
        const end = i < ampPlainUntil ? ampPlainUntil : n;
        const stop = finder === undefined ? i : finder.stretchEnd(i, end, (flags & FLAG_IN_CDATA) !== 0, i < ampPlainUntil);
        if (stop - i >= NATIVE_STRETCH) {
          input.copy(view, o, i, stop);
          o += stop - i;
          i = stop;
        } else {
          do {
            view[o++] = viewByte;
            if (++i === end) break;
            c = units[i];
            viewByte = c < 0x80 ? plain[c] : -1;
          } while (viewByte >= 0);
        }
        const rawStart = base + start * unitSize;
        if (runWidth === unitSize && rawStart === runRaw + runCount * runWidth) {
          runCount += i - start;
        } else {
          if (runCount > 0) this.runs.append(runRaw, runCount, runWidth);
          runRaw = rawStart;
          runCount = i - start;
          runWidth = unitSize;
        }
        continue;
      }
      // A run of `%XX` escapes of ASCII bytes (the bulk of form bodies), without a call.
      if (c === 0x25) {
        const start = i;
        while (i + 2 < n) {
          const d1 = units[i + 1];
          const d2 = units[i + 2];
          const value = (d1 | d2) < 0x80 ? PERCENT_ASCII[(d1 << 7) | d2] : -1;
          if (value < 0) break;
          view[o++] = value;
          i += 3;
          if (i === n || units[i] !== 0x25) break;
        }
        if (i > start) {
          const rawStart = base + start * unitSize;
          const width = 3 * unitSize;
          if (runWidth === width && rawStart === runRaw + runCount * runWidth) {
            runCount += (i - start) / 3;
          } else {
            if (runCount > 0) this.runs.append(runRaw, runCount, runWidth);
            runRaw = rawStart;
            runCount = (i - start) / 3;
            runWidth = width;
          }
          continue;
        }
      }
      // `&` with a name that does not end in `;` (a query-string separator) is text, and so
      // is its name: copied here in one go (and taken back if it turns out to be an entity).
      if (c === 0x26 && i + 1 < n && units[i + 1] !== 0x23) {
        const mark = o;
        view[o++] = 0x26;
        let j = i + 1;
        let u = units[j];
        while (u < 0x80 && ALNUM[u] === 1 && j - i <= MAX_ENTITY_NAME_LENGTH) {
          view[o++] = u;
          if (++j === n) break;
          u = units[j];
        }
        if (j < n && u !== 0x3b) {
          const rawStart = base + i * unitSize;
          if (runWidth === unitSize && rawStart === runRaw + runCount * runWidth) {
            runCount += j - i;
          } else {
            if (runCount > 0) this.runs.append(runRaw, runCount, runWidth);
            runRaw = rawStart;
            runCount = j - i;
            runWidth = unitSize;
          }
          i = j;
          continue;
        }
        o = mark;
      }
      if (!readEncodedChar(units, i, n, final, flags, char)) break;
      const length = char.length;
      if (char.kind === KIND_CDATA_OPEN || char.kind === KIND_CDATA_CLOSE) {
        flags = char.kind === KIND_CDATA_OPEN ? flags | FLAG_IN_CDATA : flags & ~FLAG_IN_CDATA;
        plain = PLAIN_VIEW_BYTE[plainTableIndex(flags, i >= ampPlainUntil)];
        i += length;
        continue;
      }
      viewByte = foldCodePoint(char.codePoint);
      if (viewByte >= 0) {
        view[o++] = viewByte;
        const rawStart = base + i * unitSize;
        const width = length * unitSize;
        if (runWidth === width && rawStart === runRaw + runCount * runWidth) {
          runCount++;
        } else {
          if (runCount > 0) this.runs.append(runRaw, runCount, runWidth);
          runRaw = rawStart;
          runCount = 1;
          runWidth = width;
        }
      }
      i += length;
    }
    if (runCount > 0) this.runs.append(runRaw, runCount, runWidth);
    this.flags = flags;
    let consumed = i * unitSize;
    if (final && consumed < input.length) {
      // The odd last byte of a UTF-16 body: a broken character, opaque in the view.
      view[o++] = OPAQUE_VIEW_BYTE;
      this.runs.append(base + consumed, 1, input.length - consumed);
      consumed = input.length;
    }
    this.pending = consumed < input.length ? Buffer.from(input.subarray(consumed)) : EMPTY;
    return view.subarray(0, o);
  }
}

/** Plain stretches shorter than this are copied by the JavaScript loop: a native call costs more. */
const NATIVE_STRETCH = 48;

/**
 * Where the plain stretch that starts at a given index ends, in an ASCII chunk outside
 * forms: at the next unit that may start an escape. The next position of each such unit is
 * searched with `indexOf` only once the decoder has passed the previous one.
 */
class PlainStretchFinder {
  private percent = -1;
  private backslash = -1;
  private lt = -1;
  private bracket = -1;
  private amp = -1;

  constructor(private readonly bytes: Buffer) {}

  /** End of the plain stretch from `from`, at most `limit`. */
  stretchEnd(from: number, limit: number, inCdata: boolean, ampIsText: boolean): number {
    this.percent = this.next(0x25, this.percent, from);
    this.backslash = this.next(0x5c, this.backslash, from);
    let end = Math.min(limit, this.percent, this.backslash);
    if (inCdata) {
      this.bracket = this.next(0x5d, this.bracket, from);
      end = Math.min(end, this.bracket);
    } else {
      this.lt = this.next(0x3c, this.lt, from);
      end = Math.min(end, this.lt);
    }
    if (!ampIsText) {
      this.amp = this.next(0x26, this.amp, from);
      end = Math.min(end, this.amp);
    }
    return end;
  }

  private next(unit: number, known: number, from: number): number {
    if (known >= from) return known;
    const at = this.bytes.indexOf(unit, from);
    return at < 0 ? this.bytes.length : at;
  }
}

/** Whether `raw` holds nothing a decoder acts on, in the decoder state `flags` (UTF-8 text). */
function isPlainText(raw: Buffer, flags: number): boolean {
  if (raw.indexOf(0x25) >= 0 || raw.indexOf(0x5c) >= 0) return false;
  if (flags & FLAG_FORM) {
    if (raw.indexOf(0x2b) >= 0) return false;
  } else {
    if (raw.indexOf(0x26) >= 0) return false;
    if (flags & FLAG_IN_CDATA) {
      if (raw.indexOf(0x5d) >= 0) return false;
    } else {
      // A CDATA opener anywhere, or the start of one cut by the chunk end, needs the decoder.
      const lastLt = raw.lastIndexOf(0x3c);
      if (lastLt >= 0 && (raw.indexOf(CDATA_OPENER_TAIL) >= 0 || opensCdataAtEnd(raw, lastLt))) return false;
    }
  }
  return isAscii(raw);
}

/**
 * Whether a whole body is its own view: read as UTF-8, ASCII, and holding nothing a decoder
 * acts on (the test `push` makes before it maps a chunk as it is). Such a body can be matched
 * on directly.
 */
export function isOwnView(body: Buffer, contentType: string | undefined): boolean {
  const declared = parseContentType(contentType);
  if (resolveRawCharset(declared, body[0], body[1]) !== 'utf-8') return false;
  return isPlainText(body, declared.syntax === 'form' ? FLAG_FORM : 0);
}

/** Whether `raw` from `lt` to its end is a proper prefix of `<![CDATA[`. */
function opensCdataAtEnd(raw: Buffer, lt: number): boolean {
  const tail = raw.length - lt;
  return tail < CDATA_OPENER.length && raw.compare(CDATA_OPENER, 0, tail, lt) === 0;
}

function toUtf16Units(input: Buffer, bigEndian: boolean): Uint16Array {
  const units = new Uint16Array(input.length >> 1);
  if (bigEndian) for (let k = 0; k < units.length; k++) units[k] = (input[2 * k] << 8) | input[2 * k + 1];
  else for (let k = 0; k < units.length; k++) units[k] = input[2 * k] | (input[2 * k + 1] << 8);
  return units;
}

/**
 * A `ViewMapper` for one body of the given content type: the decoded view the detectors match
 * on (percent, JSON `\u`, entities, CDATA, full-width, zero-width, UTF-16), mapped back to the
 * raw bytes. Feed it with `push`/`flush`; the engine does this for every scan.
 */
export function createViewMapper(options: ViewMapperOptions = {}): TextViewMapper {
  return new TextViewMapper(options);
}
