// Serving certificate and key read from files and swapped into the running server when they
// change (cert-manager rotates them; Secret volumes update through a `..data` symlink swap, so
// the directory is watched, not the files). New handshakes use the new pair; the listener and
// open connections are untouched. A poll backs up fs.watch, which can miss events.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { TlsMaterialError } from './errors.js';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint of the leaf certificate, for logs. */
  fingerprint: string;
  notAfter: string;
}

export interface TlsReloaderOptions {
  certFile: string;
  keyFile: string;
  /** Safety-net poll period; 0 disables it. */
  pollIntervalMs?: number;
  /** Coalesces the burst of events one Secret update produces. */
  debounceMs?: number;
}

export function readTlsPair(certFile: string, keyFile: string): TlsPair {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(certFile);
    key = readFileSync(keyFile);
  } catch (err) {
    throw new TlsMaterialError(`cannot read TLS files: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    // Throws on a malformed PEM or a key that does not match the certificate.
    createSecureContext({ cert, key });
    const x509 = new X509Certificate(cert);
    return { cert, key, fingerprint: x509.fingerprint256, notAfter: x509.validTo };
  } catch (err) {
    throw new TlsMaterialError(`TLS certificate/key unusable: ${(err as Error).message}`, { cause: err });
  }
}

interface TlsReloaderEvents {
  reload: [TlsPair];
  reloadError: [TlsMaterialError];
}

export class TlsReloader extends EventEmitter<TlsReloaderEvents> {
  private current: TlsPair;
  private digest: string;
  private watchers: FSWatcher[] = [];
  private poll?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;

  constructor(private readonly options: TlsReloaderOptions) {
    super();
    this.current = readTlsPair(options.certFile, options.keyFile);
    this.digest = TlsReloader.digestOf(this.current);
  }

  get pair(): TlsPair {
    return this.current;
  }

  private static digestOf(pair: { cert: Buffer; key: Buffer }): string {
    return createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
  }

  /** Starts watching; `apply` installs a new pair (e.g. server.setSecureContext). */
  start(apply: (pair: TlsPair) => void): void {
    const dirs = new Set([dirname(this.options.certFile), dirname(this.options.keyFile)]);
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.check(apply), this.options.debounceMs ?? 100);
      this.debounce.unref();
    };
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, schedule);
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // The poll below still notices changes.
      }
    }
    const interval = this.options.pollIntervalMs ?? 30_000;
    if (interval > 0) {
      this.poll = setInterval(() => this.check(apply), interval);
      this.poll.unref();
    }
  }

  /** Re-reads the files; installs them if they changed and form a valid pair. */
  check(apply: (pair: TlsPair) => void): boolean {
    let next: TlsPair;
    try {
      next = readTlsPair(this.options.certFile, this.options.keyFile);
    } catch (err) {
      // Mid-rotation (cert written, key not yet) or a broken Secret: keep serving the old pair.
      this.emit('reloadError', err as TlsMaterialError);
      return false;
    }
    const digest = TlsReloader.digestOf(next);
    if (digest === this.digest) return false;
    apply(next);
    this.current = next;
    this.digest = digest;
    this.emit('reload', next);
    return true;
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearInterval(this.poll);
    clearTimeout(this.debounce);
  }
}
