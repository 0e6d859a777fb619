// The live room of one inspection, as seen from a browser (surveyor console and crew phone).
//
// Join sequence (shared/protocol.ts): room.getCapabilities -> Device.load -> room.join -> create the
// recv and send transports -> produce the local tracks. The server then pushes `consumer.new` for
// every remote producer. Every (re)connection of the socket and every `room.rejoin` runs the whole
// sequence again from scratch on fresh transports; the local tracks survive (see publisher.ts).
import type { Device } from 'mediasoup-client';
import type { ConnectionState, IceParameters, RtpCapabilities, Transport } from 'mediasoup-client/types';
import type { Handshake, RequestName, RequestPayload, ResponseData, Role, ServerToClientEvents, VideoProfile } from '@cloudship/shared';
import type { CaptureRequestedEvent, ConclusionView, EvidenceView } from '@cloudship/shared';
import { Emitter } from './emitter';
import type { EndInspectionRequest, RecordingStateEvent } from '@cloudship/shared';
import { errorCode } from './api';
import { MediaWatchdog, type LinkStatus } from './media-watchdog';
import type { FacingMode } from './local-media';
import { Publisher, type CameraEncoding, type LocalMediaState } from './publisher';
import { RemoteMedia } from './remote-media';
import { RemotePeers, type InboundStat, type RemoteMediaEvent, type RemotePeer } from './remote-peers';
import { isClientErrorCode, type ClientErrorCode } from './error-codes';
import { DefaultReconnectPolicy, RetrySchedule, type ReconnectPolicy } from './reconnect-policy';
import { createSignalingSocket, request, SignalingError, type SignalingSocket } from './signaling';
import { createDevice, createTransport } from './transports';
import { describeDevice, log } from './util';

export type { LocalMediaState } from './publisher';
export type { InboundStat, RemoteMediaEvent, RemotePeer } from './remote-peers';

export type SessionState = 'idle' | 'connecting' | 'joining' | 'connected' | 'reconnecting' | 'failed' | 'ended' | 'closed';
/** States a session never leaves: the page shows why and offers what to do next. */
export const FINAL_SESSION_STATES: readonly SessionState[] = ['failed', 'ended', 'closed'];
export const isFinalSessionState = (state: SessionState): boolean => FINAL_SESSION_STATES.includes(state);

/** Refusals that another attempt cannot fix: the page shows the message and stops. */
const FATAL_CODES: readonly ClientErrorCode[] = [
  'UNAUTHENTICATED',
  'LINK_EXPIRED',
  'LINK_REVOKED',
  'FORBIDDEN',
  'ACCOUNT_DISABLED',
  'PASSWORD_CHANGE_REQUIRED',
  'UNSUPPORTED_BROWSER',
  'INSECURE_CONTEXT',
  'SEAT_TAKEN', // another phone holds the crew link: the page offers to take it over
  'SESSION_REPLACED', // another phone took it over
];

export type LiveSessionEvents = {
  state: [SessionState, { code?: ClientErrorCode }];
  peers: [RemotePeer[]];
  remoteMedia: [RemoteMediaEvent];
  localMedia: [LocalMediaState];
  transport: [{ direction: 'send' | 'recv'; state: ConnectionState }];
  /** While connected: nothing arrives over the media transports (a cut, seen in ~2.5 s), or flows again. */
  link: [LinkStatus];
  ended: [{ reason: string }];
  autoplayBlocked: [];
  warning: [{ code: ClientErrorCode }];
  /** Whether the inspection is being recorded. */
  recording: [RecordingStateEvent];
  /** Inspection record: the surveyor asks this phone for a still (crew only). */
  captureRequested: [CaptureRequestedEvent];
  /** New evidence stored (staff only). */
  evidenceAdded: [EvidenceView];
  /** The surveyor concluded; the crew is asked to acknowledge. */
  concluded: [ConclusionView];
  /** Staff: a participant goes on from another device (a crew phone taken over). */
  deviceChanged: [{ peerId: string; device: string }];
  /** Crew: this phone's data saver as the server has it now. */
  dataSaver: [boolean];
};

