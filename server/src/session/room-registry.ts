// Owns the live rooms: one per inspection, created on first join (concurrent creation of the same
// room is serialised through a shared promise) and only while the inspection may have one (asked
// before and again after the router is created), removed when it closes. When a mediasoup worker
// dies, its rooms are closed with 'room.rejoin' so participants come back on a healthy worker.
import { EventEmitter } from 'node:events';
import type { Worker, WebRtcTransportOptions } from 'mediasoup/types';
import type { RoomCloseReason } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { WorkerPool } from '../media/worker-pool';
import { Room, type RoomHooks } from './room';

const logger = new Logger('rooms');

/** 'roomCreated' lets features attach to each new room (e.g. recording) without touching this class. */
export class RoomRegistry extends EventEmitter<{ roomCreated: [Room] }> {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly transportOptions: WebRtcTransportOptions,
    private readonly reconnectGraceMs: number,
    private readonly hooks: RoomHooks,
    /** Whether phones are told to send only the simulcast layers someone consumes. */
    private readonly onlyConsumedLayers = true,
  ) {
    super();
    pool.on('workerDied', (worker) => void this.onWorkerDied(worker));
  }

  get(inspectionId: string): Room | undefined {
    return this.rooms.get(inspectionId);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  async getOrCreate(inspectionId: string): Promise<Room> {
    const existing = this.rooms.get(inspectionId);
    if (existing && !existing.closed) return existing;
    let pending = this.creating.get(inspectionId);
    if (!pending) {
      pending = this.hooks
        .assertMayOpen(inspectionId)
        .then(() => this.pool.pick((worker) => this.load(worker)))
        .then((worker) =>
          Room.create({
            inspectionId,
            worker,
            transportOptions: this.transportOptions,
            reconnectGraceMs: this.reconnectGraceMs,
            onlyConsumedLayers: this.onlyConsumedLayers,
            hooks: this.hooks,
          }),
        )
        .then(async (room) => {
          this.rooms.set(inspectionId, room);
          room.onClose(() => {
            if (this.rooms.get(inspectionId) === room) this.rooms.delete(inspectionId);
          });
          try {
            this.emit('roomCreated', room);
          } catch (e) {
            logger.error('getOrCreate() | a roomCreated listener threw', { inspectionId }, e);
          }
          // The inspection may have ended while the router was being created: whoever closed its
          // room then found none. Ask again now that the room is registered (an end after this
          // finds and closes it), so an ended inspection is never left with a live room.
          try {
            await this.hooks.assertMayOpen(inspectionId);
          } catch (e) {
            await room.close('inspection-ended');
            throw e;
          }
          return room;
        })
        .finally(() => this.creating.delete(inspectionId));
      this.creating.set(inspectionId, pending);
    }
    return pending;
  }

  /**
   * A worker's load: what it forwards grows with its consumers and producers, so count those
   * (plus one per room, so that empty rooms spread too).
   */
  load(worker: Worker): number {
    let load = 0;
    for (const room of this.rooms.values()) {
      if (room.worker !== worker) continue;
      load += 1;
      for (const peer of room.peers.values()) load += peer.producers.size + peer.consumers.size;
    }
    return load;
  }

  private async onWorkerDied(worker: Worker): Promise<void> {
    const affected = this.all().filter((r) => r.worker === worker);
    logger.warn('onWorkerDied() | closing rooms of the dead worker; participants will rejoin', { rooms: affected.length });
    await Promise.all(affected.map((room) => room.close('media-server-restarted')));
  }

  async closeAll(reason: Extract<RoomCloseReason, 'server-shutdown'>): Promise<void> {
    await Promise.all(this.all().map((room) => room.close(reason)));
  }
}
