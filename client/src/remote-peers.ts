// The other participants of the room, their consumers and the elements that play them.
import type { Consumer, RtpParameters, Transport } from 'mediasoup-client/types';
import type { ConsumerInfo, MediaSource, PeerInfo, PeerState, RequestName, RequestPayload, ResponseData, Role } from '@cloudship/shared';
import { Emitter } from './emitter';
import { errorCode } from './api';
import { spatialLayersOf, watchLayerFit } from './layer-fit';
import type { ClientErrorCode } from './error-codes';
import type { MediaKind, RemoteMedia } from './remote-media';
import { log } from './util';

/** What the UI needs to know about a remote track: absent, flowing, or paused by its sender. */
export type TrackStatus = 'none' | 'live' | 'paused';

export interface RemotePeer {
  id: string;
  /** 'unknown' until `peer.joined` arrives for a peer first seen through one of its consumers. */
  role: Role | 'unknown';
  displayName: string;
  state: PeerState;
  /** The server has had none of its media although it has been producing ('peer.media'). */
  noMedia?: boolean;
  audio: TrackStatus;
  video: TrackStatus;
}

export interface RemoteMediaEvent {
  peerId: string;
  source: MediaSource;
  kind: MediaKind;
  /** null when the track went away. */
  element: HTMLMediaElement | null;
}

export interface InboundStat {
  kind: 'audio' | 'video';
  peerRole: string;
  peerId: string;
  source: MediaSource;
  consumerId: string;
  framesDecoded: number;
  frameWidth: number;
  /** Sum of the decoded frames' quantisers (coarseness; divided by framesDecoded, the mean). */
  qpSum: number;
  bytesReceived: number;
  packetsReceived: number;
  totalSamplesReceived: number;
}

interface ConsumerEntry {
  consumer: Consumer;
  peerId: string;
  source: MediaSource;
  kind: MediaKind;
  producerPaused: boolean;
  /** Stops asking for the layer that fits the element (simulcast video only). */
  stopFit?: () => void;
}

type Request = <N extends RequestName>(name: N, payload: RequestPayload<N>) => Promise<ResponseData[N]>;

export class RemotePeers extends Emitter<{ peers: [RemotePeer[]]; media: [RemoteMediaEvent]; warning: [{ code: ClientErrorCode }] }> {
  private readonly peers = new Map<string, Omit<RemotePeer, 'audio' | 'video'>>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** `consumer.closed` / `consumer.paused|resumed` that arrived while the consumer was being set up. */
  private readonly closedEarly = new Set<string>();
  private readonly pausedEarly = new Map<string, boolean>();

  constructor(
    private readonly media: RemoteMedia,
    private readonly request: Request,
  ) {
    super();
  }

  list(): RemotePeer[] {
    return [...this.peers.values()].map((peer) => ({
      ...peer,
      audio: this.trackStatus(peer.id, 'microphone'),
      video: this.trackStatus(peer.id, 'camera'),
    }));
  }

  element(peerId: string, source: MediaSource): HTMLMediaElement | null {
    return this.media.element(peerId, source);
  }

  /** The peers listed by `room.join` replace whatever we knew. */
  reset(peers: PeerInfo[], selfId: string): void {
    this.peers.clear();
    for (const peer of peers) if (peer.id !== selfId) this.peers.set(peer.id, this.fromInfo(peer));
    this.changed();
  }

  upsert(peer: PeerInfo, selfId: string | null): void {
    if (peer.id === selfId) return;
    // Someone who left and came back is a new peer: drop the stale "gone" entry of the same role,
    // so that the list (and a test looking for the crew's state) shows one current entry.
    for (const [id, known] of this.peers) {
      if (id !== peer.id && known.state === 'gone' && known.role === peer.role) this.peers.delete(id);
    }
    this.peers.set(peer.id, this.fromInfo(peer));
    this.changed();
  }