export interface LiveSessionOptions {
  auth: Handshake;
  /** Crew: when the consent screen was accepted; sent with room.join and stored by the server. */
  consentedAt?: string;
  /** Crew: SHA-256 of the consent text shown, sealed with the consent. */
  consentTextSha256?: string;
  displayName: string;
  /** Staff sockets carry the session cookie. */
  withCredentials?: boolean;
  /** Where remote <audio> elements are placed (a hidden container by default). */
  audioContainer?: HTMLElement;
  /**
   * Crew: take the link's seat over from another phone that holds it (the crew chose to, after
   * SEAT_TAKEN). Sent with the first join only: a rejoin of this phone finds its own seat.
   */
  takeOver?: boolean;
  /** When to try again (DefaultReconnectPolicy unless given). */
  reconnectPolicy?: ReconnectPolicy;
}

/** `navigator.connection` (Chromium, Android WebView): fires 'change' when the network type changes. */
function networkInformation(): EventTarget | null {
  return (navigator as Navigator & { connection?: EventTarget }).connection ?? null;
}

/** Thrown inside a join that a newer join has replaced; never reported. */
class StaleJoin extends Error {}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a replaced join rejects it with nobody waiting
  return { promise, resolve, reject };
}

export class LiveSession extends Emitter<LiveSessionEvents> {
  /** The last recording.state from the server (null before the first). */
  recordingState: RecordingStateEvent | null = null;
  /** Crew: whether this phone's data saver is on (room.join's answer, then 'video.dataSaver'). */
  dataSaver = false;

  /** Surveyor's recording switch. */
  async setRecording(on: boolean): Promise<void> {
    await this.request(on ? 'recording.start' : 'recording.stop', {});
  }

  private socket: SignalingSocket | null = null;
  private _state: SessionState = 'idle';
  private _failureCode: ClientErrorCode | undefined;
  private generation = 0;
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private recvReady: Deferred<Transport> = deferred();
  private hasJoined = false;
  private lastServerKick = 0;
  /** Failed join attempts since the last successful join, timed for the policy. */
  private readonly retries: RetrySchedule;
  private readonly policy: ReconnectPolicy;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSignallingReconnect = 0;
  /** TURN/STUN servers from the last room.join (time-limited credentials). */
  private iceServers: RTCIceServer[] = [];
  /** Listeners of server events added by features (position, camera control...), kept across sockets. */
  private readonly serverListeners: Array<[string, (...args: never[]) => void]> = [];
  private readonly publisher: Publisher;
  private readonly remote: RemotePeers;
  private readonly watchdog: MediaWatchdog;
  participantId: string | null = null;
  role: Role | null = null;

  constructor(private readonly options: LiveSessionOptions) {
    super();
    this.policy = options.reconnectPolicy ?? new DefaultReconnectPolicy();
    this.retries = new RetrySchedule(this.policy);
    const audioContainer = options.audioContainer ?? LiveSession.hiddenContainer();
    const media = new RemoteMedia(audioContainer, () => this.emit('autoplayBlocked'));
    this.remote = new RemotePeers(media, (name, payload) => this.request(name, payload));
    this.remote.on('peers', (peers) => this.emit('peers', peers));
    this.remote.on('media', (event) => this.emit('remoteMedia', event));
    this.remote.on('warning', (w) => this.emit('warning', w));
    this.publisher = new Publisher((name, payload, timeoutMs) => this.request(name, payload, timeoutMs));
    this.publisher.on('change', (state) => this.emit('localMedia', state));
    this.publisher.on('warning', (w) => this.emit('warning', w));
    this.watchdog = new MediaWatchdog({
      read: () =>
        Promise.all(
          [this.sendTransport, this.recvTransport]
            .filter((t): t is Transport => t !== null && !t.closed)
            .map(async (t) => ({ id: t.id, report: await t.getStats() })),
        ),
      expecting: () => {
        const { cameraTrack, microphone, muted } = this.publisher.state;
        const consuming = this.remote.list().some((p) => p.state === 'connected' && (p.audio === 'live' || p.video === 'live'));
        return cameraTrack !== null || (microphone && !muted) || consuming;
      },
      onChange: (link) => {
        log(`link | ${link.stalled ? 'stalled: nothing received' : 'flowing again'}`, { silentMs: link.silentMs });
        this.emit('link', link);
      },
    });
  }

