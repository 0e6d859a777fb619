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
import { In, IsNull, MoreThan } from 'typeorm';
import type { GapCause, MediaSource, Role } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import { digestFile } from '../storage/file-digest';
import { resolveInside, segmentKey } from '../storage/object-keys';
import { probeDuration, readSegmentList, repairSegment } from './ffmpeg';
import {
  RecordingEntity,
  RecordingGapEntity,
  RecordingTrackEntity,
  SegmentEntity,
  type Recording,
  type RecordingGap,
  type RecordingTrack,
  type Segment,
} from './entities';

const logger = new Logger('segment-catalog');

const READS = ['find', 'findBy', 'findOne', 'findOneBy', 'findOneByOrFail', 'count', 'countBy'] as const;

/** The reading half of a repository: the catalog's tables may be read by anyone, written by it only. */
export type RowReader<T extends ObjectLiteral> = Pick<Repository<T>, (typeof READS)[number]>;

function rowReader<T extends ObjectLiteral>(repo: Repository<T>): RowReader<T> {
  return Object.freeze(Object.fromEntries(READS.map((m) => [m, repo[m].bind(repo)]))) as unknown as RowReader<T>;
}

/**
 * The logical track of a participant's source: role, identity (crew link or account, not the
 * participant row, which a rejoin after the grace or a server restart renews) and source. Every
 * run of it, across rejoins and restarts, writes to the one lane.
 */
export function logicalTrackKey(role: Role, identityKey: string, source: MediaSource): string {
  const identity = identityKey.slice(identityKey.indexOf(':') + 1);
  return `${role}-${identity}-${source}`.toLowerCase();
}

/** Which logical track a gap is on (the columns a gap row repeats from its track). */
/** The end reason of a recording the surveyor switched off (continueRecording() may take it up again). */
export const STOPPED_BY_SURVEYOR = 'stopped-by-surveyor';

export type GapTrack = Pick<RecordingTrack, 'recordingId' | 'trackKey' | 'role' | 'displayName' | 'source'>;

/** A track run's row with the inspection it records: segment object keys name the inspection. */
export type CatalogTrack = Readonly<RecordingTrack> & { readonly inspectionId: string };

/** What a new track run is: the producer's participant and media, and where its files go. */
export interface NewTrack {
  id: string;
  recording: Recording;
  /** `identityKey`: `crew:<link>` or `account:<id>`, what the logical track is keyed by. */
  participant: { id: string; role: Role; displayName: string; identityKey: string };
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
  private readonly gapRows: Repository<RecordingGap>;
  readonly gaps: RowReader<RecordingGap>;
  /** Registration is serialised per track key so indexes stay dense and unique. */
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * Segment files turned away instead of registered, since start-up (each also a WARN line):
   * 'empty' (0 bytes, removed), 'unreadable' (kept on disk). /metrics:
   * cloudship_recording_segments_rejected_total{reason}.
   */
  readonly rejected = { empty: 0, unreadable: 0 };

  constructor(
    private readonly db: DataSource,
    readonly stagingDir: string,
    private readonly onRegistered: () => void,
    private readonly log: EvidenceLog,
  ) {
    this.recordingRows = db.getRepository(RecordingEntity);
    this.trackRows = db.getRepository(RecordingTrackEntity);
    this.segmentRows = db.getRepository(SegmentEntity);
    this.gapRows = db.getRepository(RecordingGapEntity);
    this.gaps = rowReader(this.gapRows);
    this.recordings = rowReader(this.recordingRows);
    this.tracks = rowReader(this.trackRows);
    this.segments = rowReader(this.segmentRows);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * The inspection's recording to go on with, if any: one still live (its room came back after a
   * worker restart); one the server's death interrupted (recoverInterrupted); or one the surveyor
   * switched off, now switched on again. The latter two become live again, so that the outage is a
   * gap in one recording rather than a second recording; switched off, every track of it gets a
   * 'recording-off' gap, which its next run closes.
   */
  async continueRecording(inspectionId: string): Promise<Recording | null> {
    const latest = await this.recordingRows.findOne({ where: { inspectionId }, order: { startedAt: 'DESC' } });
    if (!latest) return null;
    if (latest.state === 'live') return latest;
    const resumable =
      (latest.state === 'interrupted' && latest.endReason === 'server-restart') ||
      (latest.state === 'stopped' && latest.endReason === STOPPED_BY_SURVEYOR);
    if (!resumable) return null;
    const affected = await this.db.transaction(async (m) => {
      const r = await m.update(
        RecordingEntity,
        { id: latest.id, state: latest.state, endReason: latest.endReason! },
        { state: 'live', endedAt: null, endReason: null, stoppedBy: null },
      );
      if (r.affected)
        await this.log.append(m, inspectionId, 'recording.on', { recordingId: latest.id, continued: true, after: latest.endReason });
      return r.affected;
    });
    if (!affected) return null;
    if (latest.state === 'stopped') {
      const tracks = await this.trackRows.find({ where: { recordingId: latest.id }, order: { startedAt: 'DESC' } });
      const seen = new Set<string>();
      for (const t of tracks) {
        if (seen.has(t.trackKey)) continue;
        seen.add(t.trackKey);
        const from = (await this.lastMediaEnd(latest.id, t.trackKey)) ?? latest.endedAt ?? t.startedAt;
        await this.openGap(t, 'recording-off', from);
      }
    }
    logger.info(`continueRecording() | ${latest.state} -> live`, { recordingId: latest.id, inspectionId, was: latest.endReason });
    return { ...latest, state: 'live', endedAt: null, endReason: null, stoppedBy: null };
  }

