// Access by ownership, checked in one place: every REST route about one inspection (through
// inspectionRoute in inspection-guard.ts) and every signaling handshake and request (the
// participant context carries the relation) ask this service, with the one rule from
// shared/src/access.ts. Who works on an inspection: its lead surveyor (who scheduled it),
// co-surveyors the lead or an admin invited, auditors assigned to review it, and admins.
import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import { AppError, allowedOn, listsInspection, type Permission, type Relation } from '@cloudship/shared';
import { AccountEntity, type Account } from '../auth/entities';
import { Logger } from '../logging/logger';
import {
  AuditAssignmentEntity,
  CoSurveyorEntity,
  InspectionEntity,
  type AuditAssignment,
  type CoSurveyor,
  type Inspection,
} from './entities';

const logger = new Logger('inspection-access');

export interface InspectionMembers {
  leadId: string;
  coSurveyors: Array<{ id: string; displayName: string }>;
  auditors: Array<{ id: string; displayName: string }>;
}

export class InspectionAccess {
  private readonly inspections: Repository<Inspection>;
  private readonly coSurveyors: Repository<CoSurveyor>;
  private readonly auditors: Repository<AuditAssignment>;
  private readonly accounts: Repository<Account>;

  constructor(db: DataSource) {
    this.inspections = db.getRepository(InspectionEntity);
    this.coSurveyors = db.getRepository(CoSurveyorEntity);
    this.auditors = db.getRepository(AuditAssignmentEntity);
    this.accounts = db.getRepository(AccountEntity);
  }

  async relation(account: Pick<Account, 'id' | 'role'>, inspection: Pick<Inspection, 'id' | 'surveyorId'>): Promise<Relation> {
    if (account.role === 'admin') return 'admin';
    if (account.role === 'surveyor') {
      if (inspection.surveyorId === account.id) return 'lead';
      if (await this.coSurveyors.existsBy({ inspectionId: inspection.id, accountId: account.id })) return 'co-surveyor';
    }
    if (account.role === 'auditor' && (await this.auditors.existsBy({ inspectionId: inspection.id, accountId: account.id }))) {
      return 'assigned-auditor';
    }
    return 'other';
  }

  /**
   * The inspection, when `account` may use `permission` on it. Someone who may not even read it
   * gets NOT_FOUND (an id of somebody else's inspection is not confirmed); someone who may read
   * it but not do this gets FORBIDDEN.
   */
  async assert(account: Account, inspectionId: string, permission: Permission): Promise<{ inspection: Inspection; relation: Relation }> {
    const inspection =
      typeof inspectionId === 'string' && inspectionId.length <= 64 ? await this.inspections.findOneBy({ id: inspectionId }) : null;
    if (!inspection) throw new AppError('NOT_FOUND', 'No such inspection.');
    const relation = await this.relation(account, inspection);
    if (allowedOn(account.role, relation, permission)) return { inspection, relation };
    if (!allowedOn(account.role, relation, 'inspection.read')) {
      logger.info('assert() | outside the scope', { accountId: account.id, inspectionId, permission });
      throw new AppError('NOT_FOUND', 'No such inspection.');
    }
    throw new AppError('FORBIDDEN', 'Only the surveyors working on this inspection may do this.');
  }

  /** Ids of the inspections whose details `account` may read ('all' for admins). */
  async readable(account: Account): Promise<Set<string> | 'all'> {
    if (account.role === 'admin') return 'all';
    if (account.role === 'auditor') return new Set((await this.auditors.findBy({ accountId: account.id })).map((a) => a.inspectionId));
    if (account.role !== 'surveyor') return new Set();
    const own = await this.inspections.find({ select: { id: true }, where: { surveyorId: account.id } });
    const co = await this.coSurveyors.findBy({ accountId: account.id });
    return new Set([...own.map((i) => i.id), ...co.map((c) => c.inspectionId)]);
  }

  /** Ids of the inspections that appear in `account`'s list ('all': every one). */
  async listed(account: Account): Promise<Set<string> | 'all'> {
    return listsInspection(account.role, 'other') ? 'all' : this.readable(account);
  }

  async members(inspection: Pick<Inspection, 'id' | 'surveyorId'>): Promise<InspectionMembers> {
    const co = await this.coSurveyors.find({ where: { inspectionId: inspection.id }, order: { createdAt: 'ASC' } });
    const au = await this.auditors.find({ where: { inspectionId: inspection.id }, order: { createdAt: 'ASC' } });
    const ids = [...co, ...au].map((m) => m.accountId);
    const names = new Map(ids.length ? (await this.accounts.findBy({ id: In(ids) })).map((a) => [a.id, a.displayName]) : []);
    const view = (m: { accountId: string }) => ({ id: m.accountId, displayName: names.get(m.accountId) ?? '' });
    return { leadId: inspection.surveyorId, coSurveyors: co.map(view), auditors: au.map(view) };
  }

  /** The lead (or an admin) invites a surveyor; inviting twice is a no-op. */
  async addCoSurveyor(by: Account, inspectionId: string, accountId: string): Promise<void> {
    const { inspection } = await this.assert(by, inspectionId, 'inspection.members');
    const surveyor = await this.accounts.findOneBy({ id: accountId });
    if (!surveyor || surveyor.role !== 'surveyor') throw new AppError('BAD_REQUEST', 'Not a surveyor account.');
    if (surveyor.id === inspection.surveyorId) throw new AppError('BAD_REQUEST', 'This surveyor already leads the inspection.');
    await this.coSurveyors.upsert({ inspectionId, accountId, createdBy: by.id }, ['inspectionId', 'accountId']);
    logger.info('addCoSurveyor() | co-surveyor invited', { inspectionId, accountId, by: by.id });
  }

  async removeCoSurveyor(by: Account, inspectionId: string, accountId: string): Promise<void> {
    await this.assert(by, inspectionId, 'inspection.members');
    const r = await this.coSurveyors.delete({ inspectionId, accountId });
    if (!r.affected) throw new AppError('NOT_FOUND', 'This surveyor is not a co-surveyor of the inspection.');
    logger.info('removeCoSurveyor() | co-surveyor removed', { inspectionId, accountId, by: by.id });
  }

  /** The lead (or an admin) assigns an auditor to review the inspection. */
  async assignAuditor(by: Account, inspectionId: string, accountId: string): Promise<void> {
    await this.assert(by, inspectionId, 'inspection.members');
    const auditor = await this.accounts.findOneBy({ id: accountId });
    if (!auditor || auditor.role !== 'auditor') throw new AppError('BAD_REQUEST', 'Not an auditor account.');
    await this.auditors.upsert({ inspectionId, accountId, createdBy: by.id }, ['inspectionId', 'accountId']);
    logger.info('assignAuditor() | auditor assigned', { inspectionId, accountId, by: by.id });
  }
}
