// Access by ownership, checked in one place: every REST route about one inspection (through
// inspectionRoute in inspection-guard.ts) and every signaling handshake and request (the
// participant context carries the relation) ask this service, with the one rule from
// shared/src/access.ts. Who works on an inspection: its lead surveyor (who scheduled it),
// co-surveyors the lead or an admin invited, auditors assigned to review it, and admins.
import type { DataSource, EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { In } from 'typeorm';
import { AppError, allowedOn, listsInspection, type Permission, type Relation } from '@cloudship/shared';
import type { RoleChangeRule } from '../auth/account-service';
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

  constructor(private readonly db: DataSource) {
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

  /**
   * The same two scopes as `readable()` and `listed()`, as a condition for a query (lists and
   * report totals at scale: no id list is loaded). `cols` name the inspection's id and lead surveyor
   * in that query (`i.id`, `i.surveyorId`; a record's `r.inspectionId`, `r.surveyorId`). null: no
   * limit. The relation rule is the one above: the lead, co-surveyors, assigned auditors; admins see
   * everything, and a surveyor's list shows every inspection (listsInspection).
   */
  scopeCondition(
    account: Account,
    scope: 'readable' | 'listed',
    cols: { id: string; surveyorId: string },
  ): { where: string; params: Record<string, unknown> } | null {
    if (account.role === 'admin' || (scope === 'listed' && listsInspection(account.role, 'other'))) return null;
    const params = { scopeAccountId: account.id };
    const member = (table: string) =>
      `EXISTS (SELECT 1 FROM "${table}" "m" WHERE "m"."inspectionId" = ${cols.id} AND "m"."accountId" = :scopeAccountId)`;
    if (account.role === 'auditor') return { where: member('audit_assignment'), params };
    if (account.role === 'surveyor') return { where: `(${cols.surveyorId} = :scopeAccountId OR ${member('co_surveyor')})`, params };
    return { where: '1 = 0', params };
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

  /**
   * The lead (or an admin) assigns an auditor to review the inspection. Never one who worked on it
   * (an account made an auditor after leading or co-surveying it as a surveyor): nobody reviews
   * their own work.
   */
  async assignAuditor(by: Account, inspectionId: string, accountId: string): Promise<void> {
    const { inspection } = await this.assert(by, inspectionId, 'inspection.members');
    const auditor = await this.accounts.findOneBy({ id: accountId });
    if (!auditor || auditor.role !== 'auditor') throw new AppError('BAD_REQUEST', 'Not an auditor account.');
    if (inspection.surveyorId === auditor.id || (await this.coSurveyors.existsBy({ inspectionId, accountId }))) {
      throw new AppError('BAD_REQUEST', 'accountId: this auditor worked on the inspection as a surveyor and cannot review it.');
    }
    await this.auditors.upsert({ inspectionId, accountId, createdBy: by.id }, ['inspectionId', 'accountId']);
    logger.info('assignAuditor() | auditor assigned', { inspectionId, accountId, by: by.id });
  }

  /**
   * assignAuditor() for many inspections at once, in one statement: every inspection whose id the
   * `ids` query selects (one column; a subquery, never a list of ids), except those the auditor
   * worked on as a surveyor and those it is assigned to already. Only for someone who owns every
   * inspection (an admin: the 'own' relation of inspection.members everywhere); `manager`: the
   * caller's transaction. Returns the auditor, checked like assignAuditor's (and enabled).
   */
  async assignAuditorToMany(
    by: Account,
    accountId: string,
    ids: SelectQueryBuilder<ObjectLiteral>,
    manager: EntityManager = this.db.manager,
  ): Promise<Account> {
    if (by.role !== 'admin' || !allowedOn(by.role, 'admin', 'inspection.members')) {
      throw new AppError('FORBIDDEN', 'Only an administrator assigns auditors to many inspections at once.');
    }
    const auditor = await this.enabledAuditor(accountId, manager);
    const select = manager
      .getRepository(InspectionEntity)
      .createQueryBuilder('i')
      .select('i.id', 'inspectionId')
      .addSelect('CAST(:bulkAuditorId AS varchar(36))', 'accountId')
      .addSelect('CAST(:bulkById AS varchar(36))', 'createdBy')
      .where(`i.id IN (${ids.getQuery()})`)
      .andWhere('i.surveyorId != :bulkAuditorId')
      .andWhere(`NOT EXISTS (SELECT 1 FROM "co_surveyor" "c" WHERE "c"."inspectionId" = i.id AND "c"."accountId" = :bulkAuditorId)`)
      .andWhere(`NOT EXISTS (SELECT 1 FROM "audit_assignment" "a" WHERE "a"."inspectionId" = i.id AND "a"."accountId" = :bulkAuditorId)`)
      .setParameters({ ...ids.getParameters(), bulkAuditorId: auditor.id, bulkById: by.id });
    const [sql, params] = select.getQueryAndParameters();
    // The outer SELECT names the columns: TypeORM orders a builder's select list as it likes.
    await manager.query(
      `INSERT INTO "audit_assignment" ("inspectionId", "accountId", "createdBy") SELECT "n"."inspectionId", "n"."accountId", "n"."createdBy" FROM (${sql}) "n"`,
      params,
    );
    logger.info('assignAuditorToMany() | auditor assigned', { accountId: auditor.id, by: by.id });
    return auditor;
  }

  /** An enabled auditor account, or BAD_REQUEST naming the field. */
  async enabledAuditor(accountId: string, manager: EntityManager = this.db.manager): Promise<Account> {
    const auditor =
      typeof accountId === 'string' && accountId.length <= 64
        ? await manager.getRepository(AccountEntity).findOneBy({ id: accountId })
        : null;
    if (!auditor || auditor.role !== 'auditor' || auditor.disabledAt) {
      throw new AppError('BAD_REQUEST', 'auditorId: not an enabled auditor account.');
    }
    return auditor;
  }

  /**
   * What a role change means for the inspections the account works on (AccountService runs it in
   * the change's transaction):
   *   - It becomes an auditor: refused while it leads or co-surveys an inspection that has not
   *     ended. An auditor cannot go on with it, and the crew link and the live session would be
   *     left to nobody; end it first. Ended inspections keep it as their lead (the
   *     record says who did the work), and it is never assigned to review one it worked on.
   *   - It stops being an auditor: its audit assignments end. They would give it nothing in its
   *     new role, and would come back unnoticed if it were made an auditor again.
   *   - Surveyor <-> admin: nothing changes; an admin may lead inspections, a lead made a surveyor
   *     again still leads its own.
   */
  roleChangeRule(): RoleChangeRule {
    return async (account, to, m) => {
      if (to === 'auditor') {
        const open = await m
          .getRepository(InspectionEntity)
          .createQueryBuilder('i')
          .where('i.status != :ended', { ended: 'ended' })
          .andWhere(
            `(i.surveyorId = :accountId OR EXISTS (SELECT 1 FROM "co_surveyor" "c" WHERE "c"."inspectionId" = i.id AND "c"."accountId" = :accountId))`,
            { accountId: account.id },
          )
          .getCount();
        if (open > 0) {
          throw new AppError(
            'CONFLICT',
            `role: this account works on ${open} inspection(s) that have not ended; end them before it becomes an auditor.`,
          );
        }
      }
      if (account.role === 'auditor' && to !== 'auditor') {
        const ended = await m.getRepository(AuditAssignmentEntity).delete({ accountId: account.id });
        logger.info('roleChangeRule() | audit assignments ended with the auditor role', {
          accountId: account.id,
          count: ended.affected ?? 0,
        });
      }
    };
  }
}