  get state(): SessionState {
    return this._state;
  }

  /** Why the session failed (an error code), once it has. */
  get failureCode(): ClientErrorCode | undefined {
    return this._failureCode;
  }

  /** Connected, but nothing has arrived over the media transports for 2 s (see media-watchdog.ts). */
  get linkStalled(): boolean {
    return this.watchdog.stalled;
  }

  get peers(): RemotePeer[] {
    return this.remote.list();
  }

  get local(): LocalMediaState {
    return this.publisher.state;
  }

  /** The element showing a remote peer's camera or microphone, if any. */
  remoteElement(peerId: string, source: 'camera' | 'microphone'): HTMLMediaElement | null {
    return this.remote.element(peerId, source);
  }

  /** Connect and join. Resolves once joined; rejects with a coded error when it cannot be. */
  start(): Promise<void> {
    if (this.socket) return Promise.reject(new SignalingError('INVALID_STATE', 'already started'));
    const done = new Promise<void>((resolve, reject) => {
      const off = this.on('state', (state, { code }) => {
        if (state === 'connected') resolve();
        else if (isFinalSessionState(state))
          reject(new SignalingError(code ?? (state === 'ended' ? 'INSPECTION_ENDED' : 'DISCONNECTED'), state));
        else return;
        off();
      });
    });
    const socket = createSignalingSocket(this.options.auth, this.options.withCredentials ?? false, this.policy.socket);
    this.socket = socket;
    this.wireSocket(socket);
    this.setState('connecting');
    socket.connect();
    window.addEventListener('online', this.onNetworkChange);
    networkInformation()?.addEventListener('change', this.onNetworkChange);
    return done;
  }

  /**
   * The phone's network changed (Wi-Fi -> mobile data, back online): the ICE candidate pair in use
   * is dead, and waiting for the transports to go 'failed' takes 15-20 s. Restart ICE at once when
   * the signalling is up; otherwise let socket.io try now instead of after its back-off.
   */
  private readonly onNetworkChange = (): void => {
    if (this.isFinal() || !this.socket) return;
    log('network | changed, restarting ICE', { online: navigator.onLine });
    if (!this.socket.connected) {
      this.socket.connect();
      return;
    }
    for (const transport of [this.sendTransport, this.recvTransport]) {
      if (transport && !transport.closed) void this.restartIce(transport, this.generation);
    }
  };

  produceCamera(options: { facingMode?: FacingMode; track?: MediaStreamTrack } = {}): Promise<void> {
    return this.publisher.produceCamera(options);
  }

  produceMicrophone(options: { track?: MediaStreamTrack } = {}): Promise<void> {
    return this.publisher.produceMicrophone(options);
  }

  stopCamera(): Promise<void> {
    return this.publisher.stopCamera();
  }

  switchCamera(): Promise<void> {
    return this.publisher.switchCamera();
  }

  setMuted(muted: boolean): Promise<void> {
    return this.publisher.setMuted(muted);
  }

  /** After autoplay was refused: call from a click handler. */
  resumeAudio(): void {
    this.remote.retryPlayback();
  }

  /** End the inspection for everyone (surveyor); `toBeContinued`: before a conclusion, to finish later. */
  async endInspection(options: EndInspectionRequest = {}): Promise<void> {
    await this.request('inspection.end', options);
    this.finish('ended', { reason: 'ended' });
  }

  /** Leave the room politely, then release everything. */
  async leave(): Promise<void> {
    await this.request('room.leave', {}, 2_000).catch(() => undefined);
    this.close();
  }

  /** Release everything at once (page hidden, navigation). */
  close(): void {
    this.finish('closed', {});
  }

  /** Test hook: inbound RTP statistics of every live consumer. */
  inboundStats(): Promise<InboundStat[]> {
    return this.remote.inboundStats();
  }

  request<N extends RequestName>(name: N, payload: RequestPayload<N>, timeoutMs?: number): Promise<ResponseData[N]> {
    if (!this.socket) return Promise.reject(new SignalingError('DISCONNECTED', 'not started'));
    return request(this.socket, name, payload, timeoutMs);
  }

