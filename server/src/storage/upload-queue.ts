// The durable upload queue: staged files go to the object store, whichever feature staged them
// (recording segments, evidence stills). The queue itself keeps nothing that matters: each feature's
// table holds its upload state (uploadState / attempts / nextAttemptAt), reached through an
// UploadSource, so a restart picks up where the last run stopped. The queue owns the rules: how
// many uploads at once, the backoff between attempts, and that a local file is deleted only after
// the store confirms it holds the same bytes (size, ETag = MD5 or multipart ETag, and our SHA-256
// in the metadata). It also keeps whether the store takes uploads: while it does not, one upload at
// a time probes it; the first that gets through makes the whole backlog due again at once.
import fs from 'node:fs';
import { Logger } from '../logging/logger';
import { digestFile, storeConfirms, type LocalDigest, type StoredObject } from './file-digest';
import { assertSafeKey, resolveInside } from './object-keys';

const logger = new Logger('upload-queue');

/** One staged file waiting for the store, as its source describes it. */
export interface UploadItem {
  id: string;
  objectKey: string;
  /** The staged file, relative to the source's stagingDir; null if there is none (an error). */
  localPath: string | null;
  /** Size and SHA-256 recorded when the file was staged: the bytes that must reach the store. */
  sizeBytes: number;
  sha256: string;
  contentType: string;
  /** Attempts made so far. */
  attempts: number;
}

/**
 * A table of things to upload (segments, evidence). The queue reads what is due and reports each
 * transition; the source writes it to its own table. Upload states: pending -> uploading ->
 * uploaded, or -> failed (with attempts, lastError, nextAttemptAt) and due again later.
 */
export interface UploadSource {
  /** Names the source in logs and metrics ('segment', 'evidence'). */
  readonly name: string;
  /** Root that the items' localPath is resolved in (never outside it). */
  readonly stagingDir: string;
  /** Pending items and failed ones whose next attempt is due at `now`, soonest first, at most `limit`. */
  due(limit: number, now: Date): Promise<UploadItem[]>;
  markUploading(id: string): Promise<void>;
  /** The store confirmed the bytes: the row forgets its local file (the queue deletes it next). */
  markUploaded(id: string, attempts: number, at: Date): Promise<void>;
  markFailed(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void>;
  /**
   * At start-up, before any upload: items a previous process left 'uploading' (it died or stopped
   * mid-upload) become 'pending' again. Returns how many, and how many are waiting in all.
   */
  resetInterrupted(): Promise<{ interrupted: number; waiting: number }>;
  /**
   * The store is back after failures: failed items waiting out their backoff become due at `now`
   * (attempts kept). Returns how many. A source without it leaves its items on their backoff.
   */
  retryNow?(now: Date): Promise<number>;
}

/** The slice of the object store the queue needs (ObjectStore in object-store.ts). */
export interface UploadTarget {
  ensureBucket(): Promise<void>;
  head(key: string): Promise<StoredObject | null>;
  putFile(key: string, file: string, digest: LocalDigest, contentType: string): Promise<void>;
}

export interface UploadQueueOptions {
  /** Backoff doubles from 1 s up to this. */
  retryMaxMs: number;
  /** Uploads at once, over every source (default 2). */
  concurrency?: number;
  /** How often due items are looked for when nobody kicks the queue (default 500 ms). */
  pollMs?: number;
  /** The clock for due times and backoff (tests). */
  now?: () => number;
}

/** Delay before the next attempt after `attempts` failed ones: 1 s, 2 s, 4 s ... up to `maxMs`. */
export function retryDelayMs(attempts: number, maxMs: number): number {
  return Math.min(maxMs, 1000 * 2 ** Math.min(Math.max(attempts, 1) - 1, 20));
}

export class UploadQueue {
  private readonly sources: UploadSource[] = [];
  /** Running uploads by `<source>:<id>`. */
  private readonly active = new Map<string, { source: UploadSource; job: Promise<void> }>();
  private readonly concurrency: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  /** A kick that came during a scan: scan again right after, so a newly staged file never waits for the poll. */
  private rescan = false;
  /** Which source is looked at first: turns round, so a long backlog of one never starves another. */
  private turn = 0;
  private started = false;
  private closed = false;
  private bucketReady = false;
  /**
   * Whether the last upload that reached the store got through. While it did not, at most one
   * upload (a probe) is in flight and the others wait out their own backoff: a store that is down
   * is not hammered by the whole backlog. A failure that is the item's own (its file changed, the
   * store answered other bytes) says nothing about the store and leaves this as it is.
   */
  private storeHealthy = true;

  constructor(
    private readonly store: UploadTarget,
    private readonly options: UploadQueueOptions,
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.now = options.now ?? Date.now;
  }

  /** Adds a source; on a started queue its interrupted uploads are reset first, as start() does. */
  async addSource(source: UploadSource): Promise<void> {
    if (this.sources.some((s) => s.name === source.name)) throw new Error(`upload source '${source.name}' added twice`);
    if (!this.started) {
      this.sources.push(source);
      return;
    }
    await this.resume(source);
    this.sources.push(source);
    void this.kick();
  }

  /** Uploads interrupted by a crash are simply tried again; then the queue polls. */
  async start(): Promise<void> {
    for (const source of this.sources) await this.resume(source);
    this.started = true;
    this.timer = setInterval(() => void this.kick(), this.options.pollMs ?? 500);
    this.timer.unref();
    void this.kick();
  }

