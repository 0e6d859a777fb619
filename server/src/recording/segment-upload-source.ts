// The recording's side of the upload queue (storage/upload-queue.ts): segment rows are its items,
// and their upload state lives in the segment table (uploadState, attempts, lastError,
// nextAttemptAt, localPath), which is what the replay API and the storage view show.
import type { DataSource, Repository } from 'typeorm';
import { In, LessThanOrEqual, MoreThan } from 'typeorm';
import type { UploadItem, UploadSource } from '../storage/upload-queue';
import { SegmentEntity, type Segment } from './entities';

export class SegmentUploadSource implements UploadSource {
  readonly name = 'segment';
  private readonly segments: Repository<Segment>;

  constructor(
    db: DataSource,
    /** The recordings' staging root: segment.localPath is relative to it. */
    readonly stagingDir: string,
  ) {
    this.segments = db.getRepository(SegmentEntity);
  }

  async due(limit: number, now: Date): Promise<UploadItem[]> {
    const rows = await this.segments.find({
      where: { uploadState: In(['pending', 'failed']), nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC', createdAt: 'ASC' },
      take: limit,
    });
    return rows.map((s) => ({
      id: s.id,
      objectKey: s.objectKey,
      localPath: s.localPath,
      sizeBytes: s.sizeBytes,
      sha256: s.sha256,
      contentType: 'video/webm',
      attempts: s.attempts,
    }));
  }

  async markUploading(id: string): Promise<void> {
    await this.segments.update({ id }, { uploadState: 'uploading' });
  }

  async markUploaded(id: string, attempts: number, at: Date): Promise<void> {
    await this.segments.update({ id }, { uploadState: 'uploaded', uploadedAt: at, localPath: null, attempts, lastError: null });
  }

  async markFailed(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.segments.update({ id }, { uploadState: 'failed', attempts, lastError: error.slice(0, 300), nextAttemptAt });
  }

  /** The store is back (UploadQueue): failed segments waiting out their backoff are due at `now`, attempts kept. */
  async retryNow(now: Date): Promise<number> {
    const r = await this.segments.update({ uploadState: 'failed', nextAttemptAt: MoreThan(now) }, { nextAttemptAt: now });
    return r.affected ?? 0;
  }

  async resetInterrupted(): Promise<{ interrupted: number; waiting: number }> {
    const r = await this.segments.update({ uploadState: 'uploading' }, { uploadState: 'pending' });
    const waiting = await this.segments.count({ where: { uploadState: In(['pending', 'failed']) } });
    return { interrupted: r.affected ?? 0, waiting };
  }
}
