// Reads concluded inspections and their stored savings estimates for the dashboard, the CSV export
// and the printable per-inspection report. Totals always come from the stored estimates (never
// recomputed here), so a report matches what each inspection recorded. At scale: the totals are
// grouped sums computed by the database (one query, the date range and the scope in SQL, the index
// "idx_inspection_record_report"), and the CSV is read in keyset batches and streamed.
import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { In } from 'typeorm';
import {
  COMPLETED_ONLINE_OUTCOMES,
  type ChatMessageView,
  type InspectionRecordView,
  type ReportQuery,
  type ReportView,
} from '@cloudship/shared';
import { AccountEntity, type Account } from '../auth/entities';
import type { ChatService } from '../chat/chat-service';
import { endOfZonedDay, startOfZonedDay, zonedMonths } from '../lib/zoned-time';
import { InspectionEntity } from '../inspection/entities';
import type { InspectionAccess } from '../inspection/inspection-access';
import { InspectionRecordEntity, type InspectionRecord } from '../inspection-record/entities';
import { RecordingEntity, RecordingGapEntity, type Recording, type RecordingGap } from '../recording/entities';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { InspectionService } from '../inspection/inspection-service';
import type { RecordService } from '../inspection-record/record-service';
import { CSV_HEADER, csvLine, rollUp, type ReportCell } from './report-totals';

export interface ReportServiceDeps {
  inspections: InspectionService;
  records: RecordService;
  evidence: EvidenceService;
  access: InspectionAccess;
  /** The authority's time zone (TIME_ZONE): the dashboard's days and months are its own. */
  timeZone: string;
  /** The chat's messages and documents, printed with the record. */
  chat?: ChatService;
}

/** Rows per read of the CSV export. */
const CSV_BATCH = 2000;
/** Rows per piece written to the response. */
const CSV_PIECE_ROWS = 200;
const MODEL_VERSION = /"modelVersion":"([^"\\]*)"/;

