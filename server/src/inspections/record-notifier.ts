// Pushes record events to the people in an inspection's live room (if it has one). The record
// services never touch socket.io or the Room internals: they call this.
import type { ServerToClientEvents } from '@cloudship/shared';
import type { RoomRegistry } from '../session/room-registry';

export interface RecordNotifier {
  /** Sends to every connected peer of the inspection matching `who`; returns how many. */
  notify<E extends keyof ServerToClientEvents>(
    inspectionId: string,
    who: 'crew' | 'staff' | 'all',
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): number;
}

export function roomNotifier(rooms: RoomRegistry): RecordNotifier {
  return {
    notify(inspectionId, who, event, ...args) {
      const room = rooms.get(inspectionId);
      if (!room || room.closed) return 0;
      let sent = 0;
      for (const peer of room.peers.values()) {
        if (peer.closed || peer.state === 'gone') continue;
        const isCrew = peer.role === 'crew';
        if (who === 'all' || (who === 'crew') === isCrew) {
          peer.channel.notify(event, ...args);
          sent++;
        }
      }
      return sent;
    },
  };
}
