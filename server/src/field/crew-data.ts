// The crew's mobile data as the server counts it, for the surveyor's console (the phone shows its
// own count). Every DATA_INTERVAL_MS the WebRTC transports of each crew phone in a room are read
// (mediasoup's transport stats: bytes received and sent, RTP, RTCP, DTLS and ICE; and the current
// bitrates), added to what the phone's earlier transports carried (a reconnection replaces them),
// and the staff are told ('peer.data'). The total starts with the phone's stay in the room.
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';

export const DATA_INTERVAL_MS = 2_000;

interface Count {
  /** Bytes of transports the phone no longer has (their last reading). */
  closed: number;
  /** The last reading of each transport it has, by id. */
  live: Map<string, number>;
}

export class CrewDataService {
  private readonly counts = new WeakMap<Peer, Count>();

  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => this.watch(room));
    return this;
  }

  private watch(room: Room): void {
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return; // a slow read (a busy worker) is not stacked up
      polling = true;
      void this.poll(room).finally(() => (polling = false));
    }, DATA_INTERVAL_MS);
    timer.unref();
    room.onClose(() => clearInterval(timer));
  }

  private async poll(room: Room): Promise<void> {
    for (const peer of room.peers.values()) {
      if (peer.role !== 'crew' || peer.closed) continue;
      const count = this.counts.get(peer) ?? { closed: 0, live: new Map<string, number>() };
      this.counts.set(peer, count);
      const now = new Map<string, number>();
      let bitrate = 0;
      for (const { transport } of peer.transports.values()) {
        const [stats] = await transport.getStats().catch(() => []);
        if (!stats) continue;
        now.set(transport.id, stats.bytesReceived + stats.bytesSent);
        bitrate += (stats.recvBitrate ?? 0) + (stats.sendBitrate ?? 0);
      }
      for (const [id, bytes] of count.live) if (!now.has(id)) count.closed += bytes;
      count.live = now;
      let bytes = count.closed;
      for (const b of now.values()) bytes += b;
      if (room.closed || peer.closed) continue;
      room.broadcast('peer.data', { peerId: peer.id, bytes, bitrate }, { except: peer, permission: 'camera.control' });
    }
  }
}
