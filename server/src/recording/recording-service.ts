// Recording of live inspections, attached to rooms through their events (the room itself knows
// nothing about recording). An inspection is recorded from the moment its room goes live unless
// the surveyor switched recording off; every producer gets a TrackRun (one recorder, see
// track-run.ts) while a recording is live. A reconnection brings a new producer, hence a new run of
// the same logical track whose segments continue the numbering: the outage is a gap with its cause
// (recording_gap), never a silent loss. A recorder that dies while its producer still sends is
// restarted at once, then with backoff if it keeps dying. This service decides which producers are
// recorded and when, and tells the room which tracks are being written (recording.state); rows are
// written by the SegmentCatalog.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { Producer } from 'mediasoup/types';
import pLimit from 'p-limit';
import type { GapCause, MediaSource, RecordingStateEvent, RecordingTrackState } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';
import type { DiskGuard } from '../storage/disk-space';
import { RecordingConsentEntity, RecordingSettingEntity, type Recording, type RecordingSetting } from './entities';
import { logicalTrackKey, STOPPED_BY_SURVEYOR, type SegmentCatalog } from './segment-catalog';
import { TrackRun } from './track-run';

const logger = new Logger('recording');

/**
 * At most this many recorders are set up at once. Each set-up spawns an ffmpeg (a few ms of the
 * event loop for the fork, then ffmpeg's own start-up CPU); in a join storm twenty of them at once
 * delayed every signaling answer by hundreds of ms. Queued, they start one after the other within a
 * couple of seconds and signaling stays fast (see README, bench:capacity join storm).
 */
const RECORDER_START_CONCURRENCY = 2;

/**
 * A recorder that died is restarted at once; if it dies again, after 0.5 s, 1 s, 2 s ... up to
 * 10 s. A run that lived this long before dying starts the count again.
 */
const RESTART_BACKOFF_MAX_MS = 10_000;
const RESTART_RESET_AFTER_MS = 30_000;

/** How long the producer's runs have been dying one after the other, and when the last started. */
interface RestartState {
  failures: number;
  startedAt: number;
}

interface LiveRecording {
  room: Room;
  recording: Recording | null;
  /** The current run of each producer being recorded, by producer id. */
  runs: Map<string, TrackRun>;
  /** Runs replaced after a resolution change, recording until their successor has media, by producer id. */
  retiring: Map<string, TrackRun>;
  /** Producers whose recorder died, waiting for their next run (restart backoff), by producer id. */
  restarting: Map<string, NodeJS.Timeout>;
  /** Producers waiting for room on the staging disk, by producer id (started when there is). */
  waitingForDisk: Map<string, { peer: Peer; producer: Producer<{ source: MediaSource }>; spatialLayer: number | null }>;
  restarts: Map<string, RestartState>;
  /**
   * Logical tracks whose media stopped while more is expected (an open gap: a lost connection, a
   * rejoin, a restart), by track key: shown as 'no-media' until a run of the track writes again.
   */
  interrupted: Map<string, RecordingTrackState>;
}

/** Gaps that mean nobody expects more media of the track: not shown as missing. */
const CHOSEN_ENDS: ReadonlySet<GapCause> = new Set(['participant-left', 'source-stopped']);

export interface RecordingServiceOptions {
  segmentSeconds: number;
  /**
   * The staging disk's guard: no run starts while it says 'full' (the producers wait, shown as
   * 'disk-full'), running ones are stopped when it goes 'full' (a 'disk-full' gap), and the
   * waiting ones start when it no longer does (it re-checks every second while not 'ok').
   */
  disk?: Pick<DiskGuard, 'state' | 'check' | 'on'>;
}

