// The disk guard of a staging directory (the recording's staging/): how much room is left, as
// fs.promises.statfs reports it for an unprivileged writer (f_bavail, what `df` shows as Avail), and
// three states from two thresholds:
//   ok    free >= low-water mark (RECORDING_DISK_LOW_MB)
//   low   free below the low-water mark: a warning, and the guard makes room (see ReclaimPolicy)
//   full  free below the stop mark (RECORDING_DISK_MIN_FREE_MB), no free inode, or the disk cannot
//         even be asked (statfs fails: a failing disk): nothing should be written there
// Leaving a state upwards needs `hysteresisBytes` more than its threshold, so a disk hovering at a
// threshold does not flap (a recorder paused on 'full' would otherwise pause and resume at every
// segment).
//
// It checks on demand (check(): before a recorder run starts, and when a write failed with ENOSPC)
// and by itself, every 5 s while 'ok' and every 1 s otherwise (unref'd timers: it never keeps the
// process alive), so a disk that fills between two runs is noticed, and one that gets room again is
// seen within a second. Every change of state is an event 'change' (state, free bytes, previous
// state) and one log line: ERROR on entering 'full', WARN on entering 'low', INFO back to 'ok'.
import fs from 'node:fs';
import path from 'node:path';
import { SafeEmitter } from '../lib/safe-emitter';
import { Logger } from '../logging/logger';
import { resolveInside } from './object-keys';

const logger = new Logger('disk-space');

const MiB = 1024 * 1024;

export const DISK_STATES = ['ok', 'low', 'full'] as const;
export type DiskState = (typeof DISK_STATES)[number];

/** The fields of fs.StatsFs the guard reads (an injected statfs may leave out the inode counts). */
export type DiskStats = Pick<fs.StatsFs, 'bsize' | 'blocks' | 'bavail'> & Partial<Pick<fs.StatsFs, 'files' | 'ffree'>>;
export type StatFsFunction = (dir: string) => Promise<DiskStats>;

/** What the last check saw. */
export interface DiskStatus {
  state: DiskState;
  /** Bytes an unprivileged writer may still use (f_bavail x f_bsize); 0 when the disk could not be asked. */
  freeBytes: number;
  /** freeBytes over the filesystem's size, 0..1. */
  freeFraction: number;
  totalBytes: number;
  /** When the last check finished (null before the first one). */
  checkedAt: Date | null;
  /** Why the disk could not be asked (statfs failed), else null. */
  error: string | null;
}

/**
 * What the guard may delete to make room below the low-water mark: files the store already holds
 * and nothing reads from the disk any more, and only those. A file still waiting for the store
 * (pending, uploading, failed) is never deleted, whatever uploadedFiles() listed: isPending() is
 * asked again right before each deletion.
 */
export interface ReclaimPolicy {
  /** Files under the guarded directory (relative to it) whose bytes the store has confirmed. */
  uploadedFiles(): Promise<string[]>;
  /** True while the file still waits for the store: it is kept. */
  isPending(relPath: string): Promise<boolean>;
}

export interface DiskGuardOptions {
  /** The directory watched (its filesystem, really). */
  dir: string;
  /** Low-water mark: below it the state is 'low'. */
  lowBytes: number;
  /** Stop mark: below it the state is 'full'. At most lowBytes. */
  minFreeBytes: number;
  /** Extra room needed to leave a state upwards; default a tenth of minFreeBytes, at most 32 MiB. */
  hysteresisBytes?: number;
  /** Fewer free inodes than this (on filesystems that count them) is 'full' too; default 64. */
  minFreeInodes?: number;
  /** Periodic checks: every okIntervalMs while 'ok' (default 5000), every alertIntervalMs otherwise (default 1000). */
  okIntervalMs?: number;
  alertIntervalMs?: number;
  /** What may be deleted below the low-water mark; none: nothing is ever deleted. */
  reclaim?: ReclaimPolicy;
  /** At most this many deletions per check (default 500). */
  maxDeletionsPerCheck?: number;
  /** fs.promises.statfs unless given (tests simulate a full disk with it). */
  statfs?: StatFsFunction;
}

