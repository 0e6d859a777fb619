// Local camera and microphone, and their producers on the current send transport.
//
// The tracks outlive the transports: a reconnection or a `room.rejoin` replaces the transport, and
// `attachTransport` produces the same tracks again, so the crew never sees a second permission
// prompt and the camera light never blinks. That is why producers are created with
// `stopTracks: false` (mediasoup-client would otherwise stop our track when the producer closes).
import type { Producer, ProducerOptions, Transport } from 'mediasoup-client/types';
import type { MediaSource, RequestName, RequestPayload, ResponseData, VideoProfile } from '@cloudship/shared';
import { applyVideoProfile, LAYER_MAX_BITRATES, type CameraSettings } from './video-profiles';
import { Emitter } from './emitter';
import { actualFacingMode, getCameraTrack, getMicrophoneTrack, type FacingMode } from './local-media';
import { errorCode } from './api';
import type { ClientErrorCode } from './error-codes';

export type Requester = <N extends RequestName>(name: N, payload: RequestPayload<N>, timeoutMs?: number) => Promise<ResponseData[N]>;

/** One simulcast encoding of the camera as sent now (tests, benchmarks). */
export interface CameraEncoding {
  active: boolean;
  maxFramerate: number | null;
  maxBitrate: number | null;
}

export interface LocalMediaState {
  cameraTrack: MediaStreamTrack | null;
  facingMode: FacingMode;
  microphone: boolean;
  muted: boolean;
}

/**
 * Simulcast: the camera is sent as three layers (1/4, 1/2 and full resolution). The SFU forwards
 * to each receiver the best layer its downlink can take, so a surveyor on a weak link drops to
 * 320x180 instead of freezing, while the recorder keeps the top layer. The bitrate caps keep the
 * crew phone's uplink (often 4G at sea) within about 2 Mbit/s in total; when the uplink is worse,
 * Chrome stops sending the top layers on its own.
 */
const CAMERA_OPTIONS: Partial<ProducerOptions> = {
  encodings: [4, 2, 1].map((scaleResolutionDownBy, i) => ({ scaleResolutionDownBy, maxBitrate: LAYER_MAX_BITRATES[i] })),
  // Start near the middle layer's rate instead of Chrome's 300 kbit/s ramp: sharp picture sooner.
  codecOptions: { videoGoogleStartBitrate: 1000 },
};

/**
 * Speech is mono. In-band FEC hides the packet loss typical of mobile links. 24 kbit/s is
 * wideband speech for Opus; 60 ms packets send a third of the packets of Chrome's 20 ms, and at
 * this rate the headers (IP, UDP, RTP, SRTP: about 60 bytes a packet) were half the audio's
 * cost (bench:data, audio + stills: 0.99 MB/min both ways before).
 */
const MICROPHONE_OPTIONS: Partial<ProducerOptions> = {
  codecOptions: { opusStereo: false, opusFec: true, opusMaxAverageBitrate: 24_000, opusPtime: 60 },
};

const SOURCES: MediaSource[] = ['microphone', 'camera'];

export class Publisher extends Emitter<{ change: [LocalMediaState]; warning: [{ code: ClientErrorCode }] }> {
  private readonly tracks: Partial<Record<MediaSource, MediaStreamTrack>> = {};
  private producers: Partial<Record<MediaSource, Producer>> = {};
  /** One queue per source, so that a produce never races a close or a second produce. */
  private readonly queues: Record<MediaSource, Promise<void>> = { camera: Promise.resolve(), microphone: Promise.resolve() };
  private transport: Transport | null = null;
  private facingMode: FacingMode = 'environment';
  private muted = false;
  private switching = false;
  /** The surveyor's profile and the crew's data saver; re-applied to every new camera producer (after a rejoin). */
  private camera: CameraSettings = { profile: 'auto', dataSaver: false };
  /** Which encodings of which producer someone consumes ('producer.layers'); may come before produce() resolves. */
  private consumedLayers: { producerId: string; active: boolean[] } | null = null;

  constructor(private readonly request: Requester) {
    super();
  }

  get state(): LocalMediaState {
    return {
      cameraTrack: this.tracks.camera ?? null,
      facingMode: this.facingMode,
      microphone: Boolean(this.tracks.microphone),
      muted: this.muted,
    };
  }

  /** A new send transport (first join or rejoin): produce every local track on it. */
  async attachTransport(transport: Transport): Promise<void> {
    this.transport = transport;
    this.producers = {};
    const results = await Promise.allSettled(SOURCES.map((source) => this.publish(source)));
    for (const result of results) {
      if (result.status === 'rejected') this.emit('warning', { code: errorCode(result.reason) });
    }
  }

  /** The transport is being closed (closing it closes its producers). */
  detachTransport(): void {
    for (const producer of Object.values(this.producers)) producer?.close();
    this.producers = {};
    this.transport = null;
  }

  /** Capture (unless `track` is given) and send the camera. */
  async produceCamera({ facingMode = 'environment', track }: { facingMode?: FacingMode; track?: MediaStreamTrack } = {}): Promise<void> {
    const camera = track ?? (await getCameraTrack(facingMode));
    this.replaceLocal('camera', camera);
    this.facingMode = actualFacingMode(camera, facingMode);
    this.changed();
    await this.publish('camera');
  }

  async produceMicrophone({ track }: { track?: MediaStreamTrack } = {}): Promise<void> {
    const microphone = track ?? (await getMicrophoneTrack());
    this.replaceLocal('microphone', microphone);
    this.changed();
    await this.publish('microphone');
  }

