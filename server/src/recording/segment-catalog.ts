// The only writer of the recording rows (recording, recording_track, segment); the upload queue's
// segment source updates only the segments' upload state. It opens and finishes recordings, opens
// and closes track runs, turns closed segment files into rows (hash, times, object key, upload
// state 'pending') and, at start-up, recovers what a crashed run left: recordings still 'live'
// become 'interrupted', and segment files that were never registered (ffmpeg's last, unfinished
// one included, after a -c copy repair) are registered so they are uploaded like the others.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, ObjectLiteral, Repository } from 'typeorm';
import { In } from 'typeorm';
import type { MediaSource, Role } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { digestFile } from '../storage/file-digest';
import { resolveInside, segmentKey } from '../storage/object-keys';
import { probeDuration, readSegmentList, repairSegment } from './ffmpeg';
import { RecordingEntity, RecordingTrackEntity, SegmentEntity, type Recording, type RecordingTrack, type Segment } from './entities';

const logger = new Logger('segment-catalog');

const READS = ['find', 'findBy', 'findOne', 'findOneBy', 'findOneByOrFail', 'count', 'countBy'] as const;

/** The reading half of a repository: the catalog's tables may be read by anyone, written by it only. */
export type RowReader<T extends ObjectLiteral> = Pick<Repository<T>, (typeof READS)[number]>;

function rowReader<T extends ObjectLiteral>(repo: Repository<T>): RowReader<T> {
  return Object.freeze(Object.fromEntries(READS.map((m) => [m, repo[m].bind(repo)]))) as unknown as RowReader<T>;
}

/** A track run's row with the inspection it records: segment object keys name the inspection. */
export type CatalogTrack = Readonly<RecordingTrack> & { readonly inspectionId: string };

/** What a new track run is: the producer's participant and media, and where its files go. */
export interface NewTrack {
  id: string;
  recording: Recording;
  participant: { id: string; role: Role; displayName: string };
  kind: 'audio' | 'video';
  source: MediaSource;
  codec: string;
  /** Wall clock of the run's media time 0. */
  startedAt: Date;
  /** Relative to the staging root. */
  dir: string;
}

export class SegmentCatalog {
  readonly recordings: RowReader<Recording>;
  readonly tracks: RowReader<RecordingTrack>;
  readonly segments: RowReader<Segment>;
  private readonly recordingRows: Repository<Recording>;
  private readonly trackRows: Repository<RecordingTrack>;
  private readonly segmentRows: Repository<Segment>;
  /** Registration is serialised per track key so indexes stay dense and unique. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    db: DataSource,
    readonly stagingDir: string,
    private readonly onRegistered: () => void,
  ) {
    this.recordingRows = db.getRepository(RecordingEntity);
    this.trackRows = db.getRepository(RecordingTrackEntity);
    this.segmentRows = db.getRepository(SegmentEntity);
    this.recordings = rowReader(this.recordingRows);
    this.tracks = rowReader(this.trackRows);
    this.segments = rowReader(this.segmentRows);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The inspection's recording that is still live (its room came back after a worker restart), if any. */
  async continueRecording(inspectionId: string): Promise<Recording | null> {
    return this.recordingRows.findOneBy({ inspectionId, state: 'live' });
  }

  /** A new live recording of the inspection, started by `by` (null: started with the room). */
  async openRecording(inspectionId: string, by: string | null): Promise<Recording> {
    return this.recordingRows.save({
      id: crypto.randomUUID(),
      inspectionId,
      state: 'live' as const,
      startedAt: new Date(),
      endedAt: null,
      startedBy: by,
      stoppedBy: null,
      endReason: null,
    });
  }

  /** live -> stopped (a recording that is no longer live is left as it is). */
  async finishRecording(recordingId: string, by: string | null, reason: string): Promise<void> {
    await this.recordingRows.update(
      { id: recordingId, state: 'live' },
      { state: 'stopped', endedAt: new Date(), stoppedBy: by, endReason: reason.slice(0, 64) },
    );
  }

  /** The row of a track run whose recorder has started: state 'recording' until closeTrack(). */
  async openTrack(t: NewTrack): Promise<CatalogTrack> {
    const row = await this.trackRows.save({
      id: t.id,
      recordingId: t.recording.id,
      trackKey: `${t.participant.role}-${t.participant.id}-${t.source}`.toLowerCase(),
      participantId: t.participant.id,
      role: t.participant.role,
      displayName: t.participant.displayName.slice(0, 80),
      kind: t.kind,
      source: t.source,
      codec: t.codec,
      startedAt: t.startedAt,
      endedAt: null,
      dir: t.dir,
      state: 'recording' as const,
    });
    return { ...row, inspectionId: t.recording.inspectionId };
  }

