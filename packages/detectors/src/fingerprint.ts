import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** SHA-256 round constants (FIPS 180-4 §4.2.2). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** SHA-256 initial hash value (FIPS 180-4 §5.3.3). */
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const BLOCK = 64;

/**
 * Keyed fingerprints of detected values: `hex(HMAC-SHA256(key, canonical value))`, first 16
 * hex digits. The same value gets the same fingerprint under one key (so audit events can be
 * correlated), and the value cannot be recovered or brute-forced without the key.
 *
 * The HMAC is computed here rather than with `crypto.createHmac`: the key's inner and outer
 * padded blocks are hashed once, at construction, so a fingerprint costs two SHA-256
 * compressions in JS with no native call and no allocation but its string. `createHmac` cost
 * 10 µs a finding in the proxy (key import, native object, finaliser), this about 1 µs. The
 * result is checked against `node:crypto` in the tests.
 */
export class Fingerprinter {
  /** SHA-256 state after the block `key ⊕ ipad`, and after `key ⊕ opad`. */
  private readonly innerStart = new Int32Array(8);
  private readonly outerStart = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly words = new Int32Array(64);

  constructor(key: Buffer) {
    // RFC 2104: a key longer than the block is hashed first; a shorter one is zero-padded.
    const padded = Buffer.alloc(BLOCK);
    (key.length > BLOCK ? createHash('sha256').update(key).digest() : key).copy(padded);
    this.innerStart.set(IV);
    this.outerStart.set(IV);
    const w = this.words;
    for (let i = 0; i < 16; i++) w[i] = padded.readInt32BE(i * 4) ^ 0x36363636;
    compress(this.innerStart, w);
    for (let i = 0; i < 16; i++) w[i] = padded.readInt32BE(i * 4) ^ 0x5c5c5c5c;
    compress(this.outerStart, w);
    padded.fill(0);
  }

  /** The fingerprint of a canonical value (ASCII letters and digits, upper-cased; read as Latin-1). */
  of(canonical: string): string {
    const state = this.state;
    const w = this.words;
    state.set(this.innerStart);
    // The message after the key block: its bytes, 0x80, zeros, and the bit length of key block
    // plus message in the last 8 bytes.
    const length = canonical.length;
    const blocks = Math.ceil((length + 9) / BLOCK);
    const bits = (BLOCK + length) * 8;
    for (let block = 0; block < blocks; block++) {
      const base = block * BLOCK;
      for (let i = 0; i < 16; i++) {
        const at = base + i * 4;
        w[i] = (byteAt(canonical, at, length) << 24) | (byteAt(canonical, at + 1, length) << 16) | (byteAt(canonical, at + 2, length) << 8) | byteAt(canonical, at + 3, length);
      }
      if (block === blocks - 1) {
        w[14] = Math.floor(bits / 0x100000000);
        w[15] = bits | 0;
      }
      compress(state, w);
    }
    // Outer hash: one block holding the 32-byte inner digest.
    for (let i = 0; i < 8; i++) w[i] = state[i] as number;
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK + 32) * 8;
    state.set(this.outerStart);
    compress(state, w);
    const h0 = state[0] as number;
    const h1 = state[1] as number;
    // One flat string from 16 character codes (toString(16) and padStart made two, then a join).
    return String.fromCharCode(
      hexCode(h0 >>> 28), hexCode(h0 >>> 24), hexCode(h0 >>> 20), hexCode(h0 >>> 16), hexCode(h0 >>> 12), hexCode(h0 >>> 8), hexCode(h0 >>> 4), hexCode(h0),
      hexCode(h1 >>> 28), hexCode(h1 >>> 24), hexCode(h1 >>> 20), hexCode(h1 >>> 16), hexCode(h1 >>> 12), hexCode(h1 >>> 8), hexCode(h1 >>> 4), hexCode(h1),
    );
  }
}

/** Byte `at` of the padded message: Latin-1 code unit, the 0x80 terminator, or zero. */
function byteAt(text: string, at: number, length: number): number {
  if (at < length) return text.charCodeAt(at) & 0xff;
  return at === length ? 0x80 : 0;
}

/** The character code of the lower-case hex digit for the low four bits of `bits`. */
function hexCode(bits: number): number {
  const nibble = bits & 0xf;
  return nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
}

/** One SHA-256 compression of the 16 words in `w[0..15]` into `state` (`w` is the schedule). */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + s1 + ch + (K[t] as number) + (w[t] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (s0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/**
 * The fingerprint key from, in order: an explicit key, `LEAKGUARD_FINGERPRINT_KEY`, the file
 * named by `LEAKGUARD_FINGERPRINT_KEY_FILE`, else a random key for this process (fingerprints
 * then correlate only within one process lifetime).
 */
export function resolveFingerprintKey(explicit?: string | Buffer, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (explicit !== undefined && explicit.length > 0) return Buffer.isBuffer(explicit) ? explicit : Buffer.from(explicit, 'utf8');
  if (env.LEAKGUARD_FINGERPRINT_KEY) return Buffer.from(env.LEAKGUARD_FINGERPRINT_KEY, 'utf8');
  if (env.LEAKGUARD_FINGERPRINT_KEY_FILE) {
    const fromFile = readFileSync(env.LEAKGUARD_FINGERPRINT_KEY_FILE);
    const trimmed = Buffer.from(fromFile.toString('utf8').trim(), 'utf8');
    if (trimmed.length > 0) return trimmed;
  }
  return randomBytes(32);
}