  /** Stop sending the camera and release it. */
  async stopCamera(): Promise<void> {
    await this.enqueue('camera', async () => {
      const producer = this.producers.camera;
      delete this.producers.camera;
      this.tracks.camera?.stop();
      delete this.tracks.camera;
      this.changed();
      if (producer) {
        producer.close();
        await this.request('producer.close', { producerId: producer.id }).catch(() => undefined);
      }
    });
  }

  /** Flip between the rear ('environment') and front ('user') camera without renegotiation. */
  async switchCamera(): Promise<void> {
    const current = this.tracks.camera;
    if (!current || this.switching) return;
    this.switching = true;
    const previous = this.facingMode;
    const next: FacingMode = previous === 'environment' ? 'user' : 'environment';
    try {
      // Many Android phones can open only one camera at a time: asking for the other one while the
      // current track is live fails with NotReadableError. So release the current camera first and
      // accept a gap of a few hundred ms; replaceTrack keeps the same RTP stream and producer.
      current.stop();
      let track: MediaStreamTrack;
      try {
        track = await getCameraTrack(next);
      } catch (err) {
        // Reopen the camera we had so the surveyor is not left with a frozen picture.
        track = await getCameraTrack(previous);
        await this.useCameraTrack(track, previous);
        throw err;
      }
      await this.useCameraTrack(track, next);
    } finally {
      this.switching = false;
    }
  }

  /** Send the camera with this profile (video-profiles.ts), now and after every rejoin. */
  async setVideoProfile(profile: VideoProfile): Promise<void> {
    this.camera = { ...this.camera, profile };
    await this.reapplyCamera();
  }

  /** The crew's data saver on or off (video-profiles.ts, DATA_SAVER_LAYERS). */
  async setDataSaver(dataSaver: boolean): Promise<void> {
    this.camera = { ...this.camera, dataSaver };
    await this.reapplyCamera();
  }

  /** The server says which of a producer's simulcast encodings anyone consumes: send only those. */
  async setConsumedLayers(producerId: string, active: boolean[]): Promise<void> {
    this.consumedLayers = { producerId, active };
    await this.reapplyCamera();
  }

  /** The camera's encodings as the profile and the consumed layers say, in the camera's queue. */
  private reapplyCamera(): Promise<void> {
    return this.enqueue('camera', async () => {
      const producer = this.producers.camera;
      if (producer) await applyVideoProfile(producer, this.camera, this.request, this.consumedOf(producer));
    });
  }

  /** The encodings of the camera's own simulcast layers now: active, and the cap on frame rate (tests). */
  cameraEncodings(): CameraEncoding[] {
    const sender = this.producers.camera?.rtpSender;
    if (!sender) return [];
    return sender
      .getParameters()
      .encodings.map((e) => ({ active: e.active !== false, maxFramerate: e.maxFramerate ?? null, maxBitrate: e.maxBitrate ?? null }));
  }

  private consumedOf(producer: Producer): boolean[] | null {
    return this.consumedLayers?.producerId === producer.id ? this.consumedLayers.active : null;
  }

  /** Mute or unmute the microphone: locally (no audio leaves the phone) and on the server. */
  async setMuted(muted: boolean): Promise<void> {
    this.muted = muted;
    this.changed();
    await this.enqueue('microphone', async () => {
      const producer = this.producers.microphone;
      if (!producer) return; // applied when it is produced (see publish)
      if (muted) producer.pause();
      else producer.resume();
      await this.request(muted ? 'producer.pause' : 'producer.resume', { producerId: producer.id });
    });
  }

  /** Release the camera and the microphone for good. */
  stopAll(): void {
    this.detachTransport();
    for (const source of SOURCES) {
      this.tracks[source]?.stop();
      delete this.tracks[source];
    }
    this.changed();
  }

  private async useCameraTrack(track: MediaStreamTrack, requested: FacingMode): Promise<void> {
    this.tracks.camera = track;
    this.facingMode = actualFacingMode(track, requested);
    this.changed();
    await this.producers.camera?.replaceTrack({ track });
  }

  private replaceLocal(source: MediaSource, track: MediaStreamTrack): void {
    const old = this.tracks[source];
    if (old && old !== track) old.stop();
    this.tracks[source] = track;
    const producer = this.producers[source];
    if (producer) void producer.replaceTrack({ track }).catch((err: unknown) => this.emit('warning', { code: errorCode(err) }));
  }

  private publish(source: MediaSource): Promise<void> {
    return this.enqueue(source, async () => {
      const track = this.tracks[source];
      const transport = this.transport;
      if (!track || !transport || transport.closed || this.producers[source]) return;
      // A muted microphone is produced paused (the server creates it paused, so nobody hears a
      // blip), then paused locally too so that no audio leaves the device.
      const paused = source === 'microphone' && this.muted;
      const producer = await transport.produce({
        track,
        stopTracks: false,
        ...(source === 'camera' ? CAMERA_OPTIONS : MICROPHONE_OPTIONS),
        appData: { source, paused },
      });
      if (transport !== this.transport || transport.closed) {
        producer.close();
        return;
      }
      if (paused) producer.pause();
      producer.on('trackended', () => this.emit('warning', { code: 'MEDIA_BUSY' }));
      this.producers[source] = producer;
      if (source === 'camera' && (this.camera.profile !== 'auto' || this.camera.dataSaver || this.consumedOf(producer))) {
        await applyVideoProfile(producer, this.camera, this.request, this.consumedOf(producer)).catch((err: unknown) =>
          this.emit('warning', { code: errorCode(err) }),
        );
      }
    });
  }

  private enqueue(source: MediaSource, task: () => Promise<void>): Promise<void> {
    const run = this.queues[source].then(task, task);
    this.queues[source] = run.catch(() => undefined);
    return run;
  }

  private changed(): void {
    this.emit('change', this.state);
  }
}