  /** The run is over and its segments registered: it ends with its last segment. */
  async closeTrack(track: CatalogTrack): Promise<void> {
    await this.endTrack(track, 'closed', new Date());
  }

  private async endTrack(track: Readonly<RecordingTrack>, state: 'closed' | 'interrupted', fallback: Date): Promise<void> {
    const last = await this.segmentRows.findOne({ where: { trackId: track.id }, order: { endedAt: 'DESC' } });
    await this.trackRows.update({ id: track.id }, { state, endedAt: last?.endedAt ?? fallback });
  }

  /**
   * Registers one closed segment of a track run: `start`/`end` are media seconds since the run's
   * first packet, so wall clock = run.startedAt + media time.
   */
  register(track: CatalogTrack, name: string, start: number, end: number): Promise<Segment | null> {
    return this.serial(async () => {
      const rel = path.join(track.dir, name);
      const file = resolveInside(this.stagingDir, rel);
      if (await this.segmentRows.findOneBy({ trackId: track.id, localPath: rel })) return null;
      const stat = await fs.promises.stat(file).catch(() => null);
      if (!stat || stat.size === 0) {
        await fs.promises.rm(file, { force: true });
        return null;
      }
      const digest = await digestFile(file);
      const last = await this.segmentRows.findOne({
        where: { recordingId: track.recordingId, trackKey: track.trackKey },
        order: { index: 'DESC' },
      });
      const index = last ? last.index + 1 : 0;
      const t0 = track.startedAt.getTime();
      const row = await this.segmentRows.save({
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
        objectKey: segmentKey(track.inspectionId, track.recordingId, track.trackKey, index),
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

  /**
   * Registers the files of a run that ffmpeg wrote but nobody registered: first those in ffmpeg's
   * list (complete), then the rest (the segment it was writing when it died), repaired and timed
   * from their packets, placed after the last listed one.
   */
  async registerLeftovers(track: CatalogTrack, alreadyRegistered: ReadonlySet<string> = new Set()): Promise<number> {
    const dir = resolveInside(this.stagingDir, track.dir);
    if (!fs.existsSync(dir)) return 0;
    const listed = readSegmentList(path.join(dir, 'segments.csv'));
    let count = 0;
    let mediaEnd = 0;
    for (const e of listed) {
      if (!(e.end > e.start)) continue; // no media in it (see TrackRecorder.scanList)
      // Registered ones may be uploading right now (their row no longer names the file): skip them.
      if (!alreadyRegistered.has(e.name) && fs.existsSync(path.join(dir, e.name)) && (await this.register(track, e.name, e.start, e.end)))
        count++;
      mediaEnd = Math.max(mediaEnd, e.end);
    }
    const listedNames = new Set(listed.map((e) => e.name));
    const rest = fs
      .readdirSync(dir)
      .filter((n) => /^seg-\d{5}\.webm$/.test(n) && !listedNames.has(n) && !alreadyRegistered.has(n))
      .sort();
    for (const name of rest) {
      const file = path.join(dir, name);
      if (await this.segmentRows.findOneBy({ trackId: track.id, localPath: path.join(track.dir, name) })) continue;
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
    const open = await this.trackRows.findBy({ state: 'recording' });
    const ofTrack = new Map(
      open.length
        ? (await this.recordingRows.findBy({ id: In([...new Set(open.map((t) => t.recordingId))]) })).map((r) => [r.id, r.inspectionId])
        : [],
    );
    for (const track of open) {
      const inspectionId = ofTrack.get(track.recordingId);
      if (inspectionId) segments += await this.registerLeftovers({ ...track, inspectionId });
      await this.endTrack(track, 'interrupted', track.startedAt);
    }
    const live = await this.recordingRows.findBy({ state: 'live' });
    for (const rec of live) {
      const last = await this.segmentRows.findOne({ where: { recordingId: rec.id }, order: { endedAt: 'DESC' } });
      await this.recordingRows.update(
        { id: rec.id },
        { state: 'interrupted', endedAt: last?.endedAt ?? rec.startedAt, endReason: 'server-restart' },
      );
      logger.warn('recoverInterrupted() | live -> interrupted', { recordingId: rec.id, inspectionId: rec.inspectionId });
    }
    return { recordings: live.length, segments };
  }
}
