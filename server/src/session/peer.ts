// A participant in a live room: its transports, producers and consumers. The room owns peers; a
// peer owns its mediasoup objects and closes them once (closing a transport closes its producers
// and consumers inside mediasoup; we only drop our references).
import type { Consumer, Producer, RtpCapabilities, WebRtcTransport } from 'mediasoup/node/lib/types';
import type { MediaSource, PeerInfo, PeerState, Role, ServerToClientEvents } from '@cloudship/shared';

/** How the room talks to a participant; implemented by the signaling layer over socket.io. */
export interface PeerChannel {
  notify<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Ends the connection (after the room has told the participant why). */
  disconnect(): void;
}

export interface PeerIdentity {
  /** Stable across reconnections: `account:<id>` or `crew:<linkId>`. */
  key: string;
  role: Role;
  accountId: string | null;
  crewLinkId: string | null;
}

export type Direction = 'send' | 'recv';

export interface TransportEntry {
  transport: WebRtcTransport;
  direction: Direction;
  /** Set once the client's DTLS parameters are accepted; producing/consuming needs it. */
  connected: boolean;
}

export class Peer {
  readonly transports = new Map<string, TransportEntry>();
  readonly producers = new Map<string, Producer<{ source: MediaSource }>>();
  readonly consumers = new Map<string, Consumer<{ source: MediaSource; peerId: string }>>();
  rtpCapabilities: RtpCapabilities | null = null;
  state: PeerState = 'connected';
  graceTimer: NodeJS.Timeout | null = null;
  closed = false;

  constructor(
    /** The participant_session row id; also the peer id other participants see. */
    readonly id: string,
    readonly identity: PeerIdentity,
    public displayName: string,
    public device: string,
    public channel: PeerChannel,
  ) {}

  get role(): Role {
    return this.identity.role;
  }

  transportFor(direction: Direction): TransportEntry | undefined {
    for (const entry of this.transports.values()) if (entry.direction === direction) return entry;
    return undefined;
  }

  info(): PeerInfo {
    return {
      id: this.id,
      role: this.role,
      displayName: this.displayName,
      state: this.state,
      producers: [...this.producers.values()].map((p) => ({
        id: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
    };
  }

  /** Drops every transport (and so its producers/consumers), e.g. before a rejoin sets up anew. */
  closeMedia(): void {
    for (const { transport } of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.closeMedia();
  }
}
