// Records one producer: mediasoup PlainTransport consumer -> ffmpeg -c copy -> WebM segments.
// One ffmpeg per track, so a track that comes and goes (a reconnection) never disturbs the others.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Consumer, PlainTransport, Producer, Router, RtpCapabilities } from 'mediasoup/types';
import type { Limit } from 'p-limit';
import { Logger } from '../logging/logger';
import type { LayerDemand } from '../session/layer-demand';
import { FFMPEG, FFPROBE, freePortPair, readSegmentList, run as runCommand, sdpFor, spawnRecorder, waitForUdpBind } from './ffmpeg';

const logger = new Logger('track-recorder');

/** Key frames make segment boundaries possible (the segment muxer only cuts on them). */
const KEY_FRAME_INTERVAL_MS = 2000;
/**
 * A run started by a resolution change holds the layer it was started for this long before it may
 * move up again: mediasoup still counts a layer the phone has just stopped sending as active for
 * a moment, and a fresh consumer would otherwise start on it and bounce straight back.
 */
const LAYER_HOLD_MS = 3000;
/**
 * A simulcast consumer forwards nothing until a key frame of its layer arrives (asked for at
 * resume). ffmpeg's media time 0 is that first packet, so the run's wall clock starts there; a
 * producer that sends nothing (paused) is given this long before the resume time is taken instead.
 */
const FIRST_MEDIA_WAIT_MS = 3000;
/**
 * Stopping: `q` on stdin is read between packets, so it only works while media flows. When the
 * producer is gone ffmpeg sits in a blocking read; an RTCP BYE on its RTCP port makes the sdp
 * demuxer return end-of-file, and ffmpeg finishes the segment properly (trailer, cues). Signals
 * are the fallback: a second SIGINT interrupts the read but loses the segment's buffered cluster.
 */
const SIGNAL_GRACE_MS = 4000;
/**
 * Whether media still arrives: the recording consumer's packet count, read this often. Two reads
 * without a new packet (2 s) mean the sender's media stopped (a dead uplink keeps its producer until
 * the connection is given up); 'flow' tells the owner, and again when packets come back.
 */
const FLOW_CHECK_MS = 1000;
const FLOW_STALL_CHECKS = 2;
/**
 * A simulcast consumer on this transport (no bandwidth estimation) should forward the layer it is
 * asked for whenever that layer arrives; the worker re-evaluates its layers only on events (a new
 * stream, a score change, a first Sender Report), and one missed event once left a recorder on
 * the 640-wide layer for minutes while the 1280-wide one flowed. After this many flow checks
 * below a wanted layer that is arriving, the recorder asks again (see nudgeLayer).
 */
const LAYER_NUDGE_CHECKS = 3;
const KILL_GRACE_MS = 10_000;

/**
 * RTCP BYE (RFC 3550 6.6). It names the SSRC twice: ffmpeg ignores any RTP/RTCP datagram shorter
 * than 12 bytes, and a single-SSRC BYE is only 8.
 */