export class RecordingService {
  private readonly live = new Map<string, LiveRecording>();
  /** Per inspection: the tail of its switch operations (see serially()). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly settings: Repository<RecordingSetting>;
  /** Every run's completion, so close() can wait for the last segments to be registered. */
  private readonly pending = new Set<Promise<void>>();
  /** Shared by every track run: recorder set-ups are queued behind each other. */
  private readonly recorderStarts = pLimit(RECORDER_START_CONCURRENCY);
  private closed = false;

  constructor(
    private readonly db: DataSource,
    readonly catalog: SegmentCatalog,
    private readonly options: RecordingServiceOptions,
    private readonly log: EvidenceLog,
  ) {
    this.settings = db.getRepository(RecordingSettingEntity);
  }

  attach(rooms: RoomRegistry): void {
    rooms.on('roomCreated', (room) => this.onRoom(room));
    this.options.disk?.on('change', (state) => this.onDiskChange(state));
  }

  /**
   * The staging disk filled up: stop every run now (a clean end of segment, a 'disk-full' gap)
   * rather than let ffmpeg fail mid-write; they wait. Room again: the waiting producers start.
   */
  private onDiskChange(state: string): void {
    for (const entry of this.live.values()) {
      if (!entry.recording) continue;
      if (state === 'full') {
        for (const run of entry.runs.values()) {
          entry.waitingForDisk.set(run.producer.id, { peer: run.peer, producer: run.producer, spatialLayer: null });
          void run.stop('disk-full');
        }
        for (const run of entry.retiring.values()) void run.stop('disk-full');
      } else {
        // A run stopped for the disk that has not finished yet starts again when it has ('ended').
        const waiting = [...entry.waitingForDisk.values()].filter((w) => !entry.runs.has(w.producer.id));
        if (waiting.length)
          logger.info('onDiskChange() | room on the staging disk again, recording resumes', {
            inspectionId: entry.room.inspectionId,
            tracks: waiting.length,
          });
        for (const w of waiting) this.startRun(entry, w.peer, w.producer, w.spatialLayer);
      }
      this.broadcast(entry);
    }
  }

