// The inspection lifecycle, in one place: scheduled -> live -> ended (or scheduled -> ended for an
// inspection that never went live). Every transition is one conditional UPDATE (`... WHERE status
// IN (allowed sources)`), so two concurrent calls cannot both succeed: the loser re-reads the row
// and gets a coded error (ending twice is INSPECTION_ENDED). What follows a transition (the crew
// links are revoked, the live room closes, and with it the recording) is done by listeners of the
// events emitted here; end() waits for them, so its caller answers only once the room is closed.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import { AppError, isClosed, type CreateInspectionRequest, type EndInspectionRequest, type InspectionStatus } from '@cloudship/shared';
import type { Account } from '../auth/entities';
import { SafeEmitter } from '../lib/safe-emitter';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import { InspectionEntity, type Inspection } from './entities';

const logger = new Logger('inspection-lifecycle');

/** The states each transition may start from. */
const CAN_GO_LIVE: InspectionStatus[] = ['scheduled'];
const CAN_END: InspectionStatus[] = ['scheduled', 'live'];

export interface InspectionLifecycleEvents extends Record<string, unknown[]> {
  scheduled: [inspection: Inspection];
  live: [inspectionId: string];
  /** After the row says ended. Listeners: crew links revoked, the live room closed. */
  ended: [inspectionId: string, from: InspectionStatus];
  /** After every 'ended' listener is done (the room closed, its last segments registered): the final seal. */
  settled: [inspectionId: string];
}

export class InspectionLifecycle extends SafeEmitter<InspectionLifecycleEvents> {
  private readonly inspections: Repository<Inspection>;

  constructor(
    private readonly db: DataSource,
    private readonly log: EvidenceLog,
  ) {
    super(logger);
    this.inspections = db.getRepository(InspectionEntity);
  }

  async schedule(req: CreateInspectionRequest, surveyor: Account): Promise<Inspection> {
    const inspection = await this.db.transaction(async (m) => {
      const row = await m.save(InspectionEntity, {
        id: crypto.randomUUID(),
        ...req,
        scheduledAt: new Date(req.scheduledAt),
        status: 'scheduled' as const,
        surveyorId: surveyor.id,
        startedAt: null,
        endedAt: null,
        toBeContinued: false,
      });
      // The first entry of the log: the particulars as they were when the inspection was created.
      await this.log.append(m, row.id, 'inspection.created', { particulars: { ...req }, surveyorId: surveyor.id });
      return row;
    });
    logger.info('schedule() | -> scheduled', { inspectionId: inspection.id, surveyorId: surveyor.id });
    this.safeEmit('scheduled', inspection);
    return inspection;
  }

  /** scheduled -> live, when the first participant joins; a no-op for an inspection already live. */
  async markLive(inspectionId: string): Promise<boolean> {
    const r = await this.inspections.update({ id: inspectionId, status: In(CAN_GO_LIVE) }, { status: 'live', startedAt: new Date() });
    if (!r.affected) return false;
    logger.info('markLive() | scheduled -> live', { inspectionId });
    this.safeEmit('live', inspectionId);
    return true;
  }

  /**
   * Ends the inspection; NOT_FOUND or INSPECTION_ENDED when there is nothing to end.
   * `toBeContinued`: the surveyor ends it before concluding, to finish it later (stored on the row;
   * the record and the dashboard read it as "not concluded", see README).
   */
  async end(inspectionId: string, options: EndInspectionRequest = {}): Promise<void> {
    const before = await this.inspections.findOneBy({ id: inspectionId });
    if (!before) throw new AppError('NOT_FOUND', 'No such inspection.');
    if (isClosed(before.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
    const toBeContinued = options.toBeContinued === true;
    const endedAt = new Date();
    const ended = await this.db.transaction(async (m) => {
      const r = await m.update(InspectionEntity, { id: inspectionId, status: In(CAN_END) }, { status: 'ended', endedAt, toBeContinued });
      if (!r.affected) return false;
      await this.log.append(m, inspectionId, 'inspection.ended', { from: before.status, toBeContinued }, { at: endedAt });
      return true;
    });
    // Someone else ended it between the read and the update.
    if (!ended) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
    logger.info(`end() | ${before.status} -> ended${toBeContinued ? ' (to be continued)' : ''}`, { inspectionId });
    await this.emitAndWait('ended', inspectionId, before.status);
    await this.emitAndWait('settled', inspectionId);
  }
}
