// The live room of one inspection: a mediasoup router and its peers. It never touches socket.io;
// it speaks to participants through their PeerChannel. Every method that a client triggers
// validates the lifecycle (joined? transport connected? whose transport?) and throws a coded
// AppError, so a confused or hostile client cannot disturb the others; the caps it holds to
// (participants, transports, producers, consumers) are in limits.ts.
import { EventEmitter } from 'node:events';
import type { Router, RtpCapabilities, Worker, DtlsParameters, RtpParameters, WebRtcTransportOptions } from 'mediasoup/types';
import {
  AppError,
  can,
  type ConsumerInfo,
  type JoinResult,
  type LeaveReason,
  type MediaSource,
  type PeerState,
  type Permission,
  type Role,
  type RoomCloseReason,
  type ServerToClientEvents,
  type TransportInfo,
} from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { MEDIA_CODECS } from '../media/media-config';
import { LayerDemand } from './layer-demand';
import { LIMITS, SEAT_PROBE_TIMEOUT_MS } from './limits';
import { Peer, type Direction, type PeerChannel, type PeerConsumer, type PeerIdentity, type PeerProducer } from './peer';

const logger = new Logger('room');

export interface RoomHooks {
  /** Persists a new participant stay; returns its id (used as the peer id). */
  participantJoined(p: { inspectionId: string; identity: PeerIdentity; displayName: string; device: string }): Promise<string>;
  /** Ends a participant stay (`stayId`: Peer.stayId). */
  participantLeft(stayId: string, reason: LeaveReason): Promise<void>;
  /**
   * Another device took the seat over: the stay `stayId` ends with 'taken-over' and a stay of the
   * new device begins; returns its row id.
   */
  participantReplaced(p: {
    stayId: string;
    inspectionId: string;
    identity: PeerIdentity;
    displayName: string;
    device: string;
  }): Promise<string>;
  /** Called once when the first participant joins. */
  roomWentLive(inspectionId: string): Promise<void>;
  /**
   * Before a room is created: throws (a coded AppError) when the inspection may not have a live
   * room any more, so a socket still connected after the end cannot open a new one.
   */
  assertMayOpen(inspectionId: string): Promise<void>;
}

export interface JoinRequest {
  displayName: string;
  device: string;
  rtpCapabilities: RtpCapabilities;
  /** Take a crew link's seat over from another connection that holds it (after SEAT_TAKEN). */
  takeOver?: boolean;
}

/**
 * A crew link is one seat: a second phone must ask to take it over (SEAT_TAKEN, then takeOver). A
 * staff account's second tab takes its seat over silently.
 */
function seatIsExclusive(identity: PeerIdentity): boolean {
  return identity.role === 'crew';
}

export interface RoomOptions {
  inspectionId: string;
  worker: Worker;
  transportOptions: WebRtcTransportOptions;
  reconnectGraceMs: number;
  /** Tell each phone which simulcast layers someone consumes (default true; layer-demand.ts). */
  onlyConsumedLayers?: boolean;
  hooks: RoomHooks;
}

/**
 * What a room tells the server-side features built on it (recording, metrics...). Listeners run
 * synchronously; one that throws is logged and does not disturb the room (see safeEmit).
 */
export interface RoomEvents {
  peerJoined: [peer: Peer, rejoined: boolean];
  peerLeft: [peer: Peer, reason: LeaveReason];
  producerAdded: [peer: Peer, producer: PeerProducer];
  /**
   * The peer's camera is about to send only simulcast layers up to `spatialLayer` (a video profile
   * was chosen): consumers that must not lose a frame (the recorder) move to it now, while the
   * layers they leave still flow.
   */
  layersPlanned: [peer: Peer, producer: PeerProducer, spatialLayer: number];
  close: [reason: RoomCloseReason];
}

/** Who a broadcast reaches: everyone joined, minus `except`, narrowed by permission and/or role. */
export interface BroadcastFilter {
  except?: Peer;
  permission?: Permission;
  role?: Role;
}

