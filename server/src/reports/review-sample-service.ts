// Random samples of concluded inspections for review. An admin picks a period (calendar days in
// the authority's time zone) and a percentage, optionally an auditor; the database draws the
// sample (ORDER BY random() with a LIMIT computed from a COUNT, the same words on SQLite and
// PostgreSQL), and the draw is recorded: who, when, the period, the percentage, how many the period
// held, the method and the drawn inspection ids. Nothing loads the period's ids into memory, so a
// period of hundreds of thousands of inspections costs one indexed count and one sorted scan.
import crypto from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { AppError, sampleSize, type DrawSampleRequest, type ReviewSampleItemView, type ReviewSampleView } from '@cloudship/shared';
import { AccountEntity, type Account } from '../auth/entities';
import { InspectionRecordEntity } from '../inspection-record/entities';
import { InspectionEntity } from '../inspection/entities';
import type { InspectionAccess } from '../inspection/inspection-access';
import { endOfZonedDay, startOfZonedDay } from '../lib/zoned-time';
import { Logger } from '../logging/logger';
import { ReviewSampleEntity, ReviewSampleItemEntity, type ReviewSample } from './review-sample-entities';

const logger = new Logger('review-sample');

/** How a sample is drawn: the database's random order, not seeded; the drawn ids are the record. */
export const SAMPLE_METHOD = 'sql-random';
/** Samples listed, newest first. */
const LIST_LIMIT = 100;
/** Drawn inspections per page of one sample. */
export const ITEMS_PAGE = 200;

