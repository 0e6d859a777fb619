// Recording of live inspections, attached to rooms through their events (the room itself knows
// nothing about recording). An inspection is recorded from the moment its room goes live unless
// the surveyor switched recording off; every producer gets a TrackRecorder while a recording is
// live. A reconnection brings a new producer, hence a new run of the same track whose segments
// continue the numbering: the outage is a visible gap, never a silent loss.
import crypto from 'node:crypto';
import path from 'node:path';
import type { DataSource, Repository } from 'typeorm';
import type { Producer } from 'mediasoup/node/lib/types';
import type { MediaSource, RecordingStateEvent } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';
import { RecordingConsentEntity, RecordingSettingEntity, type Recording, type RecordingConsent, type RecordingSetting, type RecordingTrack } from './entities';
import { SegmentCatalog } from './segment-catalog';
import { TrackRecorder } from './track-recorder';

const logger = new Logger('recording');

interface LiveRecording {
  room: Room;
  recording: Recording | null;
  runs: Map<string, { recorder: TrackRecorder; track: RecordingTrack | null; done: Promise<void> }>;
}

export interface RecordingServiceOptions {
  segmentSeconds: number;
}

export class RecordingService {
  private readonly live = new Map<string, LiveRecording>();
  private readonly settings: Repository<RecordingSetting>;
  private readonly consents: Repository<RecordingConsent>;
  /** Every run's completion, so close() can wait for the last segments to be registered. */
  private readonly pending = new Set<Promise<void>>();
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
      void this.ensureRecording(entry, null)
        .then(() => peer.channel.notify('recording.state', this.stateOf(entry)))
        .catch((e) => logger.error('peerJoined | could not start recording', ctx, e));
    });
    room.on('producerAdded', (peer, producer) => {
      if (entry.recording) this.startRun(entry, peer, producer as Producer<{ source: MediaSource }>);
    });
    room.on('close', (reason) => {
      if (this.live.get(room.inspectionId) === entry) this.live.delete(room.inspectionId);
      // A room closed for a worker restart comes back when the participants rejoin; the
      // recording goes on in the new room. Any other reason ends it.
      const ends = reason !== 'media-server-restarted';
      const done = this.stopRuns(entry).then(() => (ends && entry.recording ? this.finish(entry.recording, null, reason) : undefined));
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
    const existing = await this.catalog.recordings.findOneBy({ inspectionId: entry.room.inspectionId, state: 'live' });
    entry.recording =
      existing ??
      (await this.catalog.recordings.save({
        id: crypto.randomUUID(),
        inspectionId: entry.room.inspectionId,
        state: 'live' as const,
        startedAt: new Date(),
        endedAt: null,
        startedBy: by,
        stoppedBy: null,
        endReason: null,
      }));
    logger.info(`ensureRecording() | ${existing ? 'continuing' : 'off -> live'}`, { inspectionId: entry.room.inspectionId, recordingId: entry.recording.id });
    for (const peer of entry.room.peers.values()) for (const producer of peer.producers.values()) this.startRun(entry, peer, producer);
    this.broadcast(entry);
  }

  private startRun(entry: LiveRecording, peer: Peer, producer: Producer<{ source: MediaSource }>, spatialLayer: number | null = null): void {
    const recording = entry.recording;
    if (!recording || entry.runs.has(producer.id) || producer.closed) return;
    const runId = crypto.randomUUID();
    const dir = path.join(recording.id, runId);
    const recorder = new TrackRecorder(path.join(this.catalog.stagingDir, dir), entry.room.router, producer, this.options.segmentSeconds, spatialLayer);
    const run = { recorder, track: null as RecordingTrack | null, done: Promise.resolve() };
    entry.runs.set(producer.id, run);
    const ctx = { inspectionId: entry.room.inspectionId, participantId: peer.id, source: producer.appData.source };
    const registrations: Promise<unknown>[] = [];
    recorder.on('segment', (s) => {
      if (run.track) registrations.push(this.catalog.register(run.track, s.name, s.start, s.end).catch((e) => logger.error('segment | could not register', ctx, e)));
    });
    run.done = new Promise<void>((resolve) => {
      recorder.once('ended', ({ error }) => {
        void (async () => {
          if (run.track) {
            // Files ffmpeg wrote but never listed (it died) are registered too.
            await Promise.all(registrations);
            await this.catalog.registerLeftovers(run.track, recorder.reported).catch((e) => logger.error('ended | leftovers', ctx, e));
            const last = await this.catalog.segments.findOne({ where: { trackId: run.track.id }, order: { endedAt: 'DESC' } });
            await this.catalog.tracks.update({ id: run.track.id }, { state: 'closed', endedAt: last?.endedAt ?? new Date() });
          }
          if (error) logger.warn('ended | track recorder failed', { ...ctx }, new Error(error));
          if (entry.runs.get(producer.id) === run) entry.runs.delete(producer.id);
        })()
          .catch((e) => logger.error('ended | bookkeeping failed', ctx, e))
          .finally(resolve);
      });
    });
    this.track(run.done);
    // Producer gone (left, reconnecting on a new transport, closed): this run ends here.
    producer.observer.once('close', () => void recorder.stop());
    // A new resolution: end this run and start the next, so each segment has one resolution.
    recorder.once('resolutionChange', ({ from, to }) => {
      logger.info(`resolutionChange | layer ${from} -> ${to}, new segment`, ctx);
      void recorder
        .stop()
        .then(() => run.done)
        .then(() => this.startRun(entry, peer, producer, to));
    });
    const started = (async () => {
      await recorder.start();
      run.track = await this.catalog.tracks.save({
        id: runId,
        recordingId: recording.id,
        trackKey: `${peer.role}-${peer.id}-${producer.appData.source}`.toLowerCase(),
        participantId: peer.id,
        role: peer.role,
        displayName: peer.displayName.slice(0, 80),
        kind: producer.kind,
        source: producer.appData.source,
        codec: producer.rtpParameters.codecs[0]!.mimeType,
        startedAt: recorder.startedAt,
        endedAt: null,
        dir,
        state: 'recording' as const,
      });
      if (producer.closed || entry.recording !== recording) await recorder.stop();
    })();
    started.catch(async (e) => {
      // A track that ends while its recorder is still being set up (the participant left, the
      // recording or the server is closing) is not a failure: there is nothing to record.
      if (recorder.stopped || producer.closed) logger.debug(`startRun() | track ended before its recorder started (${String(e)})`, ctx);
      else logger.error('startRun() | could not start the track recorder', ctx, e);
      await recorder.stop().catch(() => undefined);
    });
  }

  private async stopRuns(entry: LiveRecording): Promise<void> {
    const runs = [...entry.runs.values()];
    await Promise.all(runs.map((r) => r.recorder.stop().catch(() => undefined)));
    await Promise.all(runs.map((r) => r.done));
  }

  private async finish(recording: Recording, by: string | null, reason: string): Promise<void> {
    await this.catalog.recordings.update({ id: recording.id, state: 'live' }, { state: 'stopped', endedAt: new Date(), stoppedBy: by, endReason: reason.slice(0, 64) });
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
    const state = this.stateOf(entry);
    for (const peer of entry.room.peers.values()) peer.channel.notify('recording.state', state);
  }

  private async setEnabled(inspectionId: string, enabled: boolean, by: string | null): Promise<void> {
    await this.settings.save({ inspectionId, enabled, updatedBy: by, updatedAt: new Date() });
  }

  /** The surveyor's switch: on. Starts recording at once when the room is live. */
  async start(inspectionId: string, by: string | null): Promise<RecordingStateEvent> {
    await this.setEnabled(inspectionId, true, by);
    const entry = this.live.get(inspectionId);
    if (entry) await this.ensureRecording(entry, by);
    return this.state(inspectionId);
  }

  /** The surveyor's switch: off. The live recording ends after its last segments are written. */
  async stop(inspectionId: string, by: string | null): Promise<RecordingStateEvent> {
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
