/**
 * The current policy and its hot reload. The file lives in a ConfigMap volume, which updates by
 * swapping the `..data` symlink, so the directory is watched (plus a slow poll, because watches
 * can miss events on some volume types). A new revision replaces the snapshot atomically; an
 * invalid or deleted file is refused and the last good snapshot keeps running.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { LeakguardError } from '@leakguard/detectors';
import { PolicyInvalidError, PolicyUnreadableError, type PolicyIssue } from '../errors.js';
import { policyRevision, readPolicyFile } from './policy-loader.js';
import type { PolicySnapshot } from './policy-snapshot.js';

export type ReloadTrigger = 'startup' | 'watch' | 'poll' | 'signal' | 'manual';

/** What one load attempt did; `unchanged` attempts are not reported. */
export interface PolicyLoadEvent {
  result: 'success' | 'error';
  trigger: ReloadTrigger;
  source: string;
  /** The revision now serving traffic (after the attempt), if any. */
  activeRevision: string | undefined;
  /** The revision of the file that was read, when it could be read. */
  fileRevision: string | undefined;
  snapshot?: PolicySnapshot;
  error?: { code: string; message: string; issues?: readonly PolicyIssue[] };
}

export interface PolicyStoreOptions {
  path: string;
  /** Text → snapshot; throws `PolicyInvalidError` when invalid. */
  compile: (text: string, source: string) => PolicySnapshot;
  /** Fallback poll interval in ms (0: no polling). */
  pollIntervalMs: number;
  /** Debounce of directory events in ms: a symlink swap arrives as several events. */
  debounceMs?: number;
  onLoad: (event: PolicyLoadEvent) => void;
}

export class PolicyStore {
  private snapshot: PolicySnapshot | undefined;
  /** Revision of the last file content that was refused, so a poll does not re-report it. */
  private refusedRevision: string | undefined;
  private missingReported = false;
  private watcher: FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: PolicyStoreOptions) {}

  /** The snapshot serving traffic, or `undefined` when no valid policy was ever loaded. */
  get current(): PolicySnapshot | undefined {
    return this.snapshot;
  }

  get ready(): boolean {
    return this.snapshot !== undefined;
  }

  /** Loads the file once and starts watching it. Never throws: an invalid start leaves the store not ready. */
  async start(): Promise<void> {
    await this.reload('startup');
    this.startWatching();
    if (this.options.pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => {
        if (!this.watcher) this.startWatching();
        void this.reload('poll');
      }, this.options.pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  /** Re-reads the file; loads are serialised so two triggers never race. */
  reload(trigger: ReloadTrigger): Promise<void> {
    this.pending = this.pending.then(() => this.loadOnce(trigger));
    return this.pending;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
  }

  private startWatching(): void {
    if (this.closed || this.watcher) return;
    try {
      this.watcher = watch(dirname(this.options.path), { persistent: false }, () => this.scheduleReload());
      this.watcher.on('error', () => {
        // The directory went away: fall back to polling until it is back.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  private scheduleReload(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload('watch'), this.options.debounceMs ?? 50);
    this.debounceTimer.unref();
  }

  private async loadOnce(trigger: ReloadTrigger): Promise<void> {
    if (this.closed) return;
    const { path } = this.options;
    let text: string;
    try {
      text = await readPolicyFile(path);
    } catch (error) {
      if (this.missingReported && trigger !== 'startup') return;
      this.missingReported = true;
      this.report(trigger, undefined, error);
      return;
    }
    this.missingReported = false;
    const revision = policyRevision(text);
    if (revision === this.snapshot?.revision) {
      this.refusedRevision = undefined;
      return;
    }
    if (revision === this.refusedRevision && trigger !== 'startup' && trigger !== 'signal') return;
    let next: PolicySnapshot;
    try {
      next = this.options.compile(text, path);
    } catch (error) {
      this.refusedRevision = revision;
      this.report(trigger, revision, error);
      return;
    }
    this.refusedRevision = undefined;
    this.snapshot = next;
    this.options.onLoad({
      result: 'success',
      trigger,
      source: path,
      activeRevision: next.revision,
      fileRevision: revision,
      snapshot: next,
    });
  }

  private report(trigger: ReloadTrigger, fileRevision: string | undefined, error: unknown): void {
    const described =
      error instanceof PolicyInvalidError
        ? { code: error.code, message: error.message, issues: error.issues }
        : error instanceof PolicyUnreadableError || error instanceof LeakguardError
          ? { code: error.code, message: error.message }
          : { code: 'LG_ERR_POLICY_INVALID', message: `policy ${this.options.path} could not be compiled (${(error as Error).name})` };
    this.options.onLoad({
      result: 'error',
      trigger,
      source: this.options.path,
      activeRevision: this.snapshot?.revision,
      fileRevision,
      error: described,
    });
  }
}
