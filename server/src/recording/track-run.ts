// One run of one track's recorder: a producer recorded by one TrackRecorder (one ffmpeg) into its
// own directory, with its recording_track row, from start() until the recorder has ended and every
// segment it wrote is registered. A reconnection (a new producer), a new resolution or a recorder
// that died makes a new run of the same logical track; RecordingService decides when runs start, a
// run only looks after itself. Gaps are its bookkeeping too: when a run ends and media of the track
// is expected again, it opens a gap with the cause (endCause()); the next run closes it when its
// media starts.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Producer, Router } from 'mediasoup/types';
import type { Limit } from 'p-limit';
import type { GapCause, LeaveReason, MediaSource } from '@cloudship/shared';
import { SafeEmitter } from '../lib/safe-emitter';
import { Logger, type LogContext } from '../logging/logger';
import type { Peer } from '../session/peer';
import type { Recording } from './entities';
import type { CatalogTrack, SegmentCatalog } from './segment-catalog';
import { TrackRecorder, type ClosedSegment } from './track-recorder';

const logger = new Logger('recording');

/** A peer that left: what the gap in its tracks is called (null: the room ended, so does the recording). */
const LEAVE_CAUSE: Record<LeaveReason, GapCause | null> = {
  'connection-lost': 'network',
  left: 'participant-left',
  'server-restart': 'server-restart',
  'taken-over': 'device-change',
  'media-server-restarted': 'worker-restart',
  'inspection-ended': null,
  'server-shutdown': null,
  empty: null,
};

export interface TrackRunEvents extends Record<string, unknown[]> {
  /**
   * The simulcast layer changed, so the resolution did: this run is ending (each segment keeps
   * one resolution) and the next one should record layer `to` once `done` resolves.
   */
  resolutionChange: [{ from: number; to: number }];
  /** Media of the track is being written (the recorder started and the track row is open). */
  writing: [];
  /** The run is over: recorder gone, segments (leftovers included) registered, track row closed. */
  ended: [];
}

export interface TrackRunOptions {
  catalog: SegmentCatalog;
  recording: Recording;
  router: Router;
  peer: Peer;
  producer: Producer<{ source: MediaSource }>;
  segmentSeconds: number;
  /** Shared by every run of the service: how many recorders are set up at once. */
  startLimit: Limit;
  /** After a resolution change: the simulcast layer this run records. */
  spatialLayer?: number | null;
}

export class TrackRun extends SafeEmitter<TrackRunEvents> {
  readonly id = crypto.randomUUID();
  readonly recording: Recording;
  readonly producer: Producer<{ source: MediaSource }>;
  /** The run's files, relative to the staging root: `<recording>/<run>`. */
  readonly dir: string;
  readonly recorder: TrackRecorder;
  /** Resolves once the run is over and its bookkeeping done (also after a failed start); never rejects. */
  readonly done: Promise<void>;
  /** The track row, once the recorder has started (segments before that have nowhere to go). */
  private track: CatalogTrack | null = null;
  private readonly registrations: Promise<unknown>[] = [];
  private readonly ctx: LogContext;
  /** Why the run was stopped from outside, if it was (null: the recording ends, no gap). */
  private stopCause: GapCause | null | undefined;
  private _writing = false;

  constructor(private readonly options: TrackRunOptions) {
    super(logger);
    const { catalog, recording, router, peer, producer } = options;
    this.recording = recording;
    this.producer = producer;
    this.dir = path.join(recording.id, this.id);
    this.ctx = { inspectionId: recording.inspectionId, participantId: peer.id, source: producer.appData.source };
    this.recorder = new TrackRecorder(path.join(catalog.stagingDir, this.dir), router, producer, {
      segmentSeconds: options.segmentSeconds,
      startLimit: options.startLimit,
      spatialLayer: options.spatialLayer ?? null,
    });
    this.recorder.on('segment', (s) => this.onSegment(s));
    this.done = new Promise<void>((resolve) => {
      this.recorder.once('ended', ({ error }) => void this.onEnded(error).finally(resolve));
    });
    // Producer gone (left, reconnecting on a new transport, closed): this run ends here.
    producer.observer.once('close', this.onProducerClosed);
    this.recorder.once('resolutionChange', (change) => this.onResolutionChange(change));
  }

  /** True once stop() was called or the recorder was stopped otherwise. */
  get stopped(): boolean {
    return this.recorder.stopped;
  }

  /** Media of the track is being written now. */
  get writing(): boolean {
    return this._writing;
  }