/** A time read back from a raw row: SQLite gives its UTC text, PostgreSQL a Date. */
function rawIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`).toISOString();
}

export class ReviewSampleService {
  constructor(
    private readonly db: DataSource,
    private readonly deps: { access: InspectionAccess; timeZone: string },
  ) {}

  /** The inspections concluded in [from, to] (whole days in the authority's zone). */
  private concluded(m: EntityManager, req: Pick<DrawSampleRequest, 'from' | 'to'>) {
    return m
      .getRepository(InspectionRecordEntity)
      .createQueryBuilder('r')
      .where('r.concludedAt IS NOT NULL')
      .andWhere('r.concludedAt >= :sampleFrom AND r.concludedAt < :sampleTo', {
        sampleFrom: startOfZonedDay(req.from, this.deps.timeZone),
        sampleTo: endOfZonedDay(req.to, this.deps.timeZone),
      });
  }

  /**
   * Draws and records a sample: sampleSize(population, percentage) inspections (rounded up), in
   * one transaction with the record and the auditor's assignments, so a refusal changes nothing.
   */
  async draw(by: Account, req: DrawSampleRequest): Promise<ReviewSampleView> {
    // Checked before anything is written (and again inside, by the bulk assignment).
    if (req.auditorId !== undefined) await this.deps.access.enabledAuditor(req.auditorId);
    const id = crypto.randomUUID();
    const sample = await this.db.transaction(async (m) => {
      const population = await this.concluded(m, req).getCount();
      const size = sampleSize(population, req.percentage);
      const row: ReviewSample = {
        id,
        drawnBy: by.id,
        drawnByName: by.displayName,
        drawnAt: new Date(),
        periodFrom: req.from,
        periodTo: req.to,
        timeZone: this.deps.timeZone,
        percentage: req.percentage,
        population,
        size,
        method: SAMPLE_METHOD,
        auditorId: req.auditorId ?? null,
        assigned: 0,
      };
      await m.getRepository(ReviewSampleEntity).insert(row);
      if (size > 0) {
        // INSERT ... SELECT: the drawn ids go from the index to the sample table without passing
        // through this process. The SQL and its placeholders are TypeORM's, for either database.
        const pick = this.concluded(m, req)
          .select('CAST(:sampleId AS varchar(36))', 'sampleId')
          .addSelect('r.inspectionId', 'inspectionId')
          .setParameter('sampleId', id)
          .orderBy('random()')
          .limit(size);
        const [sql, params] = pick.getQueryAndParameters();
        // The outer SELECT names the columns: TypeORM orders a builder's select list as it likes.
        await m.query(
          `INSERT INTO "review_sample_item" ("sampleId", "inspectionId") SELECT "d"."sampleId", "d"."inspectionId" FROM (${sql}) "d"`,
          params,
        );
      }
      if (req.auditorId !== undefined && size > 0) {
        const ids = m
          .getRepository(ReviewSampleItemEntity)
          .createQueryBuilder('s')
          .select('s.inspectionId')
          .where('s.sampleId = :assignSampleId', { assignSampleId: id });
        await this.deps.access.assignAuditorToMany(by, req.auditorId, ids, m);
        row.assigned = await m
          .getRepository(ReviewSampleItemEntity)
          .createQueryBuilder('s')
          .where('s.sampleId = :sampleId', { sampleId: id })
          .andWhere(
            `EXISTS (SELECT 1 FROM "audit_assignment" "a" WHERE "a"."inspectionId" = s.inspectionId AND "a"."accountId" = :auditorId)`,
            { auditorId: req.auditorId },
          )
          .getCount();
        await m.getRepository(ReviewSampleEntity).update({ id }, { assigned: row.assigned });
      }
      return row;
    });
    logger.info('draw() | sample drawn', {
      sampleId: id,
      by: by.id,
      population: sample.population,
      size: sample.size,
      auditorId: sample.auditorId,
      assigned: sample.assigned,
    });
    return (await this.views([sample]))[0]!;
  }

  /** The latest samples, newest first. */
  async list(): Promise<ReviewSampleView[]> {
    const rows = await this.db.getRepository(ReviewSampleEntity).find({ order: { drawnAt: 'DESC', id: 'ASC' }, take: LIST_LIMIT });
    return this.views(rows);
  }

  /** One sample and a page of its inspections (by conclusion time), `offset` into them. */
  async get(
    sampleId: string,
    offset: number,
  ): Promise<{ sample: ReviewSampleView; items: ReviewSampleItemView[]; nextOffset: number | null }> {
    const row = sampleId.length <= 64 ? await this.db.getRepository(ReviewSampleEntity).findOneBy({ id: sampleId }) : null;
    if (!row) throw new AppError('NOT_FOUND', 'No such sample.');
    const raw = await this.db
      .getRepository(ReviewSampleItemEntity)
      .createQueryBuilder('s')
      .innerJoin(InspectionEntity.options.name, 'i', 'i.id = s.inspectionId')
      .innerJoin(InspectionRecordEntity.options.name, 'r', 'r.inspectionId = s.inspectionId')
      .leftJoin(AccountEntity.options.name, 'a', 'a.id = i.surveyorId')
      .select('s.inspectionId', 'inspectionId')
      .addSelect('i.vesselName', 'vesselName')
      .addSelect('i.registrationNumber', 'registrationNumber')
      .addSelect('a.displayName', 'surveyorName')
      .addSelect('r.concludedAt', 'concludedAt')
      .addSelect('r.outcome', 'outcome')
      .where('s.sampleId = :sampleId', { sampleId })
      .orderBy('r.concludedAt', 'ASC')
      .addOrderBy('s.inspectionId', 'ASC')
      .offset(offset)
      .limit(ITEMS_PAGE + 1)
      .getRawMany<{
        inspectionId: string;
        vesselName: string;
        registrationNumber: string;
        surveyorName: string | null;
        concludedAt: unknown;
        outcome: string | null;
      }>();
    const items = raw.slice(0, ITEMS_PAGE).map((r) => ({
      inspectionId: r.inspectionId,
      vesselName: r.vesselName,
      registrationNumber: r.registrationNumber,
      surveyorName: r.surveyorName ?? '',
      concludedAt: rawIso(r.concludedAt),
      outcome: r.outcome,
    }));
    return { sample: (await this.views([row]))[0]!, items, nextOffset: raw.length > ITEMS_PAGE ? offset + ITEMS_PAGE : null };
  }

  private async views(rows: ReviewSample[]): Promise<ReviewSampleView[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.drawnBy, r.auditorId ?? '']).filter(Boolean))];
    const names = new Map(
      ids.length ? (await this.db.getRepository(AccountEntity).findBy({ id: In(ids) })).map((a) => [a.id, a.displayName]) : [],
    );
    return rows.map((r) => ({
      id: r.id,
      drawnAt: r.drawnAt.toISOString(),
      drawnBy: { id: r.drawnBy, displayName: names.get(r.drawnBy) ?? r.drawnByName },
      from: r.periodFrom,
      to: r.periodTo,
      timeZone: r.timeZone,
      percentage: r.percentage,
      population: r.population,
      size: r.size,
      method: r.method,
      auditor: r.auditorId ? { id: r.auditorId, displayName: names.get(r.auditorId) ?? '' } : null,
      assigned: r.assigned,
    }));
  }
}
