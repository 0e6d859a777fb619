// The upload queue lives in the database (segment.uploadState / nextAttemptAt), so a restart picks
// up where the last run stopped. A local file is deleted only after the store confirms it holds
// the same bytes (size, ETag = MD5 or multipart ETag, and our SHA-256 in the metadata).
import fs from 'node:fs';
import type { DataSource, Repository } from 'typeorm';
import { In, LessThanOrEqual } from 'typeorm';
import { Logger } from '../logging/logger';
import { resolveInside } from '../storage/object-keys';
import { digestFile, ObjectStore } from '../storage/object-store';
import { SegmentEntity, type Segment } from './entities';

const logger = new Logger('upload-queue');

export interface UploadQueueOptions {
  stagingDir: string;
  /** Backoff doubles from 1 s up to this. */
  retryMaxMs: number;
  concurrency?: number;
}

export class UploadQueue {
  private readonly segments: Repository<Segment>;
  private readonly active = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private closed = false;
  private bucketReady = false;

  constructor(
    db: DataSource,
    private readonly store: ObjectStore,
    private readonly options: UploadQueueOptions,
  ) {
    this.segments = db.getRepository(SegmentEntity);
  }

  /** Uploads interrupted by a crash are simply tried again. */
  async start(): Promise<void> {
    const r = await this.segments.update({ uploadState: 'uploading' }, { uploadState: 'pending' });
    const waiting = await this.segments.count({ where: { uploadState: In(['pending', 'failed']) } });
    if (r.affected || waiting) logger.info('start() | resuming uploads', { interrupted: r.affected ?? 0, waiting });
    this.timer = setInterval(() => this.kick(), 500);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.closed || this.ticking) return;
    this.ticking = true;
    this.tick()
      .catch((e) => logger.error('tick() | queue scan failed', {}, e))
      .finally(() => (this.ticking = false));
  }

  private async tick(): Promise<void> {
    const free = (this.options.concurrency ?? 2) - this.active.size;
    if (free <= 0) return;
    const due = await this.segments.find({
      where: { uploadState: In(['pending', 'failed']), nextAttemptAt: LessThanOrEqual(new Date()) },
      order: { nextAttemptAt: 'ASC', createdAt: 'ASC' },
      take: free + this.active.size,
    });
    for (const seg of due) {
      if (this.closed || this.active.size >= (this.options.concurrency ?? 2) || this.active.has(seg.id)) continue;
      const job = this.upload(seg).finally(() => this.active.delete(seg.id));
      this.active.set(seg.id, job);
    }
  }

  private async upload(seg: Segment): Promise<void> {
    const ctx = { segmentId: seg.id, key: seg.objectKey, attempt: seg.attempts + 1 };
    await this.segments.update({ id: seg.id }, { uploadState: 'uploading' });
    try {
      if (!seg.localPath) throw new Error('no local file');
      const file = resolveInside(this.options.stagingDir, seg.localPath);
      const local = await digestFile(file);
      // The file must still be what was hashed when the segment closed: never upload silently
      // changed bytes under the recorded hash.
      if (local.sha256 !== seg.sha256 || local.size !== seg.sizeBytes) throw new Error('local file differs from its recorded hash');
      if (!this.bucketReady) {
        await this.store.ensureBucket();
        this.bucketReady = true;
      }
      const before = await this.store.head(seg.objectKey);
      if (!before || !ObjectStore.confirms(before, local)) await this.store.putFile(seg.objectKey, file, local, 'video/webm');
      const stored = await this.store.head(seg.objectKey);
      if (!stored || !ObjectStore.confirms(stored, local)) throw new Error(`store did not confirm the upload (size ${stored?.size ?? 'none'})`);
      await this.segments.update(
        { id: seg.id },
        { uploadState: 'uploaded', uploadedAt: new Date(), localPath: null, attempts: seg.attempts + 1, lastError: null },
      );
      await fs.promises.rm(file, { force: true });
      logger.debug('upload() | pending -> uploaded', ctx);
    } catch (e) {
      const attempts = seg.attempts + 1;
      const delay = Math.min(this.options.retryMaxMs, 1000 * 2 ** Math.min(attempts - 1, 20));
      const message = e instanceof Error ? e.message : String(e);
      this.bucketReady = false;
      await this.segments
        .update({ id: seg.id }, { uploadState: 'failed', attempts, lastError: message.slice(0, 300), nextAttemptAt: new Date(Date.now() + delay) })
        .catch((err) => logger.error('upload() | could not record the failure', ctx, err));
      logger.warn(`upload() | uploading -> failed, retry in ${delay} ms`, { ...ctx, error: message.slice(0, 120) });
    }
  }

  /** Resolves when nothing is uploading (the queue may still hold segments waiting for a retry). */
  async idle(): Promise<void> {
    while (this.active.size) await Promise.allSettled([...this.active.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }
}
