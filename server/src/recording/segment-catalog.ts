// Turns closed segment files into database rows (hash, times, object key, upload state 'pending')
// and, at start-up, recovers what a crashed run left: recordings still 'live' become
// 'interrupted', and segment files that were never registered (ffmpeg's last, unfinished one
// included, after a -c copy repair) are registered so they are uploaded like the others.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, Repository } from 'typeorm';
import { Logger } from '../logging/logger';
import { resolveInside, segmentKey } from '../storage/object-keys';
import { digestFile } from '../storage/object-store';
import { probeDuration, readSegmentList, repairSegment } from './ffmpeg';
import { RecordingEntity, RecordingTrackEntity, SegmentEntity, type Recording, type RecordingTrack, type Segment } from './entities';

const logger = new Logger('segment-catalog');

export class SegmentCatalog {
  readonly recordings: Repository<Recording>;
  readonly tracks: Repository<RecordingTrack>;
  readonly segments: Repository<Segment>;
  /** Registration is serialised per track key so indexes stay dense and unique. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    db: DataSource,
    readonly stagingDir: string,
    private readonly onRegistered: () => void,
  ) {
    this.recordings = db.getRepository(RecordingEntity);
    this.tracks = db.getRepository(RecordingTrackEntity);
    this.segments = db.getRepository(SegmentEntity);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Registers one closed segment of a track run: `start`/`end` are media seconds since the run's
   * first packet, so wall clock = run.startedAt + media time.
   */
  register(track: RecordingTrack, name: string, start: number, end: number): Promise<Segment | null> {
    return this.serial(async () => {
      const rel = path.join(track.dir, name);
      const file = resolveInside(this.stagingDir, rel);
      if (await this.segments.findOneBy({ trackId: track.id, localPath: rel })) return null;
      const stat = await fs.promises.stat(file).catch(() => null);
      if (!stat || stat.size === 0) {
        await fs.promises.rm(file, { force: true });
        return null;
      }
      const digest = await digestFile(file);
      const last = await this.segments.findOne({ where: { recordingId: track.recordingId, trackKey: track.trackKey }, order: { index: 'DESC' } });
      const index = last ? last.index + 1 : 0;
      const t0 = track.startedAt.getTime();
      const row = await this.segments.save({
        id: crypto.randomUUID(),
        recordingId: track.recordingId,
        trackId: track.id,
        trackKey: track.trackKey,
        index,
        startedAt: new Date(t0 + Math.round(start * 1000)),
        endedAt: new Date(t0 + Math.round(end * 1000)),
        mediaStartMs: Math.round(start * 1000),
        durationMs: Math.max(0, Math.round((end - start) * 1000)),
        sizeBytes: digest.size,
        sha256: digest.sha256,
        objectKey: segmentKey((await this.inspectionOf(track.recordingId))!, track.recordingId, track.trackKey, index),
        localPath: rel,
        uploadState: 'pending' as const,
        attempts: 0,
        lastError: null,
        nextAttemptAt: new Date(),
        uploadedAt: null,
      });
      logger.debug('register() | segment closed', { trackKey: track.trackKey, index, bytes: digest.size, ms: row.durationMs });
      this.onRegistered();
      return row;
    });
  }

  private async inspectionOf(recordingId: string): Promise<string | null> {
    return (await this.recordings.findOneBy({ id: recordingId }))?.inspectionId ?? null;
  }

  /**
   * Registers the files of a run that ffmpeg wrote but nobody registered: first those in ffmpeg's
   * list (complete), then the rest (the segment it was writing when it died), repaired and timed
   * from their packets, placed after the last listed one.
   */
  async registerLeftovers(track: RecordingTrack, alreadyRegistered: ReadonlySet<string> = new Set()): Promise<number> {
    const dir = resolveInside(this.stagingDir, track.dir);
    if (!fs.existsSync(dir)) return 0;
    const listed = readSegmentList(path.join(dir, 'segments.csv'));
    let count = 0;
    let mediaEnd = 0;
    for (const e of listed) {
      if (!(e.end > e.start)) continue; // no media in it (see TrackRecorder.scanList)
      // Registered ones may be uploading right now (their row no longer names the file): skip them.
      if (!alreadyRegistered.has(e.name) && fs.existsSync(path.join(dir, e.name)) && (await this.register(track, e.name, e.start, e.end))) count++;
      mediaEnd = Math.max(mediaEnd, e.end);
    }
    const listedNames = new Set(listed.map((e) => e.name));
    const rest = fs.readdirSync(dir).filter((n) => /^seg-\d{5}\.webm$/.test(n) && !listedNames.has(n) && !alreadyRegistered.has(n)).sort();
    for (const name of rest) {
      const file = path.join(dir, name);
      if (await this.segments.findOneBy({ trackId: track.id, localPath: path.join(track.dir, name) })) continue;
      const duration = (await repairSegment(file)) ? await probeDuration(file) : null;
      if (duration === null || duration <= 0) {
        logger.warn('registerLeftovers() | unreadable leftover kept on disk, not registered', { trackId: track.id, name });
        continue;
      }
      if (await this.register(track, name, mediaEnd, mediaEnd + duration)) count++;
      mediaEnd += duration;
    }
    return count;
  }

  /** At start-up, before any room exists: nothing can be live. */
  async recoverInterrupted(): Promise<{ recordings: number; segments: number }> {
    let segments = 0;
    const open = await this.tracks.findBy({ state: 'recording' });
    for (const track of open) {
      segments += await this.registerLeftovers(track);
      const last = await this.segments.findOne({ where: { trackId: track.id }, order: { endedAt: 'DESC' } });
      await this.tracks.update({ id: track.id }, { state: 'interrupted', endedAt: last?.endedAt ?? track.startedAt });
    }
    const live = await this.recordings.findBy({ state: 'live' });
    for (const rec of live) {
      const last = await this.segments.findOne({ where: { recordingId: rec.id }, order: { endedAt: 'DESC' } });
      await this.recordings.update({ id: rec.id }, { state: 'interrupted', endedAt: last?.endedAt ?? rec.startedAt, endReason: 'server-restart' });
      logger.warn('recoverInterrupted() | live -> interrupted', { recordingId: rec.id, inspectionId: rec.inspectionId });
    }
    return { recordings: live.length, segments };
  }
}
