// The participant log: one participant_session row per stay of a participant in the live room (a
// reconnection within the grace period keeps its row; another phone taking a crew link's seat over
// closes the row of the first with 'taken-over' and opens one for the new device, so the log shows
// both devices). Written through the room's hooks. At start-up, the rows a killed server left open
// end when it died: its last heartbeat (persistence/heartbeat.ts), not the restart.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { IsNull } from 'typeorm';
import type { LeaveReason, Role } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { startHeartbeat } from '../persistence/heartbeat';
import type { EvidenceLog } from '../seal/evidence-log';
import { ParticipantSessionEntity, type ParticipantSession } from './entities';

const logger = new Logger('participant-log');

export class ParticipantLog {
  private readonly participants: Repository<ParticipantSession>;

  constructor(
    private readonly db: DataSource,
    private readonly log: EvidenceLog,
  ) {
    this.participants = db.getRepository(ParticipantSessionEntity);
  }

  /** The participant's part of a `participant.joined` entry. */
  private static sealed(row: ParticipantSession): Record<string, unknown> {
    return {
      participantId: row.id,
      role: row.role,
      accountId: row.accountId,
      crewLinkId: row.crewLinkId,
      displayName: row.displayName,
      device: row.device,
    };
  }

  async joined(p: {
    inspectionId: string;
    role: Role;
    accountId: string | null;
    crewLinkId: string | null;
    displayName: string;
    device: string;
  }): Promise<string> {
    const row = await this.db.transaction(async (m) => {
      const saved = await m.save(ParticipantSessionEntity, {
        id: crypto.randomUUID(),
        ...p,
        joinedAt: new Date(),
        leftAt: null,
        leaveReason: null,
      });
      await this.log.append(m, p.inspectionId, 'participant.joined', ParticipantLog.sealed(saved), { at: saved.joinedAt });
      return saved;
    });
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
      await this.log.append(m, previous.inspectionId, 'participant.left', { participantId: stayId, reason }, { at: now });
      const saved = await rows.save({
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
      await this.log.append(m, saved.inspectionId, 'participant.joined', ParticipantLog.sealed(saved), { at: now });
      return saved;
    });
    logger.info('replaced() | seat taken over by another device', { inspectionId: row.inspectionId, from: stayId, to: row.id });
    return row.id;
  }

  async left(participantId: string, reason: LeaveReason): Promise<void> {
    const leftAt = new Date();
    await this.db.transaction(async (m) => {
      const row = await m.findOneBy(ParticipantSessionEntity, { id: participantId });
      const r = await m.update(ParticipantSessionEntity, { id: participantId, leftAt: IsNull() }, { leftAt, leaveReason: reason });
      if (row && r.affected) await this.log.append(m, row.inspectionId, 'participant.left', { participantId, reason }, { at: leftAt });
    });
  }

  /**
   * At start-up: rows left open by a crash are closed, so the log never shows ghosts. They end when
   * the previous run died: its last heartbeat (at most one beat, 2 s, before the death), or now
   * when there is none (a database from before the heartbeat); never before the stay began. Starts
   * this run's heartbeat.
   */
  async closeDangling(): Promise<void> {
    const reason: LeaveReason = 'server-restart';
    const heartbeat = await startHeartbeat(this.db);
    const diedAt = heartbeat.previousBeatAt ?? new Date();
    // Row by row: a date compared in SQL would be a string on SQLite and a timestamp elsewhere.
    const open = await this.participants.findBy({ leftAt: IsNull() });
    for (const row of open) {
      const leftAt = row.joinedAt > diedAt ? row.joinedAt : diedAt;
      await this.db.transaction(async (m) => {
        const r = await m.update(ParticipantSessionEntity, { id: row.id, leftAt: IsNull() }, { leftAt, leaveReason: reason });
        if (r.affected) await this.log.append(m, row.inspectionId, 'participant.left', { participantId: row.id, reason }, { at: leftAt });
      });
    }
    if (open.length)
      logger.warn('closeDangling() | closed rows left by a previous run', {
        count: open.length,
        endedAt: diedAt.toISOString(),
        from: heartbeat.previousBeatAt ? 'last heartbeat' : 'now (no heartbeat)',
      });
  }
}