/** Participants are told 'inspection.ended' when it ended, 'room.rejoin' for every other close. */
const CLOSE_EVENT: Record<RoomCloseReason, 'inspection.ended' | 'room.rejoin'> = {
  'inspection-ended': 'inspection.ended',
  'media-server-restarted': 'room.rejoin',
  'server-shutdown': 'room.rejoin',
  // Nobody is left to tell.
  empty: 'room.rejoin',
};

export class Room extends EventEmitter<RoomEvents> {
  readonly #peers = new Map<string, Peer>();
  /** Per identity key: the tail of its joins, which run one after the other (serially()). */
  readonly #seating = new Map<string, Promise<void>>();
  /** Joins in progress: the room is not empty while one may still seat someone. */
  #joining = 0;
  /** New seats checked against the participant cap whose rows are being written. */
  #newSeats = 0;
  /** Runs while the room has nobody in it: an empty room closes after the reconnect grace. */
  #emptyTimer: NodeJS.Timeout | null = null;
  #closedWith: RoomCloseReason | null = null;
  /** Every line of this room's log carries its inspection id. */
  private readonly log: Logger;
  #closed = false;
  /**
   * The still the crew is shown frozen (guide.freeze) until the surveyor releases it, or null. It
   * is the one photo a crew link may fetch (GET /api/crew/evidence/:id/file): a link cannot read
   * the inspection's other evidence.
   */
  shownStill: string | null = null;
  /** Which simulcast layers of each camera someone consumes; the sending phone is told. */
  readonly layers: LayerDemand;

  private constructor(
    readonly inspectionId: string,
    readonly worker: Worker,
    readonly router: Router,
    private readonly options: RoomOptions,
  ) {
    super();
    this.log = logger.child({ inspectionId });
    this.layers = new LayerDemand(router, (producer, active) => this.announceLayers(producer.id, active));
    this.closeWhenEmpty();
  }

  /** Tells the peer sending `producerId` which of its simulcast encodings someone consumes. */
  private announceLayers(producerId: string, active: boolean[]): void {
    if (this.options.onlyConsumedLayers === false) return;
    for (const peer of this.#peers.values()) {
      if (!peer.producers.has(producerId) || peer.closed) continue;
      this.log.debug(`layers | ${active.map((on) => (on ? '1' : '0')).join('')}`, { ...this.ctx(peer), producerId });
      peer.notify('producer.layers', { producerId, active });
    }
  }

  /**
   * A room nobody is in (everyone left, or it was opened and never joined) closes once the
   * reconnect grace has passed without anyone (re)joining: its router and recording end with it.
   */
  private closeWhenEmpty(): void {
    if (this.#peers.size > 0 || this.#joining > 0 || this.#emptyTimer || this.#closed) return;
    this.#emptyTimer = setTimeout(() => {
      this.#emptyTimer = null;
      if (this.#peers.size === 0 && this.#joining === 0) void this.close('empty');
    }, this.options.reconnectGraceMs);
    this.#emptyTimer.unref();
  }

  private cancelCloseWhenEmpty(): void {
    if (this.#emptyTimer) clearTimeout(this.#emptyTimer);
    this.#emptyTimer = null;
  }

  private safeEmit<E extends keyof RoomEvents>(event: E, ...args: RoomEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: RoomEvents[E]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error(`safeEmit() | a '${event}' listener threw`, {}, e);
    }
  }