  /** The recorder exited by itself while its producer still sends: the service starts a new run. */
  get died(): boolean {
    return this.recorder.died && !this.producer.closed;
  }

  /** The peer whose producer this run records. */
  get peer(): Peer {
    return this.options.peer;
  }

  /**
   * Why this run's media stopped, as the cause of the gap that follows; null when no media of the
   * track is to be expected in this recording any more (the recording or the inspection ended).
   */
  endCause(): GapCause | null {
    if (this.stopCause !== undefined) return this.stopCause;
    if (this.died) return /no space left|ENOSPC/i.test(this.recorder.lastError) ? 'disk-full' : 'recorder-restart';
    const { peer } = this.options;
    if (peer.closed) return peer.leftWith ? LEAVE_CAUSE[peer.leftWith] : null;
    const closedBy = peer.whyProducerClosed(this.producer.id);
    if (closedBy) return closedBy;
    // The router went with its worker before the room closed.
    if (this.options.router.closed) return 'worker-restart';
    return 'source-stopped';
  }

  /**
   * Sets the recorder up (queued behind other set-ups) and opens the track row. Never rejects:
   * a run that could not start is stopped, and `done` still resolves.
   */
  async start(): Promise<void> {
    try {
      await this.recorder.start();
      const { peer, producer } = this.options;
      this.track = await this.options.catalog.openTrack({
        id: this.id,
        recording: this.recording,
        participant: { id: peer.id, role: peer.role, displayName: peer.displayName, identityKey: peer.identity.key },
        kind: producer.kind,
        source: producer.appData.source,
        codec: producer.rtpParameters.codecs[0]!.mimeType,
        startedAt: this.recorder.startedAt,
        dir: this.dir,
      });
      if (producer.closed) await this.recorder.stop();
      else {
        // Media of the track is written again: the gap before (if any) ends at this run's time 0.
        await this.options.catalog.closeGap(this.recording.id, this.track.trackKey, this.recorder.startedAt);
        this._writing = true;
        this.safeEmit('writing');
      }
    } catch (e) {
      // A track that ends while its recorder is still being set up (the participant left, the
      // recording or the server is closing) is not a failure: there is nothing to record.
      if (this.recorder.stopped || this.producer.closed)
        logger.debug(`start() | track ended before its recorder started (${String(e)})`, this.ctx);
      else logger.error('start() | could not start the track recorder', this.ctx, e);
      await this.recorder.stop().catch(() => undefined);
    }
  }

  /**
   * Ends the recording of this run: ffmpeg closes its last segment. Idempotent; see `done` for the
   * bookkeeping. `cause`: why the track's media stops here (the gap that follows), or null when the
   * recording itself ends; the first stop's cause is kept.
   */
  stop(cause: GapCause | null = null): Promise<void> {
    if (this.stopCause === undefined) this.stopCause = cause;
    return this.recorder.stop();
  }

  private readonly onProducerClosed = (): void => void this.recorder.stop();

  private onSegment(s: ClosedSegment): void {
    const track = this.track;
    if (!track) return;
    this.registrations.push(
      this.options.catalog.register(track, s.name, s.start, s.end).catch((e) => logger.error('segment | could not register', this.ctx, e)),
    );
  }

  private onResolutionChange({ from, to }: { from: number; to: number }): void {
    // A new resolution: end this run, so each segment has one resolution; the service starts the
    // next run on the new layer once this one is done.
    logger.info(`resolutionChange | layer ${from} -> ${to}, new segment`, this.ctx);
    void this.stop('layer-switch');
    this.safeEmit('resolutionChange', { from, to });
  }

  private async onEnded(error: string | null): Promise<void> {
    this.options.producer.observer.off('close', this.onProducerClosed);
    this._writing = false;
    try {
      const track = this.track;
      if (track) {
        const { catalog } = this.options;
        // Files ffmpeg wrote but never listed (it died) are registered too.
        await Promise.all(this.registrations);
        await catalog.registerLeftovers(track, this.recorder.reported).catch((e) => logger.error('ended | leftovers', this.ctx, e));
        await catalog.closeTrack(track);
        // The gap opens where the track's media ends (its last segment), with why.
        const cause = this.endCause();
        if (cause) {
          const from = (await catalog.lastMediaEnd(track.recordingId, track.trackKey)) ?? this.recorder.startedAt;
          await catalog.openGap(track, cause, from);
        }
      }
      if (error) logger.warn('ended | track recorder failed', { ...this.ctx }, new Error(error));
    } catch (e) {
      logger.error('ended | bookkeeping failed', this.ctx, e);
    }
    this.safeEmit('ended');
  }
}
