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
 * Stopping: `q` on stdin is read between packets, so it only works while media flows. When the
 * producer is gone ffmpeg sits in a blocking read; an RTCP BYE on its RTCP port makes the sdp
 * demuxer return end-of-file, and ffmpeg finishes the segment properly (trailer, cues). Signals
 * are the fallback: a second SIGINT interrupts the read but loses the segment's buffered cluster.
 */
const SIGNAL_GRACE_MS = 4000;
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
   * to one resolution each, so the service starts a new run (hence a new segment) on this.
   */
  resolutionChange: [{ from: number; to: number }];
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
}

export class TrackRecorder extends EventEmitter<TrackRecorderEvents> {
  private transport: PlainTransport | null = null;
  private consumer: Consumer | null = null;
  private ffmpeg: ChildProcess | null = null;
  private keyFrameTimer: NodeJS.Timeout | null = null;
  private layerHoldTimer: NodeJS.Timeout | null = null;
  /** Set on a resolution change: the frames that reached ffmpeg after it are cut off at exit. */
  private trimTail = false;
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
  }

  get listFile(): string {
    return path.join(this.dir, 'segments.csv');
  }

  /** Sets up transport, consumer and ffmpeg; resolves once media flows into ffmpeg. */
  async start(): Promise<void> {
    await this.startLimit(() => this.setUp());
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
      await this.consumer.setPreferredLayers({ spatialLayer: this.initialSpatialLayer });
      const top = (this.producer.rtpParameters.encodings?.length ?? 1) - 1;
      this.layerHoldTimer = setTimeout(
        () => void this.consumer?.setPreferredLayers({ spatialLayer: top }).catch(() => undefined),
        LAYER_HOLD_MS,
      );
    }
    this.consumer.on('layerschange', (layers) => {
      if (layers === undefined || layers === null) return; // paused or no packets: not a change
      if (spatial !== null && layers.spatialLayer !== spatial) {
        // Stop the flow into this file at once: mediasoup has switched at a key frame of the new
        // layer, and every further frame belongs in the next segment.
        this.consumer?.pause().catch(() => undefined);
        this.trimTail = true;
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
    logger.info('start() | recording', { producerId: this.producer.id, kind, port, dir: path.basename(this.dir) });
  }

  /** stop() during set-up: close what was created so far and end the set-up. */
  private throwIfStopped(): void {
    if (!this.stopping) return;
    this.clearTimers();
    this.closeMedia();
    throw new Error('recorder stopped while it was starting');
  }

  private scanList(): void {
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
    }
  }

  /** Segment name -> media time (s, within the segment) where it was cut by cutNewResolution. */
  private readonly cutAt = new Map<string, number>();

  /**
   * mediasoup switches layers at a key frame of the new one and forwards it at once, before we can
   * pause: the last segment then ends with a frame or two at the new resolution. Cut those off
   * (stream copy up to the first such frame), so every segment has one resolution; the next run
   * starts with its own key frame of the new resolution.
   */
  private async cutNewResolution(): Promise<void> {
    const last = readSegmentList(this.listFile)
      .filter((e) => !this.reported.has(e.name))
      .at(-1);
    if (!last) return;
    const file = path.join(this.dir, last.name);
    const probe = await runCommand(FFPROBE, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=width,pts_time',
      '-of',
      'json',
      file,
    ]);
    const frames = (JSON.parse(probe.stdout || '{}') as { frames?: Array<{ width?: number; pts_time?: string }> }).frames ?? [];
    const first = frames[0]?.width;
    const cut = frames.findIndex((f) => f.width !== first);
    if (cut <= 0) return;
    const at = Number(frames[cut]!.pts_time);
    const tmp = `${file}.cut.webm`;
    const r = await runCommand(FFMPEG, ['-v', 'error', '-i', file, '-c', 'copy', '-t', String(at), '-y', tmp]);
    if (r.code !== 0) throw new Error(`ffmpeg could not cut ${last.name}: ${r.stderr.slice(-200)}`);
    await fs.promises.rename(tmp, file);
    this.cutAt.set(last.name, at);
    logger.info('cutNewResolution() | last segment cut before the new resolution', {
      producerId: this.producer.id,
      segment: last.name,
      at,
      dropped: frames.length - cut,
    });
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.clearTimers();
    if (this.trimTail)
      await this.cutNewResolution().catch((e) =>
        logger.warn('onExit() | could not trim the last segment', { producerId: this.producer.id }, e),
      );
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
    this.keyFrameTimer = this.listTimer = null;
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
