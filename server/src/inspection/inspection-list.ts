// One page of the inspection list, from the database: the scope (InspectionAccess.scopeCondition),
// the search and filters and the cursor are all in the SQL, so a page costs the same at 100 rows as
// at 1,000,000 (indexes "idx_inspection_schedule" and "idx_inspection_surveyor_schedule"). The
// console's list and the replay page's list both read it.
import { Brackets, type DataSource, type Repository, type SelectQueryBuilder } from 'typeorm';
import { AppError, type InspectionListQueryParsed, type ListSort } from '@cloudship/shared';
import type { Account } from '../auth/entities';
import { endOfZonedDay, startOfZonedDay } from '../lib/zoned-time';
import type { InspectionAccess } from './inspection-access';
import { InspectionEntity, type Inspection } from './entities';

/** The cursor: where the previous page ended (schedule, id) and the sort it was read in. */
interface Cursor {
  at: string;
  id: string;
  sort: ListSort;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.at, c.id])).toString('base64url');
}

export function decodeCursor(text: string, sort: ListSort): Cursor {
  const bad = (why: string) => new AppError('BAD_REQUEST', `cursor: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad('must be a nextCursor as answered');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string'))
    throw bad('must be a nextCursor as answered');
  const [cursorSort, at, id] = parsed as [string, string, string];
  if (cursorSort !== sort) throw bad(`was made for sort=${cursorSort.slice(0, 20)}, not ${sort}`);
  if (Number.isNaN(Date.parse(at)) || id.length > 64) throw bad('must be a nextCursor as answered');
  return { sort, at, id };
}

/** `%text%` for LIKE with its own wildcards taken literally (ESCAPE '\'), letter case folded. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}

export class InspectionList {
  private readonly inspections: Repository<Inspection>;

  constructor(
    ds: DataSource,
    private readonly access: InspectionAccess,
    /** The authority's time zone: from/to are its days. */
    private readonly timeZone: string,
  ) {
    this.inspections = ds.getRepository(InspectionEntity);
  }

  /** The page of `account`'s list that `q` asks for: `scope` 'listed' (console) or 'readable' (replay). */
  async page(
    account: Account,
    q: InspectionListQueryParsed,
    scope: 'listed' | 'readable',
  ): Promise<{ rows: Inspection[]; nextCursor: string | null }> {
    const qb = this.inspections.createQueryBuilder('i');
    const limit = this.access.scopeCondition(account, scope, { id: 'i.id', surveyorId: 'i.surveyorId' });
    if (limit) qb.andWhere(limit.where, limit.params);
    this.filter(qb, q);
    const desc = q.sort === '-scheduledAt';
    if (q.cursor) {
      const c = decodeCursor(q.cursor, q.sort);
      const op = desc ? '<' : '>';
      qb.andWhere(
        new Brackets((w) => w.where(`i.scheduledAt ${op} :cursorAt`).orWhere(`(i.scheduledAt = :cursorAt AND i.id ${op} :cursorId)`)),
        { cursorAt: new Date(c.at), cursorId: c.id },
      );
    }
    const order = desc ? 'DESC' : 'ASC';
    const rows = await qb
      .orderBy('i.scheduledAt', order)
      .addOrderBy('i.id', order)
      .limit(q.limit + 1)
      .getMany();
    const more = rows.length > q.limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more && last ? encodeCursor({ sort: q.sort, at: last.scheduledAt.toISOString(), id: last.id }) : null };
  }

  private filter(qb: SelectQueryBuilder<Inspection>, q: InspectionListQueryParsed): void {
    if (q.q) {
      qb.andWhere(
        new Brackets((w) =>
          w.where(`LOWER(i.vesselName) LIKE :search ESCAPE '\\'`).orWhere(`LOWER(i.registrationNumber) LIKE :search ESCAPE '\\'`),
        ),
        { search: containsPattern(q.q) },
      );
    }
    if (q.status) qb.andWhere('i.status = :status', { status: q.status });
    if (q.kind) qb.andWhere('i.kind = :kind', { kind: q.kind });
    if (q.surveyorId) qb.andWhere('i.surveyorId = :surveyorId', { surveyorId: q.surveyorId });
    if (q.surveyor) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM "account" "sa" WHERE "sa"."id" = i.surveyorId AND (LOWER("sa"."displayName") LIKE :surveyor ESCAPE '\\' OR LOWER("sa"."username") LIKE :surveyor ESCAPE '\\'))`,
        { surveyor: containsPattern(q.surveyor) },
      );
    }
    if (q.from) qb.andWhere('i.scheduledAt >= :from', { from: startOfZonedDay(q.from, this.timeZone) });
    if (q.to) qb.andWhere('i.scheduledAt < :to', { to: endOfZonedDay(q.to, this.timeZone) });
  }
}