export interface DiskGuardEvents extends Record<string, unknown[]> {
  /** The state changed (not sent for a check that finds the same state). */
  change: [state: DiskState, freeBytes: number, previous: DiskState];
}

export class DiskGuard extends SafeEmitter<DiskGuardEvents> {
  readonly dir: string;
  readonly lowBytes: number;
  readonly minFreeBytes: number;
  readonly hysteresisBytes: number;
  private readonly minFreeInodes: number;
  private readonly okIntervalMs: number;
  private readonly alertIntervalMs: number;
  private readonly maxDeletions: number;
  private readonly statfsFn: StatFsFunction;
  private current: DiskStatus = { state: 'ok', freeBytes: 0, freeFraction: 0, totalBytes: 0, checkedAt: null, error: null };
  private running: Promise<DiskState> | null = null;
  private queued: Promise<DiskState> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: DiskGuardOptions) {
    super(logger);
    const { lowBytes, minFreeBytes } = options;
    if (!(Number.isFinite(minFreeBytes) && minFreeBytes >= 0)) throw new RangeError('minFreeBytes must be a number >= 0');
    if (!(Number.isFinite(lowBytes) && lowBytes >= minFreeBytes)) throw new RangeError('lowBytes must be a number >= minFreeBytes');
    this.dir = path.resolve(options.dir);
    this.lowBytes = lowBytes;
    this.minFreeBytes = minFreeBytes;
    this.hysteresisBytes = Math.max(0, options.hysteresisBytes ?? Math.min(32 * MiB, Math.floor(minFreeBytes / 10)));
    this.minFreeInodes = options.minFreeInodes ?? 64;
    this.okIntervalMs = options.okIntervalMs ?? 5000;
    this.alertIntervalMs = options.alertIntervalMs ?? 1000;
    this.maxDeletions = options.maxDeletionsPerCheck ?? 500;
    this.statfsFn = options.statfs ?? ((dir) => fs.promises.statfs(dir));
  }

  /** The state the last check found ('ok' before the first one). */
  get state(): DiskState {
    return this.current.state;
  }

  get freeBytes(): number {
    return this.current.freeBytes;
  }

  get status(): Readonly<DiskStatus> {
    return { ...this.current };
  }

  /** The first check; the periodic checks run from then on, until close(). */
  start(): Promise<DiskState> {
    return this.check();
  }

  /**
   * Asks the disk now (making room first when below the low-water mark) and resolves with the
   * state. Never rejects: a disk that cannot be asked is 'full'. A call while a check runs gets a
   * fresh check right after it (shared by every caller that came meanwhile), never the answer of a
   * statfs made before the caller's reason to ask (an ENOSPC) happened.
   */
  check(): Promise<DiskState> {
    if (this.closed) return Promise.resolve(this.current.state);
    if (!this.running) {
      this.running = this.measure().finally(() => (this.running = null));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.check();
    });
    return this.queued;
  }

  /** Stops the periodic checks; waits for a check that is running. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async measure(): Promise<DiskState> {
    const previous = this.current.state;
    let seen = await this.stat(previous);
    if (seen.state !== 'ok' && this.options.reclaim && !seen.error) {
      const freed = await this.reclaim(this.options.reclaim, seen.freeBytes).catch((e: unknown) => {
        logger.error('reclaim() | failed', { dir: this.dir }, e);
        return 0;
      });
      if (freed) seen = await this.stat(previous);
    }
    this.current = seen;
    const state = this.current.state;
    if (state !== previous) this.transition(previous, state);
    this.schedule();
    return state;
  }

  /** One statfs, classified; a failure is 'full' (the directory is recreated once if it is gone). */
  private async stat(previous: DiskState): Promise<DiskStatus> {
    let s: DiskStats;
    try {
      s = await this.statfsFn(this.dir).catch(async (e: NodeJS.ErrnoException) => {
        if (e?.code !== 'ENOENT') throw e;
        await fs.promises.mkdir(this.dir, { recursive: true });
        return this.statfsFn(this.dir);
      });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // Entering 'full' is logged by transition(); a new failure of a disk already 'full' here.
      if (previous === 'full' && this.current.error !== error)
        logger.error('check() | the staging disk cannot be asked for its free space', { dir: this.dir }, e);
      return { state: 'full', freeBytes: 0, freeFraction: 0, totalBytes: 0, checkedAt: new Date(), error };
    }
    const freeBytes = Math.max(0, s.bavail * s.bsize);
    const totalBytes = Math.max(0, s.blocks * s.bsize);
    const noInodes = s.files !== undefined && s.ffree !== undefined && s.files > 0 && s.ffree < this.minFreeInodes;
    return {
      state: noInodes ? 'full' : this.classify(freeBytes, previous),
      freeBytes,
      freeFraction: totalBytes > 0 ? Math.min(1, freeBytes / totalBytes) : 0,
      totalBytes,
      checkedAt: new Date(),
      error: null,
    };
  }

  /** The state for `free` bytes, coming from `previous`: leaving a state upwards needs the hysteresis too. */
  classify(free: number, previous: DiskState = 'ok'): DiskState {
    const h = this.hysteresisBytes;
    if (free < this.minFreeBytes || (previous === 'full' && free < this.minFreeBytes + h)) return 'full';
    if (free < this.lowBytes || (previous !== 'ok' && free < this.lowBytes + h)) return 'low';
    return 'ok';
  }

  /**
   * Deletes the oldest of the files the policy lists as uploaded until the low-water mark (plus the
   * hysteresis) is reached; a file the policy says is pending is kept. Returns how many were deleted.
   */
  private async reclaim(policy: ReclaimPolicy, free: number): Promise<number> {
    const target = this.lowBytes + this.hysteresisBytes;
    const listed = await policy.uploadedFiles();
    if (!listed.length) return 0;
    const files: Array<{ rel: string; file: string; mtimeMs: number }> = [];
    for (const rel of listed) {
      let file: string;
      try {
        file = resolveInside(this.dir, rel);
      } catch {
        logger.warn('reclaim() | a listed file is outside the staging directory: kept', { rel: rel.slice(0, 200) });
        continue;
      }
      const st = await fs.promises.stat(file).catch(() => null);
      if (st?.isFile()) files.push({ rel, file, mtimeMs: st.mtimeMs });
    }
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    let deleted = 0;
    let freeNow = free;
    for (const f of files) {
      if (freeNow >= target || deleted >= this.maxDeletions || this.closed) break;
      if (await policy.isPending(f.rel)) {
        logger.warn('reclaim() | listed as uploaded but still pending: kept', { rel: f.rel });
        continue;
      }
      try {
        await fs.promises.rm(f.file);
        deleted++;
      } catch (e) {
        logger.warn('reclaim() | could not delete an uploaded file', { rel: f.rel }, e);
        continue;
      }
      const s = await this.statfsFn(this.dir).catch(() => null);
      if (s) freeNow = s.bavail * s.bsize;
    }
    if (deleted) logger.info('reclaim() | deleted uploaded files to make room', { dir: this.dir, deleted, freeBytes: freeNow });
    return deleted;
  }

  private transition(from: DiskState, to: DiskState): void {
    const ctx = {
      dir: this.dir,
      freeBytes: this.current.freeBytes,
      freeMb: Math.floor(this.current.freeBytes / MiB),
      lowMb: Math.floor(this.lowBytes / MiB),
      minFreeMb: Math.floor(this.minFreeBytes / MiB),
      error: this.current.error,
    };
    if (to === 'full') logger.error(`check() | ${from} -> full: the staging disk is full, recordings cannot be written`, ctx);
    else if (to === 'low') logger.warn(`check() | ${from} -> low: the staging disk is below its low-water mark`, ctx);
    else logger.info(`check() | ${from} -> ok: the staging disk has room again`, ctx);
    this.safeEmit('change', to, this.current.freeBytes, from);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    this.timer = setTimeout(() => void this.check(), this.current.state === 'ok' ? this.okIntervalMs : this.alertIntervalMs);
    this.timer.unref();
  }
}