export function rtcpBye(ssrc: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(0x82, 0); // V=2, P=0, SC=2
  b.writeUInt8(203, 1); // BYE
  b.writeUInt16BE(2, 2); // length in 32-bit words minus one
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

export interface ClosedSegment {
  /** File name inside the run directory (seg-NNNNN.webm). */
  name: string;
  /** Media time of its first packet and its end (seconds since the run's first packet). */
  start: number;
  end: number;
}

export interface TrackRecorderEvents {
  segment: [ClosedSegment];
  /** ffmpeg is gone (stopped or died); every segment was reported before this. */
  ended: [{ error: string | null }];
  /**
   * The simulcast layer the recorder receives changed, so the picture's resolution changed (the
   * phone stopped or resumed sending a layer: a video profile, a weak uplink). Segments are kept
   * to one resolution each, so the service starts a new run (hence a new segment) on this. This
   * recorder goes on writing (the frames of the new resolution are split off into segments of
   * their own when it stops) until the new run has media: a switch loses nothing.
   */
  resolutionChange: [{ from: number; to: number }];
  /** Media stopped arriving (`receiving` false, `since`: about when the last packet came) or came back. */
  flow: [{ receiving: boolean; since: Date }];
}

/**
 * The recording consumer gets only the kind's codec, without RTX, RTCP feedback or header
 * extensions: with the router's full capabilities mediasoup also sends bandwidth probation packets
 * (payload type 127) to the same port and ffmpeg's log floods.
 */
export function strippedCapabilities(router: Router, producer: Producer): RtpCapabilities {
  const mime = producer.rtpParameters.codecs[0]!.mimeType.toLowerCase();
  const codec = router.rtpCapabilities.codecs!.find((c) => c.mimeType.toLowerCase() === mime);
  if (!codec) throw new Error(`router has no ${mime}`);
  return { codecs: [{ ...codec, rtcpFeedback: [] }], headerExtensions: [] };
}

export interface TrackRecorderOptions {
  segmentSeconds: number;
  /**
   * Queues the set-up (transport, consumer, ffmpeg spawn) behind the other recorders' set-ups: the
   * owner decides how many run at once (RecordingService: RECORDER_START_CONCURRENCY).
   */
  startLimit: Limit;
  /** After a resolution change: the simulcast layer this run records (see LAYER_HOLD_MS). */
  spatialLayer?: number | null;
  /**
   * The room's record of which layers are consumed: the layer this recorder wants is asked for
   * through it, so the phone keeps sending it (session/layer-demand.ts). Without it (tests that
   * record a bare router), the consumer's preference is set directly.
   */
  layers?: LayerDemand | null;
}

export class TrackRecorder extends EventEmitter<TrackRecorderEvents> {
  private transport: PlainTransport | null = null;
  private consumer: Consumer | null = null;
  private ffmpeg: ChildProcess | null = null;
  private keyFrameTimer: NodeJS.Timeout | null = null;
  private flowTimer: NodeJS.Timeout | null = null;
  private lastPacketCount = -1;
  private quietChecks = 0;
  /** Consecutive flow checks below the wanted simulcast layer while it arrives (LAYER_NUDGE_CHECKS). */
  private belowChecks = 0;
  /** Counts prefer() calls: a nudge under way must not undo a preference set meanwhile. */
  private plans = 0;
  /** False while the sender's media has stopped arriving (see FLOW_CHECK_MS). */
  receiving = true;
  private layerHoldTimer: NodeJS.Timeout | null = null;
  /**
   * Set on a resolution change: from then on segments are reported only at exit, each split where
   * the resolution changes (splitResolutions), so every segment keeps one resolution.
   */
  private resolutionChanged = false;
  /** Resolves when the consumer forwards its first packet (see FIRST_MEDIA_WAIT_MS). */
  private firstMedia: (() => void) | null = null;
  private listTimer: NodeJS.Timeout | null = null;
  /** Segment files already announced with 'segment' (registered by the listener, maybe uploaded and deleted). */
  readonly reported = new Set<string>();
  private stderrTail = '';
  private stopping: Promise<void> | null = null;

  /** True once stop() was called (the track ended, or the recording or the server is closing). */
  get stopped(): boolean {
    return this.stopping !== null;
  }
  /** ffmpeg exited before anyone asked it to (killed, crashed, a full disk): the owner restarts it. */
  died = false;
  /** The end of ffmpeg's stderr when it died: why (e.g. "No space left on device"). */
  get lastError(): string {
    return this.stderrTail;
  }
  private port = 0;
  private exited: Promise<void> = Promise.resolve();
  /** Wall clock of media time 0: when the consumer was resumed (its first packet follows at once). */
  startedAt = new Date();

  private readonly segmentSeconds: number;
  private readonly startLimit: Limit;
  /** After a resolution change: the simulcast layer this run records (see LAYER_HOLD_MS). */
  private readonly initialSpatialLayer: number | null;
  private readonly layers: LayerDemand | null;

  constructor(
    readonly dir: string,
    private readonly router: Router,
    readonly producer: Producer,
    options: TrackRecorderOptions,
  ) {
    super();
    this.segmentSeconds = options.segmentSeconds;
    this.startLimit = options.startLimit;
    this.initialSpatialLayer = options.spatialLayer ?? null;
    this.layers = options.layers ?? null;
  }

  /** The layer the recording needs from now on: asked for where the phone learns of it. */
  private wantLayer(consumer: Consumer, spatialLayer: number): Promise<void> {
    return this.layers ? this.layers.want(consumer, spatialLayer) : consumer.setPreferredLayers({ spatialLayer });
  }

  get listFile(): string {
    return path.join(this.dir, 'segments.csv');
  }

  /** Sets up transport, consumer and ffmpeg; resolves once media flows into ffmpeg. */
  async start(): Promise<void> {
    await this.startLimit(() => this.setUp());
    await this.waitForFirstMedia();
  }

  /**
   * A simulcast consumer starts forwarding at a key frame of its layer: the run's time 0 is then,
   * not at resume (outside the start limit: a paused producer must not hold up other set-ups).
   */
  private async waitForFirstMedia(): Promise<void> {
    if (this.consumer?.type !== 'simulcast' || this.consumer.currentLayers) return;
    let timer: NodeJS.Timeout | undefined;
    const flowed = await new Promise<boolean>((resolve) => {
      this.firstMedia = () => resolve(true);
      timer = setTimeout(() => resolve(false), FIRST_MEDIA_WAIT_MS);
      timer.unref();
      void this.exited.then(() => resolve(false));
    });
    clearTimeout(timer);
    this.firstMedia = null;
    if (flowed) this.startedAt = new Date();
  }

  private async setUp(): Promise<void> {
    this.throwIfStopped(); // stopped while queued behind the other recorders' set-ups
    fs.mkdirSync(this.dir, { recursive: true });
    const kind = this.producer.kind;
    this.transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    this.throwIfStopped();
    // Paused until ffmpeg listens: packets sent earlier are lost, and the first key frame with them.
    this.consumer = await this.transport.consume({
      producerId: this.producer.id,
      rtpCapabilities: strippedCapabilities(this.router, this.producer),
      paused: true,
    });
    this.throwIfStopped();
    // Simulcast: mediasoup forwards the best layer that arrives (no bandwidth estimation on this
    // transport); a switch between layers is a switch between resolutions.
    let spatial: number | null = null;
    if (this.initialSpatialLayer !== null && this.consumer.type === 'simulcast') {
      await this.wantLayer(this.consumer, this.initialSpatialLayer);
      const top = (this.producer.rtpParameters.encodings?.length ?? 1) - 1;
      this.layerHoldTimer = setTimeout(() => this.prefer(top), LAYER_HOLD_MS);
    }
    this.consumer.on('layerschange', (layers) => {
      if (layers === undefined || layers === null) return; // paused or no packets: not a change
      this.firstMedia?.();
      if (spatial !== null && layers.spatialLayer !== spatial && !this.resolutionChanged) {
        // mediasoup has switched at a key frame of the new layer. Keep writing until the next run
        // has media (make before break); segments wait for the split at exit.
        this.resolutionChanged = true;
        this.emit('resolutionChange', { from: spatial, to: layers.spatialLayer });
      }
      spatial = layers.spatialLayer;
    });
    const port = await freePortPair();
    this.port = port;
    await this.transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    // Checked last right before ffmpeg is spawned (no await in between): a stop() that came
    // while we were setting up found no ffmpeg to end, so none may be started now.
    this.throwIfStopped();
    fs.writeFileSync(path.join(this.dir, 'input.sdp'), sdpFor(kind, port, this.consumer.rtpParameters));
    const args = [
      '-hide_banner',
      '-loglevel',
      'warning',
      '-nostats',
      // Wait for packets as long as it takes (a paused producer sends none); the default gives up after 10 s.
      '-protocol_whitelist',
      'file,udp,rtp',
      '-listen_timeout',
      '-1',
      '-f',
      'sdp',
      '-i',
      'input.sdp',
      '-map',
      '0:0',
      '-c',
      'copy',
      '-f',
      'segment',
      '-segment_time',
      String(this.segmentSeconds),
      '-segment_format',
      'webm',
      '-reset_timestamps',
      '1',
      '-segment_list',
      'segments.csv',
      '-segment_list_type',
      'csv',
      'seg-%05d.webm',
    ];
    const child = spawnRecorder(args, {
      cwd: this.dir,
      byePort: port + 1,
      bye: rtcpBye(this.consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0),
    });
    this.ffmpeg = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-2000)));
    child.stdin!.on('error', () => undefined); // EPIPE when ffmpeg is already gone
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => void this.onExit(code, signal));
    await waitForUdpBind(port, child);
    await this.consumer.resume();
    this.startedAt = new Date();
    if (kind === 'video') {
      this.consumer.requestKeyFrame().catch(() => undefined);
      this.keyFrameTimer = setInterval(() => void this.consumer?.requestKeyFrame().catch(() => undefined), KEY_FRAME_INTERVAL_MS);
    }
    // ffmpeg appends a line to the list each time it closes a segment.
    this.listTimer = setInterval(() => this.scanList(), 500);
    this.flowTimer = setInterval(() => void this.checkFlow(), FLOW_CHECK_MS);
    this.flowTimer.unref();
    logger.info('start() | recording', { producerId: this.producer.id, kind, port, dir: path.basename(this.dir) });
  }

  /**
   * The phone is about to send simulcast layers up to `spatialLayer` only (a video profile): move
   * the consumer there now, while the current layer still flows. mediasoup switches at the next
   * key frame of that layer, and resolutionChange follows with nothing lost; waiting for the phone
   * to stop the current layer would leave a hole until mediasoup saw it inactive (1-2 s).
   */
  planLayer(spatialLayer: number): void {
    if (this.consumer?.type !== 'simulcast' || this.consumer.closed) return;
    if (this.layerHoldTimer) clearTimeout(this.layerHoldTimer);
    this.layerHoldTimer = null;
    this.prefer(spatialLayer);
  }

  /** The layer this run should record from now on (counted: see nudgeLayer). */
  private prefer(spatialLayer: number): void {
    this.plans++;
    if (this.consumer) void this.wantLayer(this.consumer, spatialLayer).catch(() => undefined);
  }

  private async checkFlow(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || consumer.closed || this.stopping) return;
    const stats = await consumer.getStats().catch(() => null);
    const out = stats?.find((s) => s.type === 'outbound-rtp');
    if (!out || this.stopping) return;
    this.checkLayer(consumer);
    const count = out.packetCount;
    const quiet = count === this.lastPacketCount;
    this.lastPacketCount = count;
    if (!quiet) {
      this.quietChecks = 0;
      if (!this.receiving) {
        this.receiving = true;
        this.emit('flow', { receiving: true, since: new Date() });
      }
    } else if (++this.quietChecks === FLOW_STALL_CHECKS && this.receiving && !this.producer.paused) {
      this.receiving = false;
      this.emit('flow', { receiving: false, since: new Date(Date.now() - FLOW_STALL_CHECKS * FLOW_CHECK_MS) });
    }
  }

  /** Counts the checks below a wanted layer that arrives; asks again after LAYER_NUDGE_CHECKS. */
  private checkLayer(consumer: Consumer): void {
    const current = consumer.currentLayers?.spatialLayer;
    const wanted = consumer.preferredLayers?.spatialLayer;
    const arriving = (layer: number) => this.producer.score.some((s) => s.encodingIdx === layer && s.score > 0);
    if (consumer.type !== 'simulcast' || current === undefined || wanted === undefined || !(current < wanted) || !arriving(wanted)) {
      this.belowChecks = 0;
      return;
    }
    if (++this.belowChecks < LAYER_NUDGE_CHECKS) return;
    this.belowChecks = 0;
    logger.warn('checkLayer() | below the wanted simulcast layer while it arrives: asking again', {
      producerId: this.producer.id,
      current,
      wanted,
      scores: this.producer.score.map((s) => s.score).join(' '),
    });
    void this.nudgeLayer(consumer, current, wanted);
  }

  /**
   * The worker re-evaluates a consumer's layers when its preferred layers change (asking for the
   * same again does nothing): step the preference down to the current layer (no switch: it is the
   * one forwarded) and back up to the wanted one, then ask for a key frame of it.
   */
  private async nudgeLayer(consumer: Consumer, current: number, wanted: number): Promise<void> {
    const plans = this.plans;
    try {
      await consumer.setPreferredLayers({ spatialLayer: current });
      if (plans !== this.plans) return; // another layer was preferred meanwhile (profile, hold)
      await consumer.setPreferredLayers({ spatialLayer: wanted });
      await consumer.requestKeyFrame();
    } catch {
      // closed meanwhile (the run ended): nothing to nudge
    }
  }

  /** stop() during set-up: close what was created so far and end the set-up. */
  private throwIfStopped(): void {
    if (!this.stopping) return;
    this.clearTimers();
    this.closeMedia();
    throw new Error('recorder stopped while it was starting');
  }

  private scanList(): void {
    if (this.resolutionChanged && !this.exitedNow) return; // reported at exit, split (splitResolutions)
    for (const entry of readSegmentList(this.listFile)) {
      if (this.reported.has(entry.name)) continue;
      this.reported.add(entry.name);
      if (!(entry.end > entry.start)) {
        // No media in it (a run stopped before its first frame, e.g. rolled at once by a layer
        // switch): a header-only file that no player can open. Not a segment.
        fs.rmSync(path.join(this.dir, entry.name), { force: true });
        logger.info('scanList() | empty segment dropped', { producerId: this.producer.id, segment: entry.name });
        continue;
      }
      const end = this.cutAt.get(entry.name);
      this.emit('segment', end === undefined ? entry : { ...entry, end: Math.min(entry.end, entry.start + end) });
      const tail = this.splitOff.get(entry.name);
      if (tail) {
        this.reported.add(tail.name);
        this.emit('segment', tail);
      }
    }
  }

  /** Set when ffmpeg has exited: scanList reports what is left, split or not. */
  private exitedNow = false;
  /** Segment name -> where its media ends (s, within the segment) after splitResolutions cut it. */
  private readonly cutAt = new Map<string, number>();
  /** Segments split off by splitResolutions, reported right after the one they came from. */
  private readonly splitOff = new Map<string, ClosedSegment>();

  /**
   * After a resolution change this recorder went on writing until the next run had media, so its
   * last segments may hold frames of both resolutions. mediasoup switches layers at a key frame of
   * the new one, so each such segment is split there (stream copy): the frames before stay in it,
   * the frames from the key frame on become a segment of their own (seg-NNNNN.b.webm), reported
   * right after it. Nothing is dropped.
   */
  private async splitResolutions(): Promise<void> {
    for (const entry of readSegmentList(this.listFile).filter((e) => !this.reported.has(e.name))) {
      const file = path.join(this.dir, entry.name);
      const probe = await runCommand(FFPROBE, [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'frame=width,pts_time,key_frame',
        '-of',
        'json',
        file,
      ]);
      type Frame = { width?: number; pts_time?: string; key_frame?: number };
      const frames = (JSON.parse(probe.stdout || '{}') as { frames?: Frame[] }).frames ?? [];
      const first = frames[0]?.width;
      const cut = frames.findIndex((f) => f.width !== first);
      if (cut <= 0) continue;
      const at = Number(frames[cut]!.pts_time);
      const rest = frames.slice(cut);
      const tailName = entry.name.replace(/\.webm$/, '.b.webm');
      const head = `${file}.head.webm`;
      const cutHead = await runCommand(FFMPEG, ['-v', 'error', '-i', file, '-c', 'copy', '-t', String(at), '-y', head]);
      if (cutHead.code !== 0) throw new Error(`ffmpeg could not cut ${entry.name}: ${cutHead.stderr.slice(-200)}`);
      // The tail only if it starts with its key frame and keeps one resolution (else it is dropped, and logged).
      const tailUsable = rest[0]?.key_frame === 1 && rest.every((f) => f.width === rest[0]!.width);
      if (tailUsable) {
        const tail = await runCommand(FFMPEG, [
          '-v',
          'error',
          '-ss',
          String(at),
          '-i',
          file,
          '-c',
          'copy',
          '-y',
          path.join(this.dir, tailName),
        ]);
        if (tail.code === 0) this.splitOff.set(entry.name, { name: tailName, start: entry.start + at, end: entry.end });
      }
      await fs.promises.rename(head, file);
      this.cutAt.set(entry.name, at);
      logger.info('splitResolutions() | segment split where the resolution changes', {
        producerId: this.producer.id,
        segment: entry.name,
        at,
        tailFrames: rest.length,
        tailKept: this.splitOff.has(entry.name),
      });
    }
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.clearTimers();
    if (this.resolutionChanged)
      await this.splitResolutions().catch((e) =>
        logger.warn('onExit() | could not split the last segments by resolution', { producerId: this.producer.id }, e),
      );
    this.exitedNow = true;
    this.scanList();
    const expected = this.stopped;
    this.died = !expected;
    const error =
      expected && (code === 0 || code === 255)
        ? null
        : `ffmpeg exited (code ${code}, signal ${signal}): ${this.stderrTail.trim().slice(-300)}`;
    if (error) logger.warn('onExit() | recorder ended unexpectedly', { producerId: this.producer.id, code, signal });
    this.closeMedia();
    this.emit('ended', { error });
  }

  private clearTimers(): void {
    if (this.layerHoldTimer) clearTimeout(this.layerHoldTimer);
    this.layerHoldTimer = null;
    if (this.keyFrameTimer) clearInterval(this.keyFrameTimer);
    if (this.listTimer) clearInterval(this.listTimer);
    if (this.flowTimer) clearInterval(this.flowTimer);
    this.keyFrameTimer = this.listTimer = this.flowTimer = null;
  }

  private closeMedia(): void {
    // Closing the transport does not stop ffmpeg; it only stops the packets.
    if (this.transport && !this.transport.closed) this.transport.close();
  }

  private async sendBye(): Promise<void> {
    const ssrc = this.consumer?.rtpParameters.encodings?.[0]?.ssrc ?? 0;
    const socket = dgram.createSocket('udp4');
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => socket.send(rtcpBye(ssrc), this.port + 1, '127.0.0.1', () => resolve()));
      }
    } finally {
      socket.close();
    }
  }

  /** Ends the recording: `q` on stdin makes ffmpeg close the last segment properly. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const child = this.ffmpeg;
      if (!child) {
        // Failed before ffmpeg was spawned: nothing was written, but listeners still hear the end.
        this.clearTimers();
        this.closeMedia();
        this.emit('ended', { error: 'recorder never started' });
        return;
      }
      if (child.exitCode !== null || child.signalCode !== null) return this.exited;
      child.stdin!.end('q');
      this.clearTimers();
      this.closeMedia(); // no more packets: whatever is in ffmpeg's buffers is all there is
      await this.sendBye();
      const timers = [
        setTimeout(() => child.kill('SIGINT'), SIGNAL_GRACE_MS),
        setTimeout(() => child.kill('SIGINT'), SIGNAL_GRACE_MS + 300),
        setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS),
      ];
      await this.exited;
      for (const t of timers) clearTimeout(t);
    })();
    return this.stopping;
  }
}
