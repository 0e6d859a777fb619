// Pushes record events to the people in an inspection's live room (if it has one). The record
// services never touch socket.io or the Room internals: they call this, and it calls the room's
// one broadcast().
import type { ServerToClientEvents } from '@cloudship/shared';
import type { RoomRegistry } from '../session/room-registry';

export interface RecordNotifier {
  /** Sends to every connected peer of the inspection matching `who`; returns how many. */
  notify<E extends keyof ServerToClientEvents>(
    inspectionId: string,
    who: 'crew' | 'staff' | 'all',
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): number;
}

export function roomNotifier(rooms: RoomRegistry): RecordNotifier {
  return {
    notify(inspectionId, who, event, payload) {
      const room = rooms.get(inspectionId);
      if (!room || room.closed) return 0;
      if (who === 'crew') return room.broadcast(event, payload, { role: 'crew' });
      // Staff: everyone but the crew (the room's roles are crew or staff).
      if (who === 'staff') return room.broadcast(event, payload, { permission: 'inspection.read' });
      return room.broadcast(event, payload);
    },
  };
}
