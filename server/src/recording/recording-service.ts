// Recording of live inspections, attached to rooms through their events (the room itself knows
// nothing about recording). An inspection is recorded from the moment its room goes live unless
// the surveyor switched recording off; every producer gets a TrackRun (one recorder, see
// track-run.ts) while a recording is live. A reconnection brings a new producer, hence a new run of
// the same track whose segments continue the numbering: the outage is a visible gap, never a
// silent loss. This service decides which producers are recorded and when; rows are written by
// the SegmentCatalog.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { Producer } from 'mediasoup/node/lib/types';
import pLimit from 'p-limit';
import type { MediaSource, RecordingStateEvent } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';
import { RecordingConsentEntity, RecordingSettingEntity, type Recording, type RecordingConsent, type RecordingSetting } from './entities';
import type { SegmentCatalog } from './segment-catalog';
import { TrackRun } from './track-run';

const logger = new Logger('recording');

/**
 * At most this many recorders are set up at once. Each set-up spawns an ffmpeg (a few ms of the
 * event loop for the fork, then ffmpeg's own start-up CPU); in a join storm twenty of them at once
 * delayed every signaling answer by hundreds of ms. Queued, they start one after the other within a
 * couple of seconds and signaling stays fast (see README, bench:capacity join storm).
 */
const RECORDER_START_CONCURRENCY = 2;

interface LiveRecording {
  room: Room;
  recording: Recording | null;
  /** The current run of each producer being recorded, by producer id. */
  runs: Map<string, TrackRun>;
}

export interface RecordingServiceOptions {
  segmentSeconds: number;
}

export class RecordingService {
  private readonly live = new Map<string, LiveRecording>();
  /** Per inspection: the tail of its switch operations (see serially()). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly settings: Repository<RecordingSetting>;
  private readonly consents: Repository<RecordingConsent>;
  /** Every run's completion, so close() can wait for the last segments to be registered. */
  private readonly pending = new Set<Promise<void>>();
  /** Shared by every track run: recorder set-ups are queued behind each other. */
  private readonly recorderStarts = pLimit(RECORDER_START_CONCURRENCY);
  private closed = false;

  constructor(
    db: DataSource,
    readonly catalog: SegmentCatalog,
    private readonly options: RecordingServiceOptions,
  ) {
    this.settings = db.getRepository(RecordingSettingEntity);
    this.consents = db.getRepository(RecordingConsentEntity);
  }

  attach(rooms: RoomRegistry): void {
    rooms.on('roomCreated', (room) => this.onRoom(room));
  }

