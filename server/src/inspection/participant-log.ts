// The participant log: one participant_session row per stay of a participant in the live room (a
// reconnection within the grace period keeps its row). Written through the room's hooks.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { IsNull } from 'typeorm';
import type { LeaveReason, Role } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { ParticipantSessionEntity, type ParticipantSession } from './entities';

const logger = new Logger('participant-log');

export class ParticipantLog {
  private readonly participants: Repository<ParticipantSession>;

  constructor(db: DataSource) {
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
