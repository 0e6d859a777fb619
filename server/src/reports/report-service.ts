// Reads concluded inspections and their stored savings estimates for the dashboard, the CSV export
// and the printable per-inspection report. Totals always come from the stored estimates (never
// recomputed here), so a report matches what each inspection recorded.
import type { DataSource, Repository } from 'typeorm';
import { In, Not, IsNull } from 'typeorm';
import {
  COMPLETED_ONLINE_OUTCOMES,
  type ChatMessageView,
  type InspectionRecordView,
  type ReportQuery,
  type ReportView,
  type SavingsEstimate,
} from '@cloudship/shared';
import { AccountEntity, type Account } from '../auth/entities';
import type { ChatService } from '../chat/chat-service';
import { InspectionEntity, type Inspection } from '../inspection/entities';
import { InspectionRecordEntity, type InspectionRecord } from '../inspection-record/entities';
import { RecordingEntity, RecordingGapEntity, type Recording, type RecordingGap } from '../recording/entities';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { InspectionService } from '../inspection/inspection-service';
import type { RecordService } from '../inspection-record/record-service';
import { summarize, toCsv, type CsvRow } from './report-totals';

export class ReportService {
  private readonly records: Repository<InspectionRecord>;
  private readonly inspectionRows: Repository<Inspection>;
  private readonly accounts: Repository<Account>;
  private readonly recordings: Repository<Recording>;
  private readonly gaps: Repository<RecordingGap>;

  constructor(
    ds: DataSource,
    private readonly inspections: InspectionService,
    private readonly recordService: RecordService,
    private readonly evidence: EvidenceService,
    /** The chat's messages and documents, printed with the record. */
    private readonly chat?: ChatService,
  ) {
    this.records = ds.getRepository(InspectionRecordEntity);
    this.inspectionRows = ds.getRepository(InspectionEntity);
    this.accounts = ds.getRepository(AccountEntity);
    this.recordings = ds.getRepository(RecordingEntity);
    this.gaps = ds.getRepository(RecordingGapEntity);
  }

  /**
   * Every inspection done online (concluded with an outcome of COMPLETED_ONLINE_OUTCOMES, whether
   * the crew acknowledged it or not) with a stored estimate, of those in `scope` (optionally of one
   * surveyor). Not concluded, or "to be continued on site": not counted (see README, Reports).
   */
  async rows(surveyorId?: string, scope: Set<string> | 'all' = 'all'): Promise<CsvRow[]> {
    const records = await this.records.find({ where: { outcome: In([...COMPLETED_ONLINE_OUTCOMES]), co2SavedT: Not(IsNull()) } });
    const inspections = new Map((await this.inspectionRows.findBy({ id: In(records.map((r) => r.inspectionId)) })).map((i) => [i.id, i]));
    const names = new Map((await this.accounts.find()).map((a) => [a.id, a.displayName]));
    const rows: CsvRow[] = [];
    for (const r of records) {
      const i = inspections.get(r.inspectionId);
      if (!i || !r.concludedAt || (surveyorId && i.surveyorId !== surveyorId)) continue;
      if (scope !== 'all' && !scope.has(i.id)) continue;
      const estimate = JSON.parse(r.savingsEstimate ?? 'null') as SavingsEstimate | null;
      rows.push({
        inspectionId: i.id,
        surveyorId: i.surveyorId,
        surveyorName: names.get(i.surveyorId) ?? '',
        concludedAt: r.concludedAt,
        co2SavedT: r.co2SavedT ?? 0,
        costSavedCny: r.costSavedCny ?? 0,
        basis: estimate?.basis ?? 'computed',
        vesselName: i.vesselName,
        registrationNumber: i.registrationNumber,
        outcome: r.outcome ?? '',
        profile: estimate?.profile ?? r.savingsProfile,
        modelVersion: estimate?.modelVersion ?? '',
      });
    }
    return rows.sort((a, b) => a.concludedAt.getTime() - b.concludedAt.getTime());
  }

  async dashboard(q: ReportQuery, scope: Set<string> | 'all' = 'all'): Promise<ReportView> {
    return summarize(await this.rows(q.surveyorId, scope), q);
  }

  async csv(q: ReportQuery, scope: Set<string> | 'all' = 'all'): Promise<string> {
    return toCsv(await this.rows(q.surveyorId, scope), q);
  }

  /** Everything the printable report shows, with account ids resolved to names. */
  async printable(
    inspectionId: string,
  ): Promise<{ record: InspectionRecordView; names: Map<string, string>; gaps: RecordingGap[]; chat: ChatMessageView[] }> {
    await this.inspections.get(inspectionId);
    const record = await this.recordService.view(inspectionId, await this.evidence.list(inspectionId));
    const names = new Map((await this.accounts.find()).map((a) => [a.id, a.displayName]));
    const chat = this.chat ? await this.chat.history(inspectionId) : [];
    return { record, names, gaps: await this.recordingGaps(inspectionId), chat };
  }

  /** Every stored gap of the inspection's recordings, oldest first (the report lists them). */
  private async recordingGaps(inspectionId: string): Promise<RecordingGap[]> {
    const recordings = await this.recordings.find({ where: { inspectionId }, select: { id: true } });
    if (!recordings.length) return [];
    return this.gaps.find({ where: { recordingId: In(recordings.map((r) => r.id)) }, order: { startedAt: 'ASC' } });
  }

  async evidenceFile(inspectionId: string, evidenceId: string) {
    return this.evidence.file(inspectionId, evidenceId);
  }
}