  /** Listen to a server event of the protocol (features built on the session). Returns `off`. */
  onServer<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    const entry: [string, (...args: never[]) => void] = [event, listener];
    this.serverListeners.push(entry);
    (this.socket as unknown as { on(e: string, l: unknown): void } | null)?.on(event, listener);
    return () => {
      const i = this.serverListeners.indexOf(entry);
      if (i >= 0) this.serverListeners.splice(i, 1);
      (this.socket as unknown as { off(e: string, l: unknown): void } | null)?.off(event, listener);
    };
  }

  /** The current media transports (for statistics: data used, network quality). */
  mediaTransports(): { send: Transport | null; recv: Transport | null } {
    return { send: this.sendTransport, recv: this.recvTransport };
  }

  /** Send the camera with a video profile (the surveyor's choice, see video-profiles.ts). */
  setVideoProfile(profile: VideoProfile): Promise<void> {
    return this.publisher.setVideoProfile(profile);
  }

  /** Crew: turn the data saver on or off (the server answers with 'video.dataSaver'). */
  async setDataSaver(on: boolean): Promise<void> {
    await this.request('video.setDataSaver', { on });
  }

  private applyDataSaver(on: boolean): void {
    this.dataSaver = on;
    this.publisher.setDataSaver(on).catch((err: unknown) => this.emit('warning', { code: errorCode(err) }));
    this.emit('dataSaver', on);
  }

  /** The camera's simulcast encodings as sent now (what the profile and the consumers left on). */
  cameraEncodings(): CameraEncoding[] {
    return this.publisher.cameraEncodings();
  }

  private wireSocket(socket: SignalingSocket): void {
    for (const [event, listener] of this.serverListeners) (socket as unknown as { on(e: string, l: unknown): void }).on(event, listener);
    socket.on('connect', () => void this.join());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', (err) => this.onConnectError(err));
    socket.on('peer.joined', (peer) => this.remote.upsert(peer, this.participantId));
    socket.on('recording.state', (s) => {
      this.recordingState = s;
      this.emit('recording', s);
    });
    socket.on('peer.state', ({ peerId, state }) => this.remote.setState(peerId, state));
    socket.on('peer.media', ({ peerId, media }) => this.remote.setMedia(peerId, media));
    socket.on('peer.left', ({ peerId }) => this.remote.setState(peerId, 'gone'));
    socket.on('consumer.new', (info) => {
      const gen = this.generation;
      // Consumers may be announced before our transport.create ack is processed: wait for the
      // receive transport of this join (a newer join rejects the wait and the consumer is dropped;
      // the server announces the producers again to the new join).
      this.recvReady.promise.then(
        (transport) => {
          if (gen === this.generation) void this.remote.consume(transport, info);
        },
        () => undefined,
      );
    });
    socket.on('consumer.closed', ({ consumerId }) => this.remote.closeConsumer(consumerId));
    socket.on('consumer.paused', ({ consumerId }) => this.remote.setProducerPaused(consumerId, true));
    socket.on('consumer.resumed', ({ consumerId }) => this.remote.setProducerPaused(consumerId, false));
    socket.on('video.dataSaver', ({ peerId, on }) => {
      // Staff hear of the crew's; only the phone's own changes its camera.
      if (peerId === this.participantId) this.applyDataSaver(on);
    });
    socket.on('producer.layers', ({ producerId, active }) => {
      this.publisher.setConsumedLayers(producerId, active).catch((err: unknown) => this.emit('warning', { code: errorCode(err) }));
    });
    socket.on('inspection.ended', ({ reason }) => this.finish('ended', { reason }));
    // Another phone took this crew link over: stop here instead of reconnecting and taking it back.
    socket.on('session.replaced', () => this.finish('failed', { code: 'SESSION_REPLACED' }));
    socket.on('peer.deviceChanged', (event) => this.emit('deviceChanged', event));
    socket.on('evidence.captureRequested', (event) => this.emit('captureRequested', event));
    socket.on('evidence.added', (evidence) => this.emit('evidenceAdded', evidence));
    socket.on('inspection.concluded', (conclusion) => this.emit('concluded', conclusion));
    socket.on('room.rejoin', ({ reason }) => {
      log('room.rejoin | media server restarted, joining again', { reason });
      void this.join();
    });
  }

  private async join(): Promise<void> {
    if (this.isFinal()) return;
    clearTimeout(this.retryTimer);
    const gen = ++this.generation;
    this.teardown();
    const recvReady = (this.recvReady = deferred<Transport>());
    this.setState(this.hasJoined ? 'reconnecting' : 'joining');
    const current = () => {
      if (gen !== this.generation) throw new StaleJoin();
    };
    try {
      const { routerRtpCapabilities } = await this.request('room.getCapabilities', {});
      current();
      const device = createDevice();
      await device.load({ routerRtpCapabilities: routerRtpCapabilities as RtpCapabilities });
      const joined = await this.request('room.join', {
        displayName: this.options.displayName,
        device: describeDevice(),
        rtpCapabilities: device.rtpCapabilities,
        ...(this.options.consentedAt ? { consentedAt: this.options.consentedAt } : {}),
        ...(this.options.consentTextSha256 ? { consentTextSha256: this.options.consentTextSha256 } : {}),
        ...(this.options.takeOver && !this.hasJoined ? { takeOver: true } : {}),
      });
      current();
      this.participantId = joined.participantId;
      this.iceServers = joined.iceServers ?? [];
      // Before the camera is produced: its first encodings follow the data saver.
      if (joined.dataSaver !== undefined) this.applyDataSaver(joined.dataSaver);
      this.role = joined.role;
      this.remote.reset(joined.peers, joined.participantId);
      // Both transports in parallel (one round trip less on a phone link); the receive transport
      // is released to waiting consumers as soon as it exists.
      const [, send] = await Promise.all([
        this.createTransport(device, 'recv', gen).then((t) => (recvReady.resolve(t), t)),
        this.createTransport(device, 'send', gen),
      ]);
      current();
      await this.publisher.attachTransport(send);
      current();
      this.hasJoined = true;
      this.retries.reset();
      log('join() | joined', { participantId: joined.participantId, role: joined.role, peers: joined.peers.length });
      this.setState('connected');
    } catch (err) {
      if (err instanceof StaleJoin || gen !== this.generation) return;
      this.onJoinFailed(errorCode(err), gen);
    }
  }

  private async createTransport(device: Device, direction: 'send' | 'recv', gen: number): Promise<Transport> {
    const info = await this.request('transport.create', { direction });
    if (gen !== this.generation) throw new StaleJoin();
    const transport = createTransport(device, direction, info, (name, payload) => this.request(name, payload), this.iceServers);
    if (direction === 'send') this.sendTransport = transport;
    else this.recvTransport = transport;
    transport.on('connectionstatechange', (state) => {
      log(`transport ${direction} | connection -> ${state}`);
      this.emit('transport', { direction, state });
      if (state === 'failed' && gen === this.generation) void this.restartIce(transport, gen);
    });
    return transport;
  }

  /**
   * A transport that stays cut for more than ~10 s goes `failed` and does not come back by itself:
   * it needs an ICE restart on both ends. If that request gets no answer, the WebSocket is probably
   * stuck in TCP back-off (messages were seen arriving 18 s late), so open a fresh one; the
   * reconnection runs the whole join again.
   */
  private async restartIce(transport: Transport, gen: number): Promise<void> {
    try {
      const { iceParameters } = await this.request('transport.restartIce', { transportId: transport.id }, this.policy.iceRestartTimeoutMs);
      if (gen !== this.generation || transport.closed) return;
      await transport.restartIce({ iceParameters: iceParameters as IceParameters });
    } catch (err) {
      if (gen !== this.generation || this.isFinal()) return;
      log('restartIce() | failed, reconnecting the signalling', { code: errorCode(err) });
      this.reconnectSignalling();
    }
  }

  private onJoinFailed(code: ClientErrorCode, gen: number): void {
    log('join() | failed', { code });
    if (code === 'INSPECTION_ENDED') return this.finish('ended', { reason: code });
    if (FATAL_CODES.includes(code)) return this.finish('failed', { code });
    if (code === 'DISCONNECTED') return; // the 'connect' handler joins again
    if (code === 'TIMEOUT') return this.reconnectSignalling();
    // INTERNAL, INVALID_STATE, NOT_FOUND...: retry with back-off on the same connection.
    const delay = this.retries.next();
    if (delay === null) return this.finish('failed', { code });
    this.setState('reconnecting', { code });
    this.retryTimer = setTimeout(() => {
      if (gen === this.generation && this.socket?.connected) void this.join();
    }, delay);
  }

  private onDisconnect(reason: string): void {
    if (this.isFinal()) return;
    log(`socket | disconnected (${reason})`);
    // Media may keep flowing over WebRTC meanwhile; the transports are rebuilt on reconnection.
    this.setState('reconnecting', { code: 'DISCONNECTED' });
    if (reason === 'io server disconnect') {
      // The server closed this socket on purpose and socket.io will not reconnect by itself. Try
      // once more: the handshake then says why (LINK_REVOKED, INSPECTION_ENDED...). Being thrown
      // out twice within 30 s is final, not a ping-pong.
      const now = Date.now();
      if (now - this.lastServerKick < this.policy.serverKickWindowMs) return this.finish('failed', { code: 'DISCONNECTED' });
      this.lastServerKick = now;
      setTimeout(() => !this.isFinal() && this.socket?.connect(), this.policy.serverKickRetryMs);
    }
  }

  private onConnectError(err: Error): void {
    if (this.isFinal()) return;
    // `active` stays true while socket.io keeps retrying (server unreachable); a refusal by the
    // server's handshake middleware deactivates the socket and carries our error code.
    if (this.socket?.active) {
      this.setState(this.hasJoined ? 'reconnecting' : 'connecting', { code: 'NETWORK' });
      return;
    }
    const code: ClientErrorCode = isClientErrorCode(err.message) ? err.message : 'NETWORK';
    log('socket | handshake refused', { code });
    if (code === 'INSPECTION_ENDED') return this.finish('ended', { reason: code });
    if (FATAL_CODES.includes(code)) return this.finish('failed', { code });
    this.setState(this.hasJoined ? 'reconnecting' : 'connecting', { code });
    setTimeout(() => !this.isFinal() && this.socket?.connect(), this.policy.handshakeRetryMs);
  }

  /** Drop the current WebSocket and open a new one (the 'connect' handler joins again). */
  private reconnectSignalling(): void {
    const socket = this.socket;
    if (!socket || this.isFinal()) return;
    // Both transports fail together after a cut: one fresh connection is enough.
    if (Date.now() - this.lastSignallingReconnect < this.policy.signallingReconnectWindowMs) return;
    this.lastSignallingReconnect = Date.now();
    socket.disconnect();
    socket.connect();
  }

  /** Close the transports and consumers of the current join; local tracks stay. */
  private teardown(): void {
    this.recvReady.reject(new StaleJoin());
    this.remote.closeAll();
    this.publisher.detachTransport();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
  }

  private finish(state: 'ended' | 'failed' | 'closed', detail: { code?: ClientErrorCode; reason?: string }): void {
    if (this.isFinal()) return;
    // The final state first: the socket's own 'disconnect' event below must find it final.
    this.setState(state, { code: detail.code });
    this.generation++;
    clearTimeout(this.retryTimer);
    this.teardown();
    this.publisher.stopAll();
    this.remote.clear();
    this.socket?.disconnect();
    window.removeEventListener('online', this.onNetworkChange);
    networkInformation()?.removeEventListener('change', this.onNetworkChange);
    if (state === 'ended') this.emit('ended', { reason: detail.reason ?? 'ended' });
  }

  private isFinal(): boolean {
    return isFinalSessionState(this._state);
  }

  private setState(state: SessionState, detail: { code?: ClientErrorCode } = {}): void {
    if (state === this._state && !detail.code) return;
    log(`state | ${this._state} -> ${state}`, detail.code ? { code: detail.code } : '');
    this._state = state;
    if (state === 'failed') this._failureCode = detail.code;
    if (state === 'connected') this.watchdog.start();
    else this.watchdog.stop();
    this.emit('state', state, detail);
  }

  private static hiddenContainer(): HTMLElement {
    const div = document.createElement('div');
    div.hidden = true;
    div.dataset.testid = 'remote-audio-container';
    document.body.appendChild(div);
    return div;
  }
}
