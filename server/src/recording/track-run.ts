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
import type { LayerDemand } from '../session/layer-demand';
import type { Peer } from '../session/peer';
import type { Recording } from './entities';
import { logicalTrackKey, type CatalogTrack, type SegmentCatalog } from './segment-catalog';
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
   * The simulcast layer changed, so the resolution did: the next run should record layer `to`
   * (each run keeps one resolution). This one goes on until handOver() (make before break).
   */
  resolutionChange: [{ from: number; to: number }];
  /** Media of the track is being written (the recorder started and the track row is open). */
  writing: [];
  /** The producer's media stopped arriving, or came back (see receiving). */
  flow: [];
  /**
   * The run is over: recorder gone, segments (leftovers included) registered, track row closed;
   * `gap`: the cause of the gap it left on its logical track (null: none).
   */
  ended: [{ gap: GapCause | null }];
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
  /** The room's record of consumed layers (TrackRecorderOptions.layers). */
  layers?: LayerDemand | null;
  /** After a resolution change: the run this one takes over from (its segments come first). */
  predecessor?: TrackRun;
}

/**
 * A layer switch whose handover left a hole in the track's media longer than this is stored as a
 * 'layer-switch' gap; a shorter one is the frame or two a key frame takes to arrive.
 */
const HANDOVER_GAP_MS = 100;

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
  /** handOver(): when the next run's media started (the gap, if any, ends there). */
  private handedOverAt: Date | null = null;

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
      layers: options.layers ?? null,
    });
    this.recorder.on('segment', (s) => this.onSegment(s));
    this.done = new Promise<void>((resolve) => {
      this.recorder.once('ended', ({ error }) => void this.onEnded(error).finally(resolve));
    });
    // Producer gone (left, reconnecting on a new transport, closed): this run ends here.
    producer.observer.once('close', this.onProducerClosed);
    this.recorder.once('resolutionChange', (change) => this.onResolutionChange(change));
    this.recorder.on('flow', (f) => this.onFlow(f));
  }

  /** True once stop() was called or the recorder was stopped otherwise. */
  get stopped(): boolean {
    return this.recorder.stopped;
  }

  /** Media of the track is being written now. */
  get writing(): boolean {
    return this._writing;
  }

  /** False while the producer sends nothing (not paused, yet no packets: a dead uplink). */
  get receiving(): boolean {
    return this.recorder.receiving || this.producer.paused;
  }

  /** The recorder exited by itself while its producer still sends: the service starts a new run. */
  get died(): boolean {
    return this.recorder.died && !this.producer.closed;
  }

  /** The logical track this run records (role, identity, source: see logicalTrackKey). */
  get trackKey(): string {
    const { peer, producer } = this.options;
    return logicalTrackKey(peer.role, peer.identity.key, producer.appData.source);
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

  /**
   * The next run of this track (a new resolution) has media since `at`: this one ends, its last
   * frames overlapping the next run's first. A hole between them longer than HANDOVER_GAP_MS
   * becomes a 'layer-switch' gap.
   */
  handOver(at: Date): Promise<void> {
    this.handedOverAt ??= at;
    return this.stop(null);
  }

  private readonly onProducerClosed = (): void => void this.recorder.stop();

  private onSegment(s: ClosedSegment): void {
    const track = this.track;
    if (!track) return;
    // A run that took over from another registers after it, so the track's segments stay in order.
    const before = this.options.predecessor?.done ?? Promise.resolve();
    this.registrations.push(
      before
        .then(() => this.options.catalog.register(track, s.name, s.start, s.end))
        .catch((e) => logger.error('segment | could not register', this.ctx, e)),
    );
  }

  /** When the producer's media stopped arriving, while it has (null: it arrives). */
  private stalledSince: Date | null = null;

  /**
   * Media stopped arriving while the run goes on (a dead uplink within the grace): the track is
   * shown as having no media, and when packets come back the silence is a 'network' gap. A run that
   * ends while stalled leaves its gap from its last segment in onEnded instead.
   */
  private onFlow({ receiving, since }: { receiving: boolean; since: Date }): void {
    if (!receiving) this.stalledSince = since;
    else if (this.stalledSince && this.track && !this.recorder.stopped) {
      const track = this.track;
      const from = this.stalledSince;
      this.registrations.push(
        this.options.catalog
          .recordGap(track, 'network', from, since)
          .catch((e) => logger.error('flow | could not record the gap', this.ctx, e)),
      );
      this.stalledSince = null;
    } else this.stalledSince = null;
    logger.info(`flow | media ${receiving ? 'arrives again' : 'stopped arriving'}`, this.ctx);
    this.safeEmit('flow');
  }

  private onResolutionChange({ from, to }: { from: number; to: number }): void {
    // The service starts the next run on the new layer; this one records until it has media.
    logger.info(`resolutionChange | layer ${from} -> ${to}, next run starting`, this.ctx);
    this.safeEmit('resolutionChange', { from, to });
  }

  /** Why the track's media stops after this run, given where its last segment ended. */
  private async gapAfter(track: CatalogTrack): Promise<{ cause: GapCause; from: Date } | null> {
    const { catalog } = this.options;
    const from = (await catalog.lastMediaEnd(track.recordingId, track.trackKey)) ?? this.recorder.startedAt;
    if (this.handedOverAt) {
      const hole = this.handedOverAt.getTime() - from.getTime();
      if (hole > HANDOVER_GAP_MS) return { cause: 'layer-switch', from };
      return null;
    }
    const cause = this.endCause();
    return cause ? { cause, from } : null;
  }

  private async onEnded(error: string | null): Promise<void> {
    this.options.producer.observer.off('close', this.onProducerClosed);
    this._writing = false;
    let gapCause: GapCause | null = null;
    try {
      const track = this.track;
      if (track) {
        const { catalog } = this.options;
        // Files ffmpeg wrote but never listed (it died) are registered too.
        await Promise.all(this.registrations);
        await catalog.registerLeftovers(track, this.recorder.reported).catch((e) => logger.error('ended | leftovers', this.ctx, e));
        await catalog.closeTrack(track);
        // The gap opens where the track's media ends (its last segment), with why.
        const gap = await this.gapAfter(track);
        if (gap) await catalog.openGap(track, gap.cause, gap.from);
        gapCause = gap?.cause ?? null;
      }
      if (error) logger.warn('ended | track recorder failed', { ...this.ctx }, new Error(error));
    } catch (e) {
      logger.error('ended | bookkeeping failed', this.ctx, e);
    }
    this.safeEmit('ended', { gap: gapCause });
  }
}