  private async resume(source: UploadSource): Promise<void> {
    const r = await source.resetInterrupted();
    if (r.interrupted || r.waiting) logger.info('start() | resuming uploads', { source: source.name, ...r });
  }

  /**
   * Looks for due items now; resolves when the uploads it could start are started (not done: see
   * idle()). Nothing is uploaded before start(): recovery at start-up comes first.
   */
  kick(): Promise<void> {
    if (!this.started || this.closed) return Promise.resolve();
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.rescan = false;
        await this.scan().catch((e) => logger.error('kick() | queue scan failed', {}, e));
      } while (this.rescan && !this.closed);
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    const n = this.sources.length;
    const first = this.turn++ % Math.max(n, 1);
    for (let i = 0; i < n; i++) {
      const source = this.sources[(first + i) % n]!;
      const free = this.limit() - this.active.size;
      if (free <= 0 || this.closed) return;
      // Items started a moment ago may not be marked 'uploading' yet and come back as due: ask for
      // that many more, and skip them.
      const mine = [...this.active.values()].filter((a) => a.source === source).length;
      const due = await source.due(free + mine, new Date(this.now()));
      for (const item of due) {
        const key = `${source.name}:${item.id}`;
        if (this.closed || this.active.size >= this.limit() || this.active.has(key)) continue;
        const job = this.upload(source, item)
          .catch((e) => logger.error('upload() | failed outside an attempt', { source: source.name, id: item.id }, e))
          .finally(() => {
            this.active.delete(key);
            // A slot is free: fill it now, not at the next poll, so a backlog drains at the store's
            // pace. Not while the store is down: the next probe waits for the poll or a kick.
            if (this.storeHealthy) void this.kick();
          });
        this.active.set(key, { source, job });
      }
    }
  }

  /** Uploads at once: `concurrency`, or one probe while the store does not take uploads. */
  private limit(): number {
    return this.storeHealthy ? this.concurrency : 1;
  }

  private async upload(source: UploadSource, item: UploadItem): Promise<void> {
    const ctx = { source: source.name, id: item.id, key: item.objectKey, attempt: item.attempts + 1 };
    // Set while the store is asked: a failure then is the store's (down, refusing), not the item's.
    let asking = false;
    try {
      await source.markUploading(item.id);
      if (!item.localPath) throw new Error('no local file');
      const file = resolveInside(source.stagingDir, item.localPath);
      const local = await digestFile(file);
      // The file must still be what was hashed when it was staged: never upload silently changed
      // bytes under the recorded hash.
      if (local.sha256 !== item.sha256 || local.size !== item.sizeBytes) throw new Error('local file differs from its recorded hash');
      // A key the store client would refuse is this item's failure too, not the store's.
      assertSafeKey(item.objectKey);
      asking = true;
      if (!this.bucketReady) {
        await this.store.ensureBucket();
        this.bucketReady = true;
      }
      // Already there (an attempt that uploaded but could not record it): not sent again.
      const before = await this.store.head(item.objectKey);
      if (!before || !storeConfirms(before, local)) await this.store.putFile(item.objectKey, file, local, item.contentType);
      const stored = await this.store.head(item.objectKey);
      asking = false;
      if (!stored || !storeConfirms(stored, local)) throw new Error(`store did not confirm the upload (size ${stored?.size ?? 'none'})`);
      if (!this.storeHealthy) await this.storeReturned(ctx);
      await source.markUploaded(item.id, item.attempts + 1, new Date(this.now()));
      // Only now: the row no longer names the file, and the store holds its bytes. A reader that
      // opened it before keeps its descriptor.
      await fs.promises.rm(file, { force: true });
      logger.debug('upload() | pending -> uploaded', ctx);
    } catch (e) {
      const attempts = item.attempts + 1;
      const delay = retryDelayMs(attempts, this.options.retryMaxMs);
      const message = e instanceof Error ? e.message : String(e);
      // Checked again before the next attempt: the store may come back without the bucket.
      this.bucketReady = false;
      if (asking && this.storeHealthy) {
        this.storeHealthy = false;
        logger.warn('upload() | store not answering: one upload at a time until one gets through', ctx);
      }
      await source
        .markFailed(item.id, attempts, message.slice(0, 300), new Date(this.now() + delay))
        .catch((err) => logger.error('upload() | could not record the failure', ctx, err));
      logger.warn(`upload() | uploading -> failed, retry in ${delay} ms`, { ...ctx, error: message.slice(0, 120) });
    }
  }

  /**
   * An upload got through after failures: the store is back. Every item still waiting out its
   * backoff (which grows to retryMaxMs during a long outage) is made due now, so the backlog goes
   * up right away at `concurrency`, each success pulling the next, instead of trickling in as each
   * backoff runs out. The attempts are kept: an item that fails again backs off from where it was.
   */
  private async storeReturned(ctx: Record<string, unknown>): Promise<void> {
    this.storeHealthy = true;
    const now = new Date(this.now());
    let due = 0;
    for (const source of this.sources) {
      if (!source.retryNow) continue;
      due += await source.retryNow(now).catch((e) => {
        logger.error('storeReturned() | could not make failed uploads due', { source: source.name }, e);
        return 0;
      });
    }
    logger.info('storeReturned() | store answering again: waiting uploads due now', { ...ctx, due });
  }

  /**
   * Resolves when nothing is uploading (items may still wait for a retry). While the store takes
   * uploads each one that ends starts the next due one, so this also waits out the due backlog.
   */
  async idle(): Promise<void> {
    while (this.active.size || this.scanning) await Promise.allSettled([this.scanning, ...[...this.active.values()].map((a) => a.job)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }
}