  /** A new live recording of the inspection, started by `by` (null: started with the room). */
  async openRecording(inspectionId: string, by: string | null): Promise<Recording> {
    return this.db.transaction(async (m) => {
      const row = await m.save(RecordingEntity, {
        id: crypto.randomUUID(),
        inspectionId,
        state: 'live' as const,
        startedAt: new Date(),
        endedAt: null,
        startedBy: by,
        stoppedBy: null,
        endReason: null,
      });
      await this.log.append(m, inspectionId, 'recording.on', { recordingId: row.id, by }, { at: row.startedAt });
      return row;
    });
  }

  /**
   * live -> stopped (a recording that is no longer live is left as it is). Gaps still open end
   * with it: a participant who lost the connection and never came back has a gap to the end; one
   * who left, or stopped a source, simply has no more media (no gap).
   */
  async finishRecording(recordingId: string, by: string | null, reason: string): Promise<void> {
    const now = new Date();
    const endReason = reason.slice(0, 64);
    await this.db.transaction(async (m) => {
      const rec = await m.findOneBy(RecordingEntity, { id: recordingId });
      const r = await m.update(
        RecordingEntity,
        { id: recordingId, state: 'live' },
        { state: 'stopped', endedAt: now, stoppedBy: by, endReason },
      );
      if (rec && r.affected)
        await this.log.append(m, rec.inspectionId, 'recording.off', { recordingId, by, reason: endReason }, { at: now });
    });
    await this.closeOpenGaps(recordingId, now);
  }

  /**
   * Opens a gap on a logical track at `from` (the end of its last media), unless one is open on it
   * already (the first cause is the one that stopped the media). The next run of the track closes it.
   */
  async openGap(track: GapTrack, cause: GapCause, from: Date): Promise<void> {
    const open = await this.gapRows.findOneBy({ recordingId: track.recordingId, trackKey: track.trackKey, endedAt: IsNull() });
    if (open) return;
    // The next run may have started before this one finished its bookkeeping (a quick rejoin):
    // then the gap is already over, at that run's start.
    const next = await this.trackRows.findOne({
      where: { recordingId: track.recordingId, trackKey: track.trackKey, startedAt: MoreThan(from) },
      order: { startedAt: 'ASC' },
    });
    await this.saveGap(track, cause, from, next?.startedAt ?? null);
    logger.info(`openGap() | ${track.trackKey}: no media since ${from.toISOString()} (${cause})`, { recordingId: track.recordingId });
  }

  /** A gap already over: media of the track stopped at `from` and came again at `to`, in the same run. */
  async recordGap(track: GapTrack, cause: GapCause, from: Date, to: Date): Promise<void> {
    await this.saveGap(track, cause, from, to);
    logger.info(`recordGap() | ${track.trackKey}: no media ${from.toISOString()} - ${to.toISOString()} (${cause})`, {
      recordingId: track.recordingId,
    });
  }

  /** One recording_gap row of `track`: open while `to` is null. */
  private async saveGap(track: GapTrack, cause: GapCause, from: Date, to: Date | null): Promise<void> {
    await this.gapRows.save({
      id: crypto.randomUUID(),
      recordingId: track.recordingId,
      trackKey: track.trackKey,
      role: track.role,
      displayName: track.displayName.slice(0, 80),
      source: track.source,
      cause,
      startedAt: from,
      endedAt: to,
    });
  }