/** A time as the driver returns it in a raw row: a Date (PostgreSQL) or SQLite's UTC text. */
function rawTime(v: unknown): Date {
  if (v instanceof Date) return v;
  const text = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export class ReportService {
  private readonly records: Repository<InspectionRecord>;
  private readonly accounts: Repository<Account>;
  private readonly recordings: Repository<Recording>;
  private readonly gaps: Repository<RecordingGap>;

  constructor(
    ds: DataSource,
    private readonly deps: ReportServiceDeps,
  ) {
    this.records = ds.getRepository(InspectionRecordEntity);
    this.accounts = ds.getRepository(AccountEntity);
    this.recordings = ds.getRepository(RecordingEntity);
    this.gaps = ds.getRepository(RecordingGapEntity);
  }

  /**
   * Every inspection done online (concluded with an outcome of COMPLETED_ONLINE_OUTCOMES, whether
   * the crew acknowledged it or not) with a stored estimate, of those in `account`'s list,
   * optionally of one surveyor, concluded in [from, to] (days in the authority's zone). Not
   * concluded, or "to be continued on site": not counted (see README, Reports).
   */
  private counted(account: Account, q: ReportQuery): SelectQueryBuilder<InspectionRecord> {
    const qb = this.records
      .createQueryBuilder('r')
      .where('r.outcome IN (:...outcomes)', { outcomes: [...COMPLETED_ONLINE_OUTCOMES] })
      .andWhere('r.co2SavedT IS NOT NULL')
      .andWhere('r.concludedAt IS NOT NULL');
    if (q.from) qb.andWhere('r.concludedAt >= :from', { from: startOfZonedDay(q.from, this.deps.timeZone) });
    if (q.to) qb.andWhere('r.concludedAt < :to', { to: endOfZonedDay(q.to, this.deps.timeZone) });
    if (q.surveyorId) qb.andWhere('r.surveyorId = :surveyorId', { surveyorId: q.surveyorId });
    const scope = this.deps.access.scopeCondition(account, 'listed', { id: 'r.inspectionId', surveyorId: 'r.surveyorId' });
    if (scope) qb.andWhere(scope.where, scope.params);
    return qb;
  }

  /** The dashboard: one grouped query (surveyor x month), rolled up. */
  async dashboard(q: ReportQuery, account: Account): Promise<ReportView> {
    const months = await this.monthsOf(q);
    if (!months.length) return rollUp([], q);
    // The month of each row, as a CASE over the months' ends (each month's first instant in the
    // zone): exact across daylight saving time, the same SQL on SQLite and PostgreSQL. Nested as a
    // binary search, so five years cost 6 comparisons a row rather than up to 60.
    const params: Record<string, Date> = {};
    months.forEach((m, k) => (params[`monthEnd${k}`] = m.end));
    const bucket = (lo: number, hi: number): string => {
      if (lo === hi) return String(lo);
      const mid = (lo + hi) >> 1;
      return `CASE WHEN r.concludedAt < :monthEnd${mid} THEN ${bucket(lo, mid)} ELSE ${bucket(mid + 1, hi)} END`;
    };
    const rows = await this.counted(account, q)
      .select('r.surveyorId', 'surveyorId')
      .addSelect(bucket(0, months.length - 1), 'month')
      .addSelect('COUNT(*)', 'n')
      .addSelect(`SUM(CASE WHEN r.savingsBasis = 'calibrated-average' THEN 1 ELSE 0 END)`, 'estimated')
      .addSelect('SUM(r.co2SavedT)', 'co2')
      .addSelect('SUM(r.costSavedCny)', 'cost')
      .setParameters(params)
      .groupBy('1')
      .addGroupBy('2')
      .getRawMany<{
        surveyorId: string;
        month: number | string;
        n: number | string;
        estimated: number | string;
        co2: number | string;
        cost: number | string;
      }>();
    const ids = [...new Set(rows.map((r) => r.surveyorId))];
    const names = new Map(
      ids.length
        ? (await this.accounts.find({ where: { id: In(ids) }, select: { id: true, displayName: true } })).map((a) => [a.id, a.displayName])
        : [],
    );
    const cells: ReportCell[] = rows.map((r) => ({
      surveyorId: r.surveyorId,
      surveyorName: names.get(r.surveyorId) ?? '',
      month: months[Number(r.month)]!.month,
      count: Number(r.n),
      estimatedCount: Number(r.estimated),
      co2SavedT: Number(r.co2),
      costSavedCny: Number(r.cost),
    }));
    return rollUp(cells, q);
  }

  /**
   * The months of the authority's zone that the query's range touches, bounded by the first and
   * last conclusion on record (the index's two ends).
   */
  private async monthsOf(q: ReportQuery) {
    // Two queries: SQLite answers MIN alone or MAX alone from the index's ends, both together by a scan.
    const end = async (fn: 'MIN' | 'MAX') =>
      (await this.records.createQueryBuilder('r').select(`${fn}(r.concludedAt)`, 'at').getRawOne<{ at: unknown }>())?.at;
    const [firstAt, lastAt] = [await end('MIN'), await end('MAX')];
    if (!firstAt || !lastAt) return [];
    const tz = this.deps.timeZone;
    const first = rawTime(firstAt);
    const last = rawTime(lastAt);
    const from = q.from ? new Date(Math.max(first.getTime(), startOfZonedDay(q.from, tz).getTime())) : first;
    const to = q.to ? new Date(Math.min(last.getTime(), endOfZonedDay(q.to, tz).getTime() - 1)) : last;
    return from.getTime() <= to.getTime() ? zonedMonths(from, to, tz) : [];
  }

  /**
   * The CSV export, in pieces (a header, then a batch of lines at a time): read by keyset, oldest
   * conclusion first, so memory stays flat however many rows there are.
   */
  async *csv(q: ReportQuery, account: Account): AsyncGenerator<string> {
    // The first piece is the header with the first batch: a failing query fails before any byte.
    let text = CSV_HEADER + '\r\n';
    const names = new Map((await this.accounts.find({ select: { id: true, displayName: true } })).map((a) => [a.id, a.displayName]));
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const qb = this.counted(account, q)
        .innerJoin(InspectionEntity.options.name, 'i', 'i.id = r.inspectionId')
        .select('r.inspectionId', 'inspectionId')
        .addSelect('r.concludedAt', 'concludedAt')
        .addSelect('r.outcome', 'outcome')
        .addSelect('r.co2SavedT', 'co2SavedT')
        .addSelect('r.costSavedCny', 'costSavedCny')
        .addSelect('r.savingsBasis', 'basis')
        .addSelect('r.savingsProfile', 'savingsProfile')
        .addSelect('r.savingsEstimate', 'estimate')
        .addSelect('i.vesselName', 'vesselName')
        .addSelect('i.registrationNumber', 'registrationNumber')
        .addSelect('r.surveyorId', 'surveyorId');
      if (after) {
        // A row-value comparison: both databases seek the index to it.
        qb.andWhere('(r.concludedAt, r.inspectionId) > (:afterAt, :afterId)', {
          afterAt: after.at,
          afterId: after.id,
        });
      }
      const rows = await qb.orderBy('r.concludedAt', 'ASC').addOrderBy('r.inspectionId', 'ASC').limit(CSV_BATCH).getRawMany<{
        inspectionId: string;
        concludedAt: unknown;
        outcome: string;
        co2SavedT: number | string;
        costSavedCny: number | string;
        basis: string | null;
        savingsProfile: string;
        estimate: string | null;
        vesselName: string;
        registrationNumber: string;
        surveyorId: string;
      }>();
      for (const [k, r] of rows.entries()) {
        // Pieces of a few tens of kB: a string over V8's large-object size lives until a full
        // collection, and a few hundred of them were the server's memory growth while streaming.
        if (k > 0 && k % CSV_PIECE_ROWS === 0) {
          yield text;
          text = '';
        }
        text += csvLine({
          inspectionId: r.inspectionId,
          concludedAt: rawTime(r.concludedAt),
          vesselName: r.vesselName,
          registrationNumber: r.registrationNumber,
          surveyorName: names.get(r.surveyorId) ?? '',
          outcome: r.outcome,
          co2SavedT: Number(r.co2SavedT),
          costSavedCny: Number(r.costSavedCny),
          basis: r.basis ?? 'computed',
          profile: r.savingsProfile,
          // The model version from the stored estimate's text, without parsing all of it per row.
          modelVersion: (r.estimate && MODEL_VERSION.exec(r.estimate)?.[1]) || '',
        });
      }
      if (text) yield text;
      text = '';
      if (rows.length < CSV_BATCH) return;
      const last = rows[rows.length - 1]!;
      after = { at: rawTime(last.concludedAt), id: last.inspectionId };
    }
  }

  /** Everything the printable report shows, with account ids resolved to names. */
  async printable(
    inspectionId: string,
  ): Promise<{ record: InspectionRecordView; names: Map<string, string>; gaps: RecordingGap[]; chat: ChatMessageView[] }> {
    await this.deps.inspections.get(inspectionId);
    const record = await this.deps.records.view(inspectionId, await this.deps.evidence.list(inspectionId));
    const names = new Map((await this.accounts.find({ select: { id: true, displayName: true } })).map((a) => [a.id, a.displayName]));
    const chat = this.deps.chat ? await this.deps.chat.history(inspectionId) : [];
    return { record, names, gaps: await this.recordingGaps(inspectionId), chat };
  }

  /** Every stored gap of the inspection's recordings, oldest first (the report lists them). */
  private async recordingGaps(inspectionId: string): Promise<RecordingGap[]> {
    const recordings = await this.recordings.find({ where: { inspectionId }, select: { id: true } });
    if (!recordings.length) return [];
    return this.gaps.find({ where: { recordingId: In(recordings.map((r) => r.id)) }, order: { startedAt: 'ASC' } });
  }

  async evidenceFile(inspectionId: string, evidenceId: string) {
    return this.deps.evidence.file(inspectionId, evidenceId);
  }
}
