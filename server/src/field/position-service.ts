// Crew GPS positions: validated against the server clock, stored with the inspection, forwarded
// to the staff in the room (and the latest one sent to staff who join later), with the distance to
// the inspection's declared place and a warning beyond POSITION_WARN_KM.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { AppError, can, distanceKm, positionTimeProblem, type PositionEvent, type PositionReport } from '@cloudship/shared';
import type { InspectionService } from '../inspection/inspection-service';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import { PositionFixEntity, type PositionFix } from './entities';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';

const logger = new Logger('positions');

/** A phone sends one fix a minute; anything much faster is a bug or abuse, not information. */
const MIN_INTERVAL_MS = 5_000;

export class PositionService {
  private readonly fixes: Repository<PositionFix>;
  /** The latest fix per inspection, for staff who join after it was sent. */
  private readonly latest = new Map<string, PositionEvent>();
  private readonly lastReportAt = new WeakMap<Peer, number>();

  constructor(
    private readonly db: DataSource,
    private readonly inspections: InspectionService,
    private readonly warnKm: number,
    private readonly log: EvidenceLog,
  ) {
    this.fixes = db.getRepository(PositionFixEntity);
  }

  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => {
      room.on('peerJoined', (peer) => {
        const last = this.latest.get(room.inspectionId);
        if (last && can(peer.role, 'position.view')) peer.notify('position.update', last);
      });
      room.on('close', () => this.latest.delete(room.inspectionId));
    });
    return this;
  }

  async report(room: Room, peer: Peer, fix: PositionReport, now = Date.now()): Promise<PositionEvent> {
    const problem = positionTimeProblem(fix.timestamp, now);
    if (problem) throw new AppError('BAD_REQUEST', `Invalid position: ${problem}.`);
    const previous = this.lastReportAt.get(peer);
    if (previous !== undefined && now - previous < MIN_INTERVAL_MS)
      throw new AppError('CONFLICT', 'Positions are accepted at most every 5 seconds.');
    this.lastReportAt.set(peer, now);

    const inspection = await this.inspections.get(room.inspectionId);
    const capturedAt = new Date(fix.timestamp);
    await this.db.transaction(async (m) => {
      const id = crypto.randomUUID();
      await m.insert(PositionFixEntity, {
        id,
        inspectionId: room.inspectionId,
        participantId: peer.id,
        lat: fix.lat,
        lon: fix.lon,
        accuracy: fix.accuracy,
        capturedAt,
        receivedAt: new Date(now),
      });
      await this.log.append(
        m,
        room.inspectionId,
        'position',
        { fixId: id, participantId: peer.id, lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, capturedAt },
        { at: new Date(now) },
      );
    });
    const place =
      inspection.placeLat != null && inspection.placeLon != null ? { lat: inspection.placeLat, lon: inspection.placeLon } : null;
    const distance = place ? distanceKm(place, fix) : null;
    const event: PositionEvent = {
      peerId: peer.id,
      lat: fix.lat,
      lon: fix.lon,
      accuracy: fix.accuracy,
      capturedAt: capturedAt.toISOString(),
      distanceKm: distance === null ? null : Math.round(distance * 100) / 100,
      warn: distance !== null && distance > this.warnKm,
      warnKm: this.warnKm,
    };
    this.latest.set(room.inspectionId, event);
    room.broadcast('position.update', event, { except: peer, permission: 'position.view' });
    if (event.warn)
      logger.info('report() | crew far from the declared place', {
        inspectionId: room.inspectionId,
        participantId: peer.id,
        distanceKm: event.distanceKm,
      });
    return event;
  }

  /** Every stored fix of an inspection, oldest first. */
  list(inspectionId: string): Promise<PositionFix[]> {
    return this.fixes.find({ where: { inspectionId }, order: { capturedAt: 'ASC' } });
  }
}