  static async create(options: RoomOptions): Promise<Room> {
    const router = await options.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    logger.info('create() | room opened', { inspectionId: options.inspectionId, workerPid: options.worker.pid });
    return new Room(options.inspectionId, options.worker, router, options);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The joined participants (a reconnecting one included, until its grace period ends). */
  get peers(): ReadonlyMap<string, Peer> {
    return this.#peers;
  }

  onClose(listener: () => void): void {
    this.on('close', listener);
  }

  /**
   * Sends one event to every joined participant that matches the filter: every feature that
   * tells the room something (peer state, record changes, positions, camera) goes through here.
   * Returns how many were sent to.
   */
  broadcast<E extends keyof ServerToClientEvents>(
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
    filter: BroadcastFilter = {},
  ): number {
    let sent = 0;
    for (const peer of this.#peers.values()) {
      if (peer === filter.except || peer.closed) continue;
      if (filter.permission && !can(peer.role, filter.permission)) continue;
      if (filter.role && peer.role !== filter.role) continue;
      (peer.notify as (e: E, p: typeof payload) => void)(event, payload);
      sent++;
    }
    return sent;
  }

  private ctx(peer: Peer) {
    return { participantId: peer.id };
  }

  peerByIdentity(key: string): Peer | undefined {
    for (const p of this.#peers.values()) if (p.identity.key === key) return p;
    return undefined;
  }

  /**
   * Adds a participant, or gives the existing peer of the same identity to the new connection: a
   * reconnection, a reload or a staff account's second tab take it over at once (its old
   * transports are closed, its participant row and id are kept, and the others see it go back to
   * 'connected' instead of a second participant appearing). A crew link is one seat: while another
   * connection holds it and still answers, a new one is refused with SEAT_TAKEN unless it asks to
   * take over (`takeOver`: the old one is told `session.replaced` and disconnected, the staff are
   * told `peer.deviceChanged`, and the log gets a row for the new device).
   *
   * Joins of one identity run one after the other (serially()), so that the check "is this
   * identity in the room?" and taking the seat are never separated by another join's await: a storm
   * of joins with one crew token ends with one participant. New seats are counted against the
   * participant cap from the moment they are checked, before their row is written.
   */
  async join(identity: PeerIdentity, channel: PeerChannel, req: JoinRequest): Promise<{ peer: Peer; result: JoinResult }> {
    this.assertOpen();
    this.cancelCloseWhenEmpty();
    this.#joining++;
    try {
      return await this.serially(identity.key, () => this.seat(identity, channel, req));
    } finally {
      this.#joining--;
      // A join that failed (its row could not be written, the room closed meanwhile, a refusal)
      // leaves the room as empty as before.
      this.closeWhenEmpty();
    }
  }

  /** Runs `work` after every earlier join of the same identity key has settled. */
  private serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#seating.get(key) ?? Promise.resolve();
    const next = previous.then(work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#seating.set(key, tail);
    void tail.then(() => {
      if (this.#seating.get(key) === tail) this.#seating.delete(key);
    });
    return next;
  }

  private async seat(identity: PeerIdentity, channel: PeerChannel, req: JoinRequest): Promise<{ peer: Peer; result: JoinResult }> {
    this.assertOpen();
    let peer = this.peerByIdentity(identity.key);
    if (peer && peer.channel === channel) throw new AppError('INVALID_STATE', 'Already joined.');
    if (peer && seatIsExclusive(identity) && !peer.inGrace) {
      // Another connection holds the seat and looks connected. A phone that changed networks
      // leaves such a connection behind (dead, but not timed out yet): ask it before refusing.
      const answers = (await peer.channel.answers?.(SEAT_PROBE_TIMEOUT_MS)) ?? true;
      this.assertOpen();
      // Only this identity's joins (serialised here) seat it, so the peer is the same or gone.
      if (this.peerByIdentity(identity.key) !== peer) peer = undefined;
      else if (answers && !peer.inGrace) {
        if (!req.takeOver) throw new AppError('SEAT_TAKEN', 'A phone is already connected with this link.');
        return this.takeOver(peer, channel, req);
      }
    }
    return peer ? this.rejoin(peer, channel, req) : this.addPeer(identity, channel, req);
  }

  /** The same participant on a new connection: the old one is gone, in its grace, or a second tab. */
  private rejoin(peer: Peer, channel: PeerChannel, req: JoinRequest): { peer: Peer; result: JoinResult } {
    peer.closeMedia('rejoin'); // the others' consumers of it close too ('consumer.closed')
    const previous = peer.rebind(channel, req.displayName, req.rtpCapabilities);
    if (previous !== channel) previous.disconnect();
    this.log.info('join() | participant rejoined', this.ctx(peer));
    return this.seated(peer, true);
  }

  /** Another device takes a crew link's seat over from a connection that still answers. */
  private async takeOver(peer: Peer, channel: PeerChannel, req: JoinRequest): Promise<{ peer: Peer; result: JoinResult }> {
    const previousStay = peer.stayId;
    const previousDevice = peer.device;
    peer.closeMedia('device-change');
    const previous = peer.rebind(channel, req.displayName, req.rtpCapabilities, req.device);
    previous.notify('session.replaced', { reason: 'taken-over' });
    previous.disconnect();
    this.log.info('join() | seat taken over by another device', { ...this.ctx(peer), from: previousDevice, to: req.device });
    this.broadcast('peer.deviceChanged', { peerId: peer.id, device: req.device }, { except: peer, permission: 'inspection.read' });
    const seated = this.seated(peer, true);
    // The log, once the seat is taken: the previous device's stay ends ('taken-over') and the new
    // device's begins. The peer id (what the others and the features know) stays.
    try {
      const stayId = await this.options.hooks.participantReplaced({
        stayId: previousStay,
        inspectionId: this.inspectionId,
        identity: peer.identity,
        displayName: req.displayName,
        device: req.device,
      });
      peer.setStay(stayId);
      // It left while the row was written: close the new row too.
      if (peer.closed) await this.options.hooks.participantLeft(stayId, peer.leftWith ?? 'left');
    } catch (e) {
      this.log.error('join() | could not log the device change', this.ctx(peer), e);
    }
    return seated;
  }

  private async addPeer(identity: PeerIdentity, channel: PeerChannel, req: JoinRequest): Promise<{ peer: Peer; result: JoinResult }> {
    if (this.#peers.size + this.#newSeats >= LIMITS.participantsPerRoom) {
      throw new AppError('LIMIT_REACHED', `This live session is full: at most ${LIMITS.participantsPerRoom} participants.`);
    }
    this.#newSeats++;
    let id: string;
    try {
      id = await this.options.hooks.participantJoined({
        inspectionId: this.inspectionId,
        identity,
        displayName: req.displayName,
        device: req.device,
      });
    } finally {
      this.#newSeats--;
    }
    if (this.#closed) {
      // The room closed while the row was written: the stay ended with it.
      await this.options.hooks.participantLeft(id, this.#closedWith ?? 'left').catch(() => undefined);
      this.assertOpen();
    }
    const peer = new Peer(id, identity, req.displayName, req.device, channel);
    peer.setRtpCapabilities(req.rtpCapabilities);
    this.#peers.set(peer.id, peer);
    this.cancelCloseWhenEmpty();
    if (this.#peers.size === 1) await this.options.hooks.roomWentLive(this.inspectionId);
    this.log.info('join() | participant joined', { ...this.ctx(peer), role: identity.role });
    return this.seated(peer, false);
  }

  private seated(peer: Peer, rejoined: boolean): { peer: Peer; result: JoinResult } {
    this.setState(peer, 'connected');
    this.safeEmit('peerJoined', peer, rejoined);
    this.broadcast('peer.joined', peer.info(), { except: peer });
    const peers = [...this.#peers.values()].filter((p) => p !== peer).map((p) => p.info());
    return { peer, result: { participantId: peer.id, role: peer.role, peers } };
  }

  async createTransport(peer: Peer, direction: Direction): Promise<TransportInfo> {
    this.assertJoined(peer);
    // One transport per direction: a new request replaces the old one (a client recovering from
    // a failed ICE connection does exactly this).
    peer.dropTransport(direction);
    const transport = await this.router.createWebRtcTransport({
      ...this.options.transportOptions,
      appData: { peerId: peer.id, direction },
    });
    if (peer.closed) {
      transport.close();
      throw new AppError('INVALID_STATE', 'You left the room.');
    }
    // A concurrent request of the same direction may have added one meanwhile: this one replaces
    // it (addTransport drops it), so a peer never has more than LIMITS.transportsPerParticipant.
    peer.addTransport({ transport, direction, connected: false });
    transport.on('icestatechange', (state) =>
      this.log.debug(`transport ice -> ${state}`, { ...this.ctx(peer), transportId: transport.id }),
    );
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed')
        this.log.info(`transport dtls -> ${state}`, { ...this.ctx(peer), transportId: transport.id });
    });
    if (direction === 'recv') await this.consumeAllFor(peer);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const entry = this.transportOf(peer, transportId);
    if (entry.connected) throw new AppError('INVALID_STATE', 'This transport is already connected.');
    await entry.transport.connect({ dtlsParameters });
    entry.connected = true;
  }

  async restartIce(peer: Peer, transportId: string): Promise<unknown> {
    return this.transportOf(peer, transportId).transport.restartIce();
  }

  async produce(
    peer: Peer,
    req: { transportId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters; source: MediaSource; paused: boolean },
  ): Promise<string> {
    const entry = this.transportOf(peer, req.transportId);
    if (entry.direction !== 'send') throw new AppError('INVALID_STATE', 'Produce on a send transport.');
    if (!entry.connected) throw new AppError('INVALID_STATE', 'Connect the transport before producing.');
    if (!can(peer.role, req.kind === 'video' ? 'media.produceVideo' : 'media.produceAudio')) {
      throw new AppError('FORBIDDEN', `Your role may not send ${req.kind}.`);
    }
    const expectedKind = req.source === 'camera' ? 'video' : 'audio';
    if (req.kind !== expectedKind) throw new AppError('BAD_REQUEST', `A ${req.source} track must be ${expectedKind}.`);
    if (this.producersOf(peer, req.source) >= LIMITS.producersPerSource) {
      throw new AppError('INVALID_STATE', `You already send your ${req.source}.`);
    }
    const producer = await entry.transport.produce({
      kind: req.kind,
      rtpParameters: req.rtpParameters,
      paused: req.paused,
      appData: { source: req.source },
    });
    if (peer.closed) {
      producer.close();
      throw new AppError('INVALID_STATE', 'You left the room.');
    }
    // Two produce requests of one source racing each other: the first one created keeps it.
    if (this.producersOf(peer, req.source) >= LIMITS.producersPerSource) {
      producer.close();
      throw new AppError('INVALID_STATE', `You already send your ${req.source}.`);
    }
    this.log.info('produce() | producer created', { ...this.ctx(peer), kind: req.kind, source: req.source });
    await this.adoptProducer(peer, producer);
    return producer.id;
  }

  private producersOf(peer: Peer, source: MediaSource): number {
    let n = 0;
    for (const p of peer.producers.values()) if (p.appData.source === source) n++;
    return n;
  }

  /** Announces that `peer`'s `producer` will soon send layers up to `spatialLayer` only (see RoomEvents). */
  planLayers(peer: Peer, producer: PeerProducer, spatialLayer: number): void {
    this.assertJoined(peer);
    this.safeEmit('layersPlanned', peer, producer, spatialLayer);
  }

  /**
   * Makes a producer the peer's and announces it as produce() does: the features hear
   * 'producerAdded' (recording) and every other peer gets a consumer. produce() uses it for WebRTC
   * producers; tests and benchmarks use it for producers fed over a PlainTransport.
   */
  async adoptProducer(peer: Peer, producer: PeerProducer): Promise<void> {
    this.assertJoined(peer);
    peer.addProducer(producer);
    this.safeEmit('producerAdded', peer, producer);
    for (const other of this.#peers.values()) if (other !== peer) await this.consume(other, peer, producer.id);
  }

  /**
   * Makes a consumer created outside the room's WebRTC transports the peer's (a PlainTransport:
   * benchmarks), so that what the room does per consumer (load, key frame requests) counts it.
   */
  adoptConsumer(peer: Peer, consumer: PeerConsumer): void {
    this.assertJoined(peer);
    if (peer.consumers.size >= LIMITS.consumersPerParticipant) {
      throw new AppError('LIMIT_REACHED', `At most ${LIMITS.consumersPerParticipant} consumers per participant.`);
    }
    peer.addConsumer(consumer);
  }

  private producerOf(peer: Peer, producerId: string) {
    const producer = peer.producers.get(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'No such producer of yours.');
    return producer;
  }

  async pauseProducer(peer: Peer, producerId: string): Promise<void> {
    await this.producerOf(peer, producerId).pause();
  }

  async resumeProducer(peer: Peer, producerId: string): Promise<void> {
    await this.producerOf(peer, producerId).resume();
  }

  closeProducer(peer: Peer, producerId: string): void {
    this.producerOf(peer, producerId).close(); // the peer forgets it on its 'close'
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new AppError('NOT_FOUND', 'No such consumer of yours.');
    await consumer.resume();
  }

  /** The simulcast layer one of the peer's video consumers needs (the size it is shown at). */
  async setConsumerLayer(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
    this.assertJoined(peer);
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new AppError('NOT_FOUND', 'No such consumer of yours.');
    if (consumer.type !== 'simulcast') throw new AppError('INVALID_STATE', 'This consumer has no simulcast layers.');
    await this.layers.want(consumer, spatialLayer);
  }

  /** Creates consumers on `peer` for every producer of every other peer. */
  private async consumeAllFor(peer: Peer): Promise<void> {
    for (const other of this.#peers.values()) {
      if (other === peer) continue;
      for (const producerId of other.producers.keys()) await this.consume(peer, other, producerId);
    }
  }

  private async consume(consumerPeer: Peer, producerPeer: Peer, producerId: string): Promise<void> {
    const recv = consumerPeer.transportFor('recv');
    const caps = consumerPeer.rtpCapabilities;
    const producer = producerPeer.producers.get(producerId);
    if (!recv || !caps || !producer || !can(consumerPeer.role, 'media.consume')) return;
    if (!this.router.canConsume({ producerId, rtpCapabilities: caps })) {
      this.log.warn('consume() | client cannot decode this producer', { ...this.ctx(consumerPeer), producerId });
      return;
    }
    if (!this.hasRoomForConsumer(consumerPeer, producerId)) return;
    // Created paused: the client resumes it (consumer.resume) once its side is set up, otherwise
    // the key frame mediasoup asks for at resume time could arrive before the client can decode.
    const consumer = await recv.transport.consume({
      producerId,
      rtpCapabilities: caps,
      paused: true,
      appData: { source: producer.appData.source, peerId: producerPeer.id },
    });
    // Consumers created concurrently for the same participant are counted again once made.
    if (consumerPeer.closed || !this.hasRoomForConsumer(consumerPeer, producerId)) {
      consumer.close();
      return;
    }
    consumerPeer.addConsumer(consumer);
    consumer.on('producerclose', () => consumerPeer.notify('consumer.closed', { consumerId: consumer.id }));
    consumer.on('producerpause', () => consumerPeer.notify('consumer.paused', { consumerId: consumer.id }));
    consumer.on('producerresume', () => consumerPeer.notify('consumer.resumed', { consumerId: consumer.id }));
    const info: ConsumerInfo = {
      consumerId: consumer.id,
      producerId,
      peerId: producerPeer.id,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    };
    consumerPeer.notify('consumer.new', info);
  }

  /** Nobody asked for this consumer, so nobody gets an error: beyond the cap it is skipped and logged. */
  private hasRoomForConsumer(peer: Peer, producerId: string): boolean {
    if (peer.consumers.size < LIMITS.consumersPerParticipant) return true;
    this.log.warn(`consume() | LIMIT_REACHED: at most ${LIMITS.consumersPerParticipant} consumers per participant`, {
      ...this.ctx(peer),
      producerId,
    });
    return false;
  }

  /**
   * The participant's signaling connection dropped. Its media may still flow, so nothing is
   * closed yet: the others see 'reconnecting', and the peer is removed only when the grace
   * period passes without a rejoin.
   */
  connectionLost(peer: Peer): void {
    if (peer.closed || this.#peers.get(peer.id) !== peer) return;
    this.setState(peer, 'reconnecting');
    peer.startGrace(this.options.reconnectGraceMs, () => void this.leave(peer, 'connection-lost'));
  }

  /**
   * The media watchdog saw the peer's media stop or resume while its signalling looked fine (a
   * network cut shorter than the socket's ping timeout): the others see 'reconnecting' meanwhile.
   * While the signalling itself is lost (grace timer running), connectionLost/join decide.
   */
  setMediaInterrupted(peer: Peer, interrupted: boolean): void {
    if (peer.closed || this.#peers.get(peer.id) !== peer || peer.inGrace) return;
    this.setState(peer, interrupted ? 'reconnecting' : 'connected');
  }

  /**
   * The participant's media has never reached us although it has been producing for a while (the
   * media watchdog), or it now has: the others see it as 'reconnecting' meanwhile and are told
   * why ('peer.media'), so the console says "no media connection" about the crew, as the phone does.
   */
  setMediaNeverArrived(peer: Peer, none: boolean): void {
    if (peer.closed || this.#peers.get(peer.id) !== peer || peer.inGrace) return;
    this.setState(peer, none ? 'reconnecting' : 'connected');
    this.broadcast('peer.media', { peerId: peer.id, media: none ? 'none' : 'flowing' }, { except: peer });
  }

  private setState(peer: Peer, state: PeerState): void {
    const from = peer.setState(state);
    if (from === null) return;
    this.log.info(`setState() | ${from} -> ${state}`, this.ctx(peer));
    this.broadcast('peer.state', { peerId: peer.id, state }, { except: peer });
  }

  async leave(peer: Peer, reason: 'left' | 'connection-lost'): Promise<void> {
    if (peer.closed || this.#peers.get(peer.id) !== peer) return;
    peer.close(reason);
    this.#peers.delete(peer.id);
    this.broadcast('peer.left', { peerId: peer.id, reason });
    this.closeWhenEmpty();
    this.log.info('leave() | participant left', { ...this.ctx(peer), reason });
    this.safeEmit('peerLeft', peer, reason);
    await this.options.hooks
      .participantLeft(peer.stayId, reason)
      .catch((e) => this.log.error('leave() | could not log the leave', this.ctx(peer), e));
  }

  /**
   * Closes the room: tells everyone why ('inspection.ended' or 'room.rejoin', from the reason),
   * closes every peer and the router, and records each participant's leave. Idempotent.
   */
  async close(reason: RoomCloseReason): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedWith = reason;
    this.cancelCloseWhenEmpty();
    const event = CLOSE_EVENT[reason];
    const peers = [...this.#peers.values()];
    for (const peer of peers) peer.notify(event, { reason });
    this.#peers.clear();
    for (const peer of peers) peer.close(reason);
    if (!this.router.closed) this.router.close();
    this.log.info('close() | room closed', { reason });
    this.safeEmit('close', reason);
    await Promise.all(peers.map((p) => this.options.hooks.participantLeft(p.stayId, reason).catch(() => undefined)));
    // The room disconnects no one: the crew's credential died with the inspection, and the
    // revocation (signaling's one place for it) tells those sockets `session.revoked` and closes
    // them. Cutting them here raced it and could close a socket before it was told why.
  }

  private transportOf(peer: Peer, transportId: string) {
    this.assertJoined(peer);
    const entry = peer.transports.get(transportId);
    if (!entry) throw new AppError('NOT_FOUND', 'No such transport of yours.');
    return entry;
  }

  private assertJoined(peer: Peer): void {
    this.assertOpen();
    if (peer.closed || this.#peers.get(peer.id) !== peer) throw new AppError('INVALID_STATE', 'Join the room first.');
  }

  private assertOpen(): void {
    if (this.#closed) throw new AppError('INSPECTION_ENDED', 'This live session is closed.');
  }
}
