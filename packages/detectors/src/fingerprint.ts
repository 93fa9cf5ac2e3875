import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Keyed fingerprints of detected values: `hex(HMAC-SHA256(key, canonical value))`, first 16
 * hex digits. The same value gets the same fingerprint under one key (so audit events can be
 * correlated), and the value cannot be recovered or brute-forced without the key.
 */
export class Fingerprinter {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    this.key = key;
  }

  /** The fingerprint of a canonical value (ASCII letters and digits, upper-cased). */
  of(canonical: string): string {
    return createHmac('sha256', this.key).update(canonical, 'latin1').digest('hex').slice(0, 16);
  }
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