  private onRoom(room: Room): void {
    const entry: LiveRecording = {
      room,
      recording: null,
      runs: new Map(),
      retiring: new Map(),
      restarting: new Map(),
      restarts: new Map(),
      waitingForDisk: new Map(),
      interrupted: new Map(),
    };
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
    room.on('layersPlanned', (_peer, producer, spatialLayer) => entry.runs.get(producer.id)?.recorder.planLayer(spatialLayer));
    room.on('close', (reason) => {
      if (this.live.get(room.inspectionId) === entry) this.live.delete(room.inspectionId);
      // A room closed for a worker restart comes back when the participants rejoin; the
      // recording goes on in the new room. Any other reason ends it. In the inspection's queue
      // with the switch: a start still opening its recording when the room closed (the end racing
      // a switch) finishes first, and its recording is then ended here instead of staying live.
      const ends = reason !== 'media-server-restarted';
      const done = this.serially(room.inspectionId, async () => {
        await this.stopRuns(entry, ends ? null : 'worker-restart');
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
    predecessor: TrackRun | null = null,
  ): void {
    const recording = entry.recording;
    const current = entry.runs.get(producer.id);
    if (!recording || producer.closed || (current && current !== predecessor)) return;
    if (this.options.disk?.state === 'full') {
      // No room to write: the producer waits for the disk (onDiskChange), shown as 'disk-full'.
      entry.waitingForDisk.set(producer.id, { peer, producer, spatialLayer });
      producer.observer.once('close', () => entry.waitingForDisk.delete(producer.id));
      return;
    }
    entry.waitingForDisk.delete(producer.id);
    const run = new TrackRun({
      catalog: this.catalog,
      recording,
      router: entry.room.router,
      layers: entry.room.layers,
      peer,
      producer,
      segmentSeconds: this.options.segmentSeconds,
      startLimit: this.recorderStarts,
      spatialLayer,
      predecessor: predecessor ?? undefined,
    });
    entry.runs.set(producer.id, run);
    if (predecessor) {
      entry.retiring.set(producer.id, predecessor);
      void predecessor.done.then(() => entry.retiring.get(producer.id) === predecessor && entry.retiring.delete(producer.id));
    }
    const restart = entry.restarts.get(producer.id);
    if (restart) restart.startedAt = Date.now();
    run.on('flow', () => this.broadcast(entry));
    run.on('writing', () => {
      entry.interrupted.delete(run.trackKey);
      // Make before break: the run this one replaces ends once this one has media.
      if (predecessor) void predecessor.handOver(run.recorder.startedAt);
      this.broadcast(entry);
    });
    run.once('ended', ({ gap }) => {
      if (gap && !CHOSEN_ENDS.has(gap) && entry.recording === recording)
        entry.interrupted.set(run.trackKey, { ...this.describe(peer, producer), state: 'no-media', cause: gap });
      // Never got media (could not start): the run it was to replace ends too.
      if (predecessor && !predecessor.stopped) void predecessor.stop('layer-switch');
      if (entry.runs.get(producer.id) === run) entry.runs.delete(producer.id);
      if (producer.closed) entry.waitingForDisk.delete(producer.id);
      if (entry.waitingForDisk.has(producer.id)) {
        if (this.options.disk?.state !== 'full') this.startRun(entry, peer, producer, spatialLayer);
      } else if (run.died && run.endCause() === 'disk-full') {
        // ENOSPC before the guard noticed: it looks again now; the restart waits for room.
        entry.waitingForDisk.set(producer.id, { peer, producer, spatialLayer });
        void this.options.disk?.check().then((state) => state !== 'full' && this.onDiskChange(state));
      } else if (run.died) this.restartLater(entry, peer, producer, spatialLayer);
      if (entry.recording) this.broadcast(entry);
    });
    // A new resolution: the next run starts on the new layer now, and this one records until that
    // one has media (the layer switch loses nothing).
    run.once('resolutionChange', ({ to }) => this.startRun(entry, peer, producer, to, run));
    this.track(run.done);
    void run.start().then(() => {
      // The recording was switched off (or replaced) while this run was starting.
      if (entry.recording !== recording) return run.stop().catch(() => undefined);
    });
  }

  /**
   * The producer's recorder died while it still sends: a new run (new ffmpeg, new key frame) at
   * once, or after a backoff when it keeps dying. The run that died opened the gap
   * ('recorder-restart', or 'disk-full'); the new one closes it when its media starts.
   */
  private restartLater(entry: LiveRecording, peer: Peer, producer: Producer<{ source: MediaSource }>, spatialLayer: number | null): void {
    const recording = entry.recording;
    if (!recording || this.closed || entry.room.closed || producer.closed || entry.restarting.has(producer.id)) return;
    const now = Date.now();
    let state = entry.restarts.get(producer.id);
    if (!state || now - state.startedAt > RESTART_RESET_AFTER_MS) {
      state = { failures: 0, startedAt: now };
      entry.restarts.set(producer.id, state);
      producer.observer.once('close', () => entry.restarts.delete(producer.id));
    }
    const delay = state.failures === 0 ? 0 : Math.min(500 * 2 ** (state.failures - 1), RESTART_BACKOFF_MAX_MS);
    state.failures++;
    logger.warn(`restartLater() | recorder died, new run in ${delay} ms`, {
      inspectionId: entry.room.inspectionId,
      participantId: peer.id,
      source: producer.appData.source,
      failures: state.failures,
    });
    const timer = setTimeout(() => {
      entry.restarting.delete(producer.id);
      if (entry.recording === recording) this.startRun(entry, peer, producer, spatialLayer);
    }, delay);
    timer.unref();
    entry.restarting.set(producer.id, timer);
  }

  /** Stops every run; `cause`: the gap each track gets (null: the recording ends with them). */
  private async stopRuns(entry: LiveRecording, cause: GapCause | null = null): Promise<void> {
    for (const timer of entry.restarting.values()) clearTimeout(timer);
    entry.restarting.clear();
    entry.waitingForDisk.clear();
    const runs = [...entry.runs.values(), ...entry.retiring.values()];
    await Promise.all(runs.map((r) => r.stop(cause).catch(() => undefined)));
    await Promise.all(runs.map((r) => r.done));
  }

  private async finish(recording: Recording, by: string | null, reason: string): Promise<void> {
    await this.catalog.finishRecording(recording.id, by, reason);
    logger.info('finish() | live -> stopped', { recordingId: recording.id, reason });
  }

  stateOf(entry: LiveRecording | undefined): RecordingStateEvent {
    const rec = entry?.recording ?? null;
    return {
      recording: rec !== null,
      enabled: rec !== null,
      recordingId: rec?.id ?? null,
      since: rec?.startedAt.toISOString() ?? null,
      tracks: entry && rec ? this.trackStates(entry) : [],
    };
  }

  /**
   * Every producer in the room, and whether its media is being written now (and if not, why); and
   * every track whose media stopped while more is expected (see LiveRecording.interrupted).
   */
  private trackStates(entry: LiveRecording): RecordingTrackState[] {
    const states: RecordingTrackState[] = [];
    const sending = new Set<string>();
    for (const peer of entry.room.peers.values()) {
      for (const producer of peer.producers.values()) {
        sending.add(logicalTrackKey(peer.role, peer.identity.key, producer.appData.source));
        const run = entry.runs.get(producer.id);
        if (run?.writing && !run.receiving) {
          // Being recorded, but nothing arrives from the sender (a dead uplink within the grace).
          states.push({ ...this.describe(peer, producer), state: 'no-media', cause: 'network' });
          continue;
        }
        const state: RecordingTrackState['state'] =
          run?.writing || entry.retiring.get(producer.id)?.writing
            ? 'recording'
            : entry.waitingForDisk.has(producer.id)
              ? 'disk-full'
              : entry.restarting.has(producer.id)
                ? 'restarting'
                : 'starting';
        states.push({ ...this.describe(peer, producer), state });
      }
    }
    for (const [key, missing] of entry.interrupted) if (!sending.has(key)) states.push(missing);
    return states;
  }

  private describe(peer: Peer, producer: Producer<{ source: MediaSource }>): Omit<RecordingTrackState, 'state'> {
    return { peerId: peer.id, role: peer.role, displayName: peer.displayName, source: producer.appData.source };
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
   * Resolves once nothing is queued for the inspection any more: after its room closed, that is
   * when its recording has ended and its last segments are registered (the final seal waits for it).
   */
  async whenIdle(inspectionId: string): Promise<void> {
    for (let q = this.queues.get(inspectionId); q; q = this.queues.get(inspectionId)) await q;
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
        await this.finish(recording, by, STOPPED_BY_SURVEYOR);
      }
      return this.state(inspectionId);
    });
  }

  async recordConsent(c: {
    inspectionId: string;
    participantId: string;
    crewLinkId: string | null;
    consentedAt: Date;
    /** SHA-256 of the consent text the phone showed, in the language it showed it. */
    textSha256?: string;
  }): Promise<void> {
    const { textSha256, ...row } = c;
    await this.db.transaction(async (m) => {
      await m.save(RecordingConsentEntity, { id: crypto.randomUUID(), ...row, recordedAt: new Date() });
      await this.log.append(
        m,
        c.inspectionId,
        'consent',
        { participantId: c.participantId, crewLinkId: c.crewLinkId, textSha256: textSha256 ?? null },
        { at: c.consentedAt },
      );
    });
    logger.info('recordConsent() | crew consent stored', { inspectionId: c.inspectionId, participantId: c.participantId });
  }

  /** Waits for every run to finish its bookkeeping (rooms are closed before this). */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.live.values()) this.track(this.stopRuns(entry));
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