  /** Media of the track is written again from `at`: its open gap ends there. */
  async closeGap(recordingId: string, trackKey: string, at: Date): Promise<void> {
    await this.gapRows.update({ recordingId, trackKey, endedAt: IsNull() }, { endedAt: at });
  }

  private async closeOpenGaps(recordingId: string, at: Date): Promise<void> {
    // Those two causes mean the media ended by someone's choice: not a gap when nothing followed.
    await this.gapRows.delete({ recordingId, endedAt: IsNull(), cause: In(['participant-left', 'source-stopped']) });
    await this.gapRows.update({ recordingId, endedAt: IsNull() }, { endedAt: at });
  }

  /** When the last media of a logical track ended (its latest segment), if it has any. */
  async lastMediaEnd(recordingId: string, trackKey: string): Promise<Date | null> {
    const last = await this.segmentRows.findOne({ where: { recordingId, trackKey }, order: { endedAt: 'DESC' } });
    return last?.endedAt ?? null;
  }

  /** The row of a track run whose recorder has started: state 'recording' until closeTrack(). */
  async openTrack(t: NewTrack): Promise<CatalogTrack> {
    const row = await this.trackRows.save({
      id: t.id,
      recordingId: t.recording.id,
      trackKey: logicalTrackKey(t.participant.role, t.participant.identityKey, t.source),
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
        // Never dropped silently: logged and counted. An empty file holds no media and goes; one
        // that cannot even be stat'ed is left where it is for someone to look at.
        if (stat) {
          this.rejected.empty++;
          logger.warn('register() | empty segment not registered, file removed', { trackId: track.id, name, sizeBytes: 0 });
          await fs.promises.rm(file, { force: true });
        } else {
          this.rejected.unreadable++;
          logger.warn('register() | unreadable segment not registered, left on disk', { trackId: track.id, name, sizeBytes: null });
        }
        return null;
      }
      const digest = await digestFile(file);
      const last = await this.segmentRows.findOne({
        where: { recordingId: track.recordingId, trackKey: track.trackKey },
        order: { index: 'DESC' },
      });
      const index = last ? last.index + 1 : 0;
      const t0 = track.startedAt.getTime();
      const row = await this.db.transaction(async (m) => {
        const saved = await m.save(SegmentEntity, {
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
        // The hash computed above for the upload is the one sealed: the bytes are read once.
        await this.log.append(m, track.inspectionId, 'segment', {
          segmentId: saved.id,
          recordingId: saved.recordingId,
          track: saved.trackKey,
          index: saved.index,
          startedAt: saved.startedAt,
          endedAt: saved.endedAt,
          file: { sha256: saved.sha256, sizeBytes: saved.sizeBytes, name: path.basename(saved.objectKey), contentType: 'video/webm' },
        });
        return saved;
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
        // Counted, and said with its size. A 0-byte one (ffmpeg died as it opened it) holds nothing
        // and goes, as in register(); any other stays on disk: it may hold media ffmpeg cannot read.
        const sizeBytes = fs.statSync(file, { throwIfNoEntry: false })?.size ?? null;
        if (sizeBytes === 0) {
          this.rejected.empty++;
          logger.warn('registerLeftovers() | empty leftover not registered, file removed', { trackId: track.id, name, sizeBytes });
          fs.rmSync(file, { force: true });
        } else {
          this.rejected.unreadable++;
          logger.warn('registerLeftovers() | unreadable leftover kept on disk, not registered', { trackId: track.id, name, sizeBytes });
        }
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
      // The server died with this track recording: its media stops at the last segment written.
      // The recording goes on when the room is live again (continueRecording), closing the gap.
      const from = (await this.lastMediaEnd(track.recordingId, track.trackKey)) ?? track.startedAt;
      await this.openGap(track, 'server-restart', from);
    }
    const live = await this.recordingRows.findBy({ state: 'live' });
    for (const rec of live) {
      const last = await this.segmentRows.findOne({ where: { recordingId: rec.id }, order: { endedAt: 'DESC' } });
      const endedAt = last?.endedAt ?? rec.startedAt;
      await this.db.transaction(async (m) => {
        await m.update(RecordingEntity, { id: rec.id }, { state: 'interrupted', endedAt, endReason: 'server-restart' });
        await this.log.append(m, rec.inspectionId, 'recording.off', {
          recordingId: rec.id,
          by: null,
          reason: 'server-restart',
          mediaEndedAt: endedAt,
        });
      });
      logger.warn('recoverInterrupted() | live -> interrupted', { recordingId: rec.id, inspectionId: rec.inspectionId });
    }
    return { recordings: live.length, segments };
  }
}