  private onRoom(room: Room): void {
    const entry: LiveRecording = { room, recording: null, runs: new Map() };
    this.live.set(room.inspectionId, entry);
    const ctx = { inspectionId: room.inspectionId };
    room.on('peerJoined', (peer) => {
      void this.serially(room.inspectionId, () => this.ensureRecording(entry, null))
        .then(() => peer.channel.notify('recording.state', this.stateOf(entry)))
        .catch((e) => logger.error('peerJoined | could not start recording', ctx, e));
    });
    room.on('producerAdded', (peer, producer) => {
      if (entry.recording) this.startRun(entry, peer, producer);
    });
    room.on('close', (reason) => {
      if (this.live.get(room.inspectionId) === entry) this.live.delete(room.inspectionId);
      // A room closed for a worker restart comes back when the participants rejoin; the
      // recording goes on in the new room. Any other reason ends it. In the inspection's queue
      // with the switch: a start still opening its recording when the room closed (the end racing
      // a switch) finishes first, and its recording is then ended here instead of staying live.
      const ends = reason !== 'media-server-restarted';
      const done = this.serially(room.inspectionId, async () => {
        await this.stopRuns(entry);
        const recording = entry.recording;
        entry.recording = null;
        if (ends && recording) await this.finish(recording, null, reason);
      });
      this.track(done.catch((e) => logger.error('close | could not end the recording', ctx, e)));
    });
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async isEnabled(inspectionId: string): Promise<boolean> {
    return (await this.settings.findOneBy({ inspectionId }))?.enabled ?? true;
  }

  /** Starts a recording for the room if the switch is on and none is live (or resumes the live one). */
  private async ensureRecording(entry: LiveRecording, by: string | null): Promise<void> {
    if (entry.recording || this.closed || entry.room.closed) return;
    if (!(await this.isEnabled(entry.room.inspectionId))) return;
    if (entry.recording) return; // another join got there during the await
    const existing = await this.catalog.continueRecording(entry.room.inspectionId);
    entry.recording = existing ?? (await this.catalog.openRecording(entry.room.inspectionId, by));
    logger.info(`ensureRecording() | ${existing ? 'continuing' : 'off -> live'}`, {
      inspectionId: entry.room.inspectionId,
      recordingId: entry.recording.id,
    });
    for (const peer of entry.room.peers.values()) for (const producer of peer.producers.values()) this.startRun(entry, peer, producer);
    this.broadcast(entry);
  }

  private startRun(
    entry: LiveRecording,
    peer: Peer,
    producer: Producer<{ source: MediaSource }>,
    spatialLayer: number | null = null,
  ): void {
    const recording = entry.recording;
    if (!recording || entry.runs.has(producer.id) || producer.closed) return;
    const run = new TrackRun({
      catalog: this.catalog,
      recording,
      router: entry.room.router,
      peer,
      producer,
      segmentSeconds: this.options.segmentSeconds,
      startLimit: this.recorderStarts,
      spatialLayer,
    });
    entry.runs.set(producer.id, run);
    run.once('ended', () => {
      if (entry.runs.get(producer.id) === run) entry.runs.delete(producer.id);
    });
    // The run ends itself on a new resolution; the next one starts on the new layer after it.
    run.once('resolutionChange', ({ to }) => void run.done.then(() => this.startRun(entry, peer, producer, to)));
    this.track(run.done);
    void run.start().then(() => {
      // The recording was switched off (or replaced) while this run was starting.
      if (entry.recording !== recording) return run.stop().catch(() => undefined);
    });
  }

  private async stopRuns(entry: LiveRecording): Promise<void> {
    const runs = [...entry.runs.values()];
    await Promise.all(runs.map((r) => r.stop().catch(() => undefined)));
    await Promise.all(runs.map((r) => r.done));
  }

  private async finish(recording: Recording, by: string | null, reason: string): Promise<void> {
    await this.catalog.finishRecording(recording.id, by, reason);
    logger.info('finish() | live -> stopped', { recordingId: recording.id, reason });
  }

  stateOf(entry: LiveRecording | undefined): RecordingStateEvent {
    const rec = entry?.recording ?? null;
    return { recording: rec !== null, enabled: rec !== null, recordingId: rec?.id ?? null, since: rec?.startedAt.toISOString() ?? null };
  }

  async state(inspectionId: string): Promise<RecordingStateEvent> {
    const entry = this.live.get(inspectionId);
    return { ...this.stateOf(entry), enabled: await this.isEnabled(inspectionId) };
  }

  private broadcast(entry: LiveRecording): void {
    entry.room.broadcast('recording.state', this.stateOf(entry));
  }

  private async setEnabled(inspectionId: string, enabled: boolean, by: string | null): Promise<void> {
    await this.settings.save({ inspectionId, enabled, updatedBy: by, updatedAt: new Date() });
  }

  /** The surveyor's switch: on. Starts recording at once when the room is live. */
  async start(inspectionId: string, by: string | null): Promise<RecordingStateEvent> {
    return this.serially(inspectionId, async () => {
      await this.setEnabled(inspectionId, true, by);
      const entry = this.live.get(inspectionId);
      if (entry) await this.ensureRecording(entry, by);
      return this.state(inspectionId);
    });
  }

  /**
   * The switch, the start on join and the stop of one inspection run one after the other: two
   * surveyors (or a double click) switching at once wrote the setting row twice and opened two
   * recordings, answering INTERNAL.
   */
  private serially<T>(inspectionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(inspectionId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(inspectionId, settled);
    void settled.then(() => {
      if (this.queues.get(inspectionId) === settled) this.queues.delete(inspectionId);
    });
    return next;
  }

  /** The surveyor's switch: off. The live recording ends after its last segments are written. */
  async stop(inspectionId: string, by: string | null): Promise<RecordingStateEvent> {
    return this.serially(inspectionId, async () => {
      await this.setEnabled(inspectionId, false, by);
      const entry = this.live.get(inspectionId);
      const recording = entry?.recording;
      if (entry && recording) {
        entry.recording = null;
        this.broadcast(entry);
        await this.stopRuns(entry);
        await this.finish(recording, by, 'stopped-by-surveyor');
      }
      return this.state(inspectionId);
    });
  }

  async recordConsent(c: { inspectionId: string; participantId: string; crewLinkId: string | null; consentedAt: Date }): Promise<void> {
    await this.consents.save({ id: crypto.randomUUID(), ...c, recordedAt: new Date() });
    logger.info('recordConsent() | crew consent stored', { inspectionId: c.inspectionId, participantId: c.participantId });
  }

  /** Waits for every run to finish its bookkeeping (rooms are closed before this). */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.live.values()) this.track(this.stopRuns(entry));
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
