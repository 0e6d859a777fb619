// One run of one track's recorder: a producer recorded by one TrackRecorder (one ffmpeg) into its
// own directory, with its recording_track row, from start() until the recorder has ended and every
// segment it wrote is registered. A reconnection (a new producer) or a new resolution makes a new
// run of the same track; RecordingService decides when runs start, a run only looks after itself.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Producer, Router } from 'mediasoup/node/lib/types';
import type { Limit } from 'p-limit';
import type { MediaSource } from '@cloudship/shared';
import { SafeEmitter } from '../lib/safe-emitter';
import { Logger, type LogContext } from '../logging/logger';
import type { Peer } from '../session/peer';
import type { Recording } from './entities';
import type { CatalogTrack, SegmentCatalog } from './segment-catalog';
import { TrackRecorder, type ClosedSegment } from './track-recorder';

const logger = new Logger('recording');

export interface TrackRunEvents extends Record<string, unknown[]> {
  /**
   * The simulcast layer changed, so the resolution did: this run is ending (each segment keeps
   * one resolution) and the next one should record layer `to` once `done` resolves.
   */
  resolutionChange: [{ from: number; to: number }];
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
        participant: { id: peer.id, role: peer.role, displayName: peer.displayName },
        kind: producer.kind,
        source: producer.appData.source,
        codec: producer.rtpParameters.codecs[0]!.mimeType,
        startedAt: this.recorder.startedAt,
        dir: this.dir,
      });
      if (producer.closed) await this.recorder.stop();
    } catch (e) {
      // A track that ends while its recorder is still being set up (the participant left, the
      // recording or the server is closing) is not a failure: there is nothing to record.
      if (this.recorder.stopped || this.producer.closed)
        logger.debug(`start() | track ended before its recorder started (${String(e)})`, this.ctx);
      else logger.error('start() | could not start the track recorder', this.ctx, e);
      await this.recorder.stop().catch(() => undefined);
    }
  }

  /** Ends the recording of this run: ffmpeg closes its last segment. Idempotent; see `done` for the bookkeeping. */
  stop(): Promise<void> {
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
    void this.recorder.stop();
    this.safeEmit('resolutionChange', { from, to });
  }

  private async onEnded(error: string | null): Promise<void> {
    this.options.producer.observer.off('close', this.onProducerClosed);
    try {
      const track = this.track;
      if (track) {
        const { catalog } = this.options;
        // Files ffmpeg wrote but never listed (it died) are registered too.
        await Promise.all(this.registrations);
        await catalog.registerLeftovers(track, this.recorder.reported).catch((e) => logger.error('ended | leftovers', this.ctx, e));
        await catalog.closeTrack(track);
      }
      if (error) logger.warn('ended | track recorder failed', { ...this.ctx }, new Error(error));
    } catch (e) {
      logger.error('ended | bookkeeping failed', this.ctx, e);
    }
    this.safeEmit('ended');
  }
}
