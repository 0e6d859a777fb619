// A participant in a live room: its transports, producers and consumers. The room owns peers; a
// peer owns its mediasoup objects and closes them once (closing a transport closes its producers
// and consumers inside mediasoup; we only drop our references). Its state is private: the room
// changes it through the methods below, everyone else reads it through getters.
import type { Consumer, Producer, RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import type { LeaveReason, MediaSource, PeerInfo, PeerState, Role, ServerToClientEvents } from '@cloudship/shared';

/** How the room talks to a participant; implemented by the signaling layer over socket.io. */
export interface PeerChannel {
  notify<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Ends the connection (after the room has told the participant why). */
  disconnect(): void;
  /**
   * Whether the other end still answers (a ping within `timeoutMs`). A connection whose network
   * went away looks connected until its ping timeout; a new join of the same crew link asks this
   * before refusing it with SEAT_TAKEN. Without it the connection counts as answering.
   */
  answers?(timeoutMs: number): Promise<boolean>;
}

export interface PeerIdentity {
  /** Stable across reconnections: `account:<id>` or `crew:<linkId>`. */
  key: string;
  role: Role;
  accountId: string | null;
  crewLinkId: string | null;
}

export type Direction = 'send' | 'recv';
/** Why the server closed a peer's media while the peer stays (see Peer.closeMedia). */
export type MediaCloseReason = 'rejoin' | 'device-change';

export interface TransportEntry {
  transport: WebRtcTransport;
  direction: Direction;
  /** Set once the client's DTLS parameters are accepted; producing/consuming needs it. */
  connected: boolean;
}

export type PeerProducer = Producer<{ source: MediaSource }>;
export type PeerConsumer = Consumer<{ source: MediaSource; peerId: string }>;

export class Peer {
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, PeerProducer>();
  readonly #consumers = new Map<string, PeerConsumer>();
  #rtpCapabilities: RtpCapabilities | null = null;
  #state: PeerState = 'connected';
  #graceTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #leftWith: LeaveReason | null = null;
  #displayName: string;
  #device: string;
  #channel: PeerChannel;
  #stayId: string;

  constructor(
    /**
     * The id other participants and the features see (the first participant_session row of this
     * seat); it stays when another device takes the seat over.
     */
    readonly id: string,
    readonly identity: PeerIdentity,
    displayName: string,
    device: string,
    channel: PeerChannel,
  ) {
    this.#displayName = displayName;
    this.#device = device;
    this.#channel = channel;
    this.#stayId = id;
  }

  get role(): Role {
    return this.identity.role;
  }
  get displayName(): string {
    return this.#displayName;
  }
  /** The device of the current connection, as its page described it. */
  get device(): string {
    return this.#device;
  }
  /**
   * The participant_session row of the current device's stay: the peer id until another device
   * takes the seat over, then that device's row (the log shows one row per device).
   */
  get stayId(): string {
    return this.#stayId;
  }
  /** Why it left, once closed by its room (null while in the room). */
  get leftWith(): LeaveReason | null {
    return this.#leftWith;
  }
  get channel(): PeerChannel {
    return this.#channel;
  }
  get state(): PeerState {
    return this.#state;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get rtpCapabilities(): RtpCapabilities | null {
    return this.#rtpCapabilities;
  }
  /** True while its signalling is lost and the grace period runs. */
  get inGrace(): boolean {
    return this.#graceTimer !== null;
  }
  get transports(): ReadonlyMap<string, TransportEntry> {
    return this.#transports;
  }
  get producers(): ReadonlyMap<string, PeerProducer> {
    return this.#producers;
  }
  get consumers(): ReadonlyMap<string, PeerConsumer> {
    return this.#consumers;
  }

  /** Sends to this participant unless it is closed. */
  notify<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    if (!this.#closed) this.#channel.notify(event, ...args);
  }

  transportFor(direction: Direction): TransportEntry | undefined {
    for (const entry of this.#transports.values()) if (entry.direction === direction) return entry;
    return undefined;
  }

  info(): PeerInfo {
    return {
      id: this.id,
      role: this.role,
      displayName: this.#displayName,
      state: this.#state,
      producers: [...this.#producers.values()].map((p) => ({
        id: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
    };
  }

  // --- changed by the Room only ---

  /** A new connection takes this peer over (rejoin); returns the previous channel. */
  rebind(channel: PeerChannel, displayName: string, rtpCapabilities: RtpCapabilities, device = this.#device): PeerChannel {
    const previous = this.#channel;
    this.#channel = channel;
    this.#displayName = displayName;
    this.#rtpCapabilities = rtpCapabilities;
    this.#device = device;
    this.cancelGrace();
    return previous;
  }

  /** The current device's stay is logged in another row (a take-over). */
  setStay(stayId: string): void {
    this.#stayId = stayId;
  }

  setRtpCapabilities(caps: RtpCapabilities): void {
    this.#rtpCapabilities = caps;
  }

  /** Returns the previous state, or null when it did not change. */
  setState(state: PeerState): PeerState | null {
    if (this.#state === state) return null;
    const from = this.#state;
    this.#state = state;
    return from;
  }

  startGrace(ms: number, onExpiry: () => void): void {
    this.cancelGrace();
    this.#graceTimer = setTimeout(onExpiry, ms);
    this.#graceTimer.unref();
  }

  cancelGrace(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
  }

  /** At most one transport per direction: the room drops the old one first (dropTransport). */
  addTransport(entry: TransportEntry): void {
    this.dropTransport(entry.direction);
    this.#transports.set(entry.transport.id, entry);
  }

  /** Closes and forgets the transport of this direction, if any (a replacement is coming). */
  dropTransport(direction: Direction): void {
    for (const [id, e] of this.#transports) {
      if (e.direction !== direction) continue;
      e.transport.close();
      this.#transports.delete(id);
    }
  }

  addProducer(producer: PeerProducer): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  addConsumer(consumer: PeerConsumer): void {
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
  }

  /** Why the producers of the last closeMedia() closed, by producer id (the recording's gap cause). */
  readonly #mediaClosedFor = new Map<string, MediaCloseReason>();

  /** Why this producer was closed by the server with the peer's other media, if it was. */
  whyProducerClosed(producerId: string): MediaCloseReason | undefined {
    return this.#mediaClosedFor.get(producerId);
  }

  /**
   * Drops every transport (and so its producers/consumers): before a rejoin sets up anew
   * ('rejoin'), when another device takes the seat over ('device-change'), or as the peer leaves.
   */
  closeMedia(why?: MediaCloseReason): void {
    this.#mediaClosedFor.clear();
    if (why) for (const id of this.#producers.keys()) this.#mediaClosedFor.set(id, why);
    for (const { transport } of this.#transports.values()) transport.close();
    // Producers adopted from elsewhere (a PlainTransport: tests, benchmarks) are not on those transports.
    for (const producer of [...this.#producers.values()]) if (!producer.closed) producer.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
  }

  close(reason: LeaveReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leftWith = reason;
    this.#state = 'gone';
    this.cancelGrace();
    this.closeMedia();
  }
}
