// The participant log: one participant_session row per stay of a participant in the live room (a
// reconnection within the grace period keeps its row; another phone taking a crew link's seat over
// closes the row of the first with 'taken-over' and opens one for the new device, so the log shows
// both devices). Written through the room's hooks.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { IsNull } from 'typeorm';
import type { LeaveReason, Role } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { ParticipantSessionEntity, type ParticipantSession } from './entities';

const logger = new Logger('participant-log');

export class ParticipantLog {
  private readonly participants: Repository<ParticipantSession>;

  constructor(private readonly db: DataSource) {
    this.participants = db.getRepository(ParticipantSessionEntity);
  }

  async joined(p: {
    inspectionId: string;
    role: Role;
    accountId: string | null;
    crewLinkId: string | null;
    displayName: string;
    device: string;
  }): Promise<string> {
    const row = await this.participants.save({ id: crypto.randomUUID(), ...p, joinedAt: new Date(), leftAt: null, leaveReason: null });
    return row.id;
  }

  /**
   * Another device took the seat over: the stay `stayId` ends ('taken-over') and the new device's
   * begins, with the same inspection, role, account and crew link. Returns the new row's id.
   */
  async replaced(stayId: string, next: { displayName: string; device: string }): Promise<string> {
    const reason: LeaveReason = 'taken-over';
    const now = new Date();
    // One transaction: the log never shows both devices in the room, or neither.
    const row = await this.db.transaction(async (m) => {
      const rows = m.getRepository(ParticipantSessionEntity);
      const previous = await rows.findOneBy({ id: stayId });
      if (!previous) throw new Error(`no participant_session row ${stayId}`);
      await rows.update({ id: stayId, leftAt: IsNull() }, { leftAt: now, leaveReason: reason });
      return rows.save({
        id: crypto.randomUUID(),
        inspectionId: previous.inspectionId,
        role: previous.role,
        accountId: previous.accountId,
        crewLinkId: previous.crewLinkId,
        displayName: next.displayName,
        device: next.device,
        joinedAt: now,
        leftAt: null,
        leaveReason: null,
      });
    });
    logger.info('replaced() | seat taken over by another device', { inspectionId: row.inspectionId, from: stayId, to: row.id });
    return row.id;
  }

  async left(participantId: string, reason: LeaveReason): Promise<void> {
    await this.participants.update({ id: participantId, leftAt: IsNull() }, { leftAt: new Date(), leaveReason: reason });
  }

  /** At start-up: rows left open by a crash are closed, so the log never shows ghosts. */
  async closeDangling(): Promise<void> {
    const reason: LeaveReason = 'server-restart';
    const r = await this.participants.update({ leftAt: IsNull() }, { leftAt: new Date(), leaveReason: reason });
    if (r.affected) logger.warn('closeDangling() | closed rows left by a previous run', { count: r.affected });
  }
}
