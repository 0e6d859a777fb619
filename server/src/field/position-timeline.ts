// The crew's GPS fixes on a recording's timeline (recording/replay-service.ts, composed in app.ts),
// at the time the phone took each one.
import type { DataSource } from 'typeorm';
import { And, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { TimelineMarkView } from '@cloudship/shared';
import { ParticipantSessionEntity } from '../inspection/entities';
import { PositionFixEntity } from './entities';

/** A phone sends about one fix a minute: this many is days of recording. */
const MAX_FIXES = 2000;

export function positionTimeline(db: DataSource) {
  const fixes = db.getRepository(PositionFixEntity);
  const participants = db.getRepository(ParticipantSessionEntity);
  return async (inspectionId: string, from: Date, to: Date): Promise<TimelineMarkView[]> => {
    const rows = await fixes.find({
      where: { inspectionId, capturedAt: And(MoreThanOrEqual(from), LessThanOrEqual(to)) },
      order: { capturedAt: 'ASC' },
      take: MAX_FIXES,
    });
    if (!rows.length) return [];
    const names = new Map(
      (await participants.find({ select: { id: true, displayName: true }, where: { inspectionId }, take: 5000 })).map((p) => [
        p.id,
        p.displayName,
      ]),
    );
    return rows.map((f) => ({
      lane: 'position',
      kind: 'fix',
      at: f.capturedAt.toISOString(),
      who: names.get(f.participantId) ?? '',
      text: '',
      ref: null,
      lat: f.lat,
      lon: f.lon,
      accuracy: f.accuracy,
    }));
  };
}