  /** 'peer.media': whether any of the peer's media has reached the server. */
  setMedia(peerId: string, media: 'none' | 'flowing'): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    peer.noMedia = media === 'none';
    this.changed();
  }

  setState(peerId: string, state: PeerState): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    peer.state = state;
    if (state !== 'reconnecting') peer.noMedia = false;
    if (state === 'gone') {
      for (const [id, entry] of this.consumers) if (entry.peerId === peerId) this.closeConsumer(id);
    }
    this.changed();
  }

  /**
   * Set up a consumer announced by the server. The server created it paused: had it started at
   * once, the key frame sent at its start would arrive before our receiver exists and the picture
   * would stay black until the next key frame. Only once the track is wired to its element do we
   * ask the server to resume it.
   */
  async consume(transport: Transport, info: ConsumerInfo): Promise<void> {
    try {
      if (!this.peers.has(info.peerId)) {
        this.peers.set(info.peerId, { id: info.peerId, role: 'unknown', displayName: '', state: 'connected' });
      }
      const consumer = await transport.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as RtpParameters,
        appData: { peerId: info.peerId, source: info.source },
      });
      if (transport.closed || this.closedEarly.delete(info.consumerId)) {
        consumer.close();
        return;
      }
      this.consumers.set(consumer.id, {
        consumer,
        peerId: info.peerId,
        source: info.source,
        kind: info.kind,
        producerPaused: this.pausedEarly.get(consumer.id) ?? info.producerPaused,
      });
      this.pausedEarly.delete(consumer.id);
      const element = this.media.attach(info.peerId, info.source, info.kind, consumer.track);
      const layers = spatialLayersOf(consumer.rtpParameters);
      if (info.kind === 'video' && layers > 1) {
        this.consumers.get(consumer.id)!.stopFit = watchLayerFit(element, layers, (spatialLayer) =>
          this.request('consumer.setLayer', { consumerId: consumer.id, spatialLayer }),
        );
      }
      this.emit('media', { peerId: info.peerId, source: info.source, kind: info.kind, element });
      this.changed();
      await this.request('consumer.resume', { consumerId: consumer.id });
    } catch (err) {
      if (transport.closed) return; // replaced by a newer join meanwhile
      log('consume() | failed', { consumerId: info.consumerId, code: errorCode(err) });
      this.emit('warning', { code: errorCode(err) });
    }
  }

  closeConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) {
      this.closedEarly.add(consumerId);
      return;
    }
    this.consumers.delete(consumerId);
    entry.stopFit?.();
    const track = entry.consumer.track;
    entry.consumer.close();
    // Only remove the element if it still shows this track (a newer consumer may have taken it).
    if (this.media.detach(entry.peerId, entry.source, track)) {
      this.emit('media', { peerId: entry.peerId, source: entry.source, kind: entry.kind, element: null });
    }
    this.changed();
  }

  /** The sender paused or resumed its producer (muted microphone, camera off). */
  setProducerPaused(consumerId: string, paused: boolean): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) {
      this.pausedEarly.set(consumerId, paused);
      return;
    }
    entry.producerPaused = paused;
    this.changed();
  }

  /** Close every consumer (the transports are about to be replaced); the peers stay listed. */
  closeAll(): void {
    for (const id of [...this.consumers.keys()]) this.closeConsumer(id);
    this.closedEarly.clear();
    this.pausedEarly.clear();
  }

  /** Forget everything (session over). */
  clear(): void {
    this.closeAll();
    this.media.clear();
    this.peers.clear();
    this.changed();
  }

  retryPlayback(): void {
    this.media.retryPlayback();
  }

  /** Inbound RTP statistics of every live consumer (the test hook behind window.cloudship). */
  async inboundStats(): Promise<InboundStat[]> {
    const entries = [...this.consumers.entries()].filter(([, e]) => !e.consumer.closed);
    return Promise.all(
      entries.map(async ([consumerId, entry]) => {
        const report = await entry.consumer.getStats();
        let inbound: Record<string, unknown> | undefined;
        report.forEach((stat: Record<string, unknown>) => {
          if (!inbound && stat.type === 'inbound-rtp') inbound = stat;
        });
        const num = (name: string) => (typeof inbound?.[name] === 'number' ? inbound[name] : 0);
        return {
          kind: entry.kind,
          peerRole: this.peers.get(entry.peerId)?.role ?? 'unknown',
          peerId: entry.peerId,
          source: entry.source,
          consumerId,
          framesDecoded: num('framesDecoded'),
          frameWidth: num('frameWidth'),
          qpSum: num('qpSum'),
          bytesReceived: num('bytesReceived'),
          packetsReceived: num('packetsReceived'),
          totalSamplesReceived: num('totalSamplesReceived'),
        };
      }),
    );
  }

  private trackStatus(peerId: string, source: MediaSource): TrackStatus {
    let status: TrackStatus = 'none';
    for (const entry of this.consumers.values()) {
      if (entry.peerId !== peerId || entry.source !== source) continue;
      if (!entry.producerPaused) return 'live';
      status = 'paused';
    }
    return status;
  }

  private fromInfo(peer: PeerInfo): Omit<RemotePeer, 'audio' | 'video'> {
    return { id: peer.id, role: peer.role, displayName: peer.displayName, state: peer.state };
  }

  private changed(): void {
    this.emit('peers', this.list());
  }
}
