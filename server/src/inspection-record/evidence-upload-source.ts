// The inspection record's side of the upload queue (storage/upload-queue.ts): evidence stills
// staged under DATA_DIR by ObjectEvidenceStore are its items, and their upload state lives in the
// evidence table (uploadState, attempts, lastError, nextAttemptAt, localPath, uploadedAt).
import fs from 'node:fs';
import type { DataSource, Repository } from 'typeorm';
import { In, IsNull, LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { Logger } from '../logging/logger';
import { resolveInside } from '../storage/object-keys';
import type { UploadItem, UploadSource } from '../storage/upload-queue';
import { EvidenceEntity, type Evidence } from './entities';

const logger = new Logger('evidence-upload');

export class EvidenceUploadSource implements UploadSource {
  readonly name = 'evidence';
  private readonly evidence: Repository<Evidence>;

  constructor(
    db: DataSource,
    /** DATA_DIR: evidence.localPath (the storage key) is relative to it. */
    readonly stagingDir: string,
  ) {
    this.evidence = db.getRepository(EvidenceEntity);
  }

  async due(limit: number, now: Date): Promise<UploadItem[]> {
    const rows = await this.evidence.find({
      where: { uploadState: In(['pending', 'failed']), nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC', createdAt: 'ASC' },
      take: limit,
    });
    // A photo row always has a key, a type, a size and a hash (EvidenceService.upload).
    return rows.map((e) => ({
      id: e.id,
      objectKey: e.storageKey!,
      localPath: e.localPath,
      sizeBytes: e.sizeBytes ?? -1,
      sha256: e.sha256 ?? '',
      contentType: e.contentType ?? 'application/octet-stream',
      attempts: e.attempts,
    }));
  }

  async markUploading(id: string): Promise<void> {
    await this.evidence.update({ id }, { uploadState: 'uploading' });
  }

  async markUploaded(id: string, attempts: number, at: Date): Promise<void> {
    await this.evidence.update({ id }, { uploadState: 'uploaded', uploadedAt: at, localPath: null, attempts, lastError: null });
  }

  async markFailed(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.evidence.update({ id }, { uploadState: 'failed', attempts, lastError: error.slice(0, 300), nextAttemptAt });
  }

  /** The store is back (UploadQueue): failed stills waiting out their backoff are due at `now`, attempts kept. */
  async retryNow(now: Date): Promise<number> {
    const r = await this.evidence.update({ uploadState: 'failed', nextAttemptAt: MoreThan(now) }, { nextAttemptAt: now });
    return r.affected ?? 0;
  }

  /** Also gives stills from before the queue their state (see migration 1764500000000-evidence-upload). */
  async resetInterrupted(): Promise<{ interrupted: number; waiting: number }> {
    const r = await this.evidence.update({ uploadState: 'uploading' }, { uploadState: 'pending' });
    const unknown = await this.evidence.findBy({ uploadState: IsNull(), storageKey: Not(IsNull()) });
    for (const e of unknown) {
      // Before the queue, a staged still was deleted only once the store had confirmed it: one
      // still on disk is not uploaded yet, one that is gone is in the store.
      const staged = fs.existsSync(resolveInside(this.stagingDir, e.storageKey!));
      await this.evidence.update(
        { id: e.id },
        staged
          ? { uploadState: 'pending', localPath: e.storageKey, nextAttemptAt: new Date() }
          : { uploadState: 'uploaded', localPath: null },
      );
    }
    if (unknown.length) logger.info('resetInterrupted() | stills from before the upload queue classified', { count: unknown.length });
    const waiting = await this.evidence.count({ where: { uploadState: In(['pending', 'failed']) } });
    return { interrupted: r.affected ?? 0, waiting };
  }
}
