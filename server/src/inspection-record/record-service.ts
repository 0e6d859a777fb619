// The inspection record: created (with its checklist) when first needed; the conclusion, the crew's
// acknowledgement (after which the record is read-only) and the savings estimate with its log.
import crypto from 'node:crypto';
import { IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import {
  AppError,
  estimateSavings,
  SavingsInputError,
  type ConcludeRequest,
  type ConclusionView,
  type CrewConclusionView,
  type EvidenceView,
  type InspectionRecordView,
  type RecordPart,
  type SavingsChangeView,
  type SavingsFieldIssue,
  type SavingsEstimate,
  type SavingsInputs,
  type SavingsProfileName,
  type UpdateChecklistItemRequest,
  type UpdateSavingsRequest,
  type WireError,
  concludeSchema,
} from '@cloudship/shared';
import { canonicalJson } from '@cloudship/shared';
import type { Account } from '../auth/entities';
import type { Inspection } from '../inspection/entities';
import {
  ChecklistItemEntity,
  InspectionRecordEntity,
  SavingsChangeEntity,
  type ChecklistItem,
  type InspectionRecord,
  type SavingsChange,
} from './entities';
import { sha256Hex, toJsonBody, type EvidenceLog } from '../seal/evidence-log';
import { Logger } from '../logging/logger';
import type { Language } from '../lib/request-language';
import { ChecklistRefusal } from './checklist-refusal';
import type { ChecklistService } from './checklist-service';
import { toChecklistItemView } from './checklist-service';
import type { InspectionService } from '../inspection/inspection-service';
import type { RecordNotifier } from './record-notifier';

const logger = new Logger('record');

/** A 400 whose wire form also lists the fields at fault, e.g. for savings inputs. */
export class FieldError extends AppError {
  constructor(
    message: string,
    readonly fields: SavingsFieldIssue[],
  ) {
    super('BAD_REQUEST', message);
  }

  override toWire(): WireError & { fields: SavingsFieldIssue[] } {
    return { ...super.toWire(), fields: this.fields };
  }
}

export class RecordService {
  private readonly records: Repository<InspectionRecord>;
  private readonly changes: Repository<SavingsChange>;

  constructor(
    private readonly ds: DataSource,
    private readonly inspections: InspectionService,
    private readonly checklist: ChecklistService,
    private readonly notifier: RecordNotifier,
    private readonly log: EvidenceLog,
  ) {
    this.records = ds.getRepository(InspectionRecordEntity);
    this.changes = ds.getRepository(SavingsChangeEntity);
  }

  /** The record of an inspection, created with its checklist from the kind's template if missing. */
  async ensure(inspection: Inspection): Promise<InspectionRecord> {
    const existing = await this.records.findOneBy({ inspectionId: inspection.id });
    if (existing) return existing;
    try {
      await this.ds.transaction(async (m) => {
        const templateVersion = await this.checklist.instantiate(m, inspection.id, inspection.kind);
        await m.getRepository(InspectionRecordEntity).insert({
          inspectionId: inspection.id,
          templateVersion,
          outcome: null,
          remarks: '',
          concludedAt: null,
          concludedBy: null,
          acknowledgedName: null,
          acknowledgedAt: null,
          savingsInputs: '{}',
          savingsProfile: 'published-calibrated',
          savingsEstimate: null,
          co2SavedT: null,
          costSavedCny: null,
          savingsBasis: null,
          surveyorId: inspection.surveyorId,
        });
      });
      logger.info('ensure() | record created from template', { inspectionId: inspection.id, kind: inspection.kind });
    } catch (e) {
      // Two first requests at once: the other one created it (primary key / unique index).
      if (!(await this.records.existsBy({ inspectionId: inspection.id }))) throw e;
    }
    return this.records.findOneByOrFail({ inspectionId: inspection.id });
  }

  async get(inspectionId: string): Promise<{ inspection: Inspection; record: InspectionRecord }> {
    const inspection = await this.inspections.get(inspectionId);
    return { inspection, record: await this.ensure(inspection) };
  }

  /** Throws unless the checklist, evidence and conclusion may still change. */
  assertEditable(record: InspectionRecord): void {
    if (record.acknowledgedAt) {
      throw new AppError('RECORD_LOCKED', 'This inspection was concluded and acknowledged by the crew; its record is read-only.');
    }
  }

  async editable(inspectionId: string): Promise<{ inspection: Inspection; record: InspectionRecord }> {
    const r = await this.get(inspectionId);
    this.assertEditable(r.record);
    return r;
  }

  async updateChecklistItem(inspectionId: string, itemId: string, change: UpdateChecklistItemRequest, by: Account) {
    await this.editable(inspectionId);
    const item = toChecklistItemView(await this.checklist.update(inspectionId, itemId, change, by.id));
    this.changed(inspectionId, 'checklist');
    return item;
  }

  async view(inspectionId: string, evidence: EvidenceView[]): Promise<InspectionRecordView> {
    const { inspection, record } = await this.get(inspectionId);
    const [view] = await this.inspections.views([inspection]);
    const log = await this.changes.find({ where: { inspectionId }, order: { changedAt: 'ASC' } });
    return {
      inspection: view!,
      checklist: (await this.checklist.list(inspectionId)).map(toChecklistItemView),
      evidence,
      conclusion: conclusionView(record),
      readOnly: record.acknowledgedAt !== null,
      savingsInputs: JSON.parse(record.savingsInputs) as SavingsInputs,
      savingsProfile: record.savingsProfile,
      savings: record.savingsEstimate ? (JSON.parse(record.savingsEstimate) as SavingsEstimate) : null,
      savingsLog: log.map((c) => ({
        changedAt: c.changedAt.toISOString(),
        changedBy: c.changedBy,
        before: JSON.parse(c.before) as SavingsChangeView['before'],
        after: JSON.parse(c.after) as SavingsChangeView['after'],
      })),
    };
  }

  /**
   * Concludes (or re-concludes, until the crew acknowledges). "Passed with deficiencies" needs at
   * least one deficiency and a deadline for each; "passed" refuses open deficiencies. A refusal
   * names the items by their titles in `lang`. The savings estimate is computed and stored now.
   */
  async conclude(inspectionId: string, req: ConcludeRequest, by: Account, lang: Language = 'en'): Promise<ConclusionView> {
    const body = concludeSchema.parse(req);
    const { inspection, record } = await this.editable(inspectionId);
    const items = await this.checklist.list(inspectionId);
    const deficiencies = items.filter((i) => i.result === 'deficiency');
    if (body.outcome === 'passed' && deficiencies.length) throw new ChecklistRefusal('deficiencies-marked', deficiencies, lang);
    if (body.outcome === 'passed-with-deficiencies') {
      if (!deficiencies.length) throw new AppError('BAD_REQUEST', 'No checklist item is marked as a deficiency.');
      const undated = deficiencies.filter((i) => !i.deficiencyDeadline);
      if (undated.length) throw new ChecklistRefusal('deficiency-without-deadline', undated, lang);
    }
    const from = record.outcome ?? 'open';
    const estimate = estimateSavings(JSON.parse(record.savingsInputs) as SavingsInputs, record.savingsProfile);
    const conclusion = {
      outcome: body.outcome,
      remarks: body.remarks,
      concludedAt: new Date(),
      concludedBy: by.id,
      savingsEstimate: JSON.stringify(estimate),
      co2SavedT: estimate.co2SavedT,
      costSavedCny: estimate.costSavedCny,
      savingsBasis: estimate.basis,
    };
    // Conditional: a crew acknowledgement that landed since the read above locks the record, and a
    // whole-row save would have written its acknowledgement back to null.
    const affected = await this.ds.transaction(async (m) => {
      const r = await m.update(InspectionRecordEntity, { inspectionId, acknowledgedAt: IsNull() }, conclusion);
      if (!r.affected) return 0;
      const sealed = { ...record, ...conclusion };
      await this.log.append(
        m,
        inspectionId,
        'conclusion',
        { outcome: body.outcome, remarks: body.remarks, concludedBy: by.id, crewSees: await this.crewViewSha256(m, sealed) },
        { at: conclusion.concludedAt },
      );
      await this.log.append(
        m,
        inspectionId,
        'savings',
        { profile: record.savingsProfile, inputs: JSON.parse(record.savingsInputs) as SavingsInputs, estimate },
        { at: conclusion.concludedAt },
      );
      return r.affected;
    });
    if (!affected) throw new AppError('RECORD_LOCKED', 'The crew acknowledged the conclusion meanwhile; the record is read-only.');
    Object.assign(record, conclusion);
    logger.info(`conclude() | ${from} -> ${body.outcome}`, {
      inspectionId,
      co2SavedT: estimate.co2SavedT.toFixed(3),
      status: inspection.status,
    });
    const view = conclusionView(record)!;
    this.notifier.notify(inspectionId, 'all', 'inspection.concluded', view);
    this.changed(inspectionId, 'conclusion');
    return view;
  }

  /** What the crew is asked to acknowledge. */
  async crewConclusion(inspection: Inspection): Promise<CrewConclusionView> {
    const record = await this.ensure(inspection);
    const items = record.outcome ? await this.checklist.list(inspection.id) : [];
    return crewView(record, items);
  }

  /**
   * SHA-256 of what the crew's phone is shown to acknowledge (the conclusion's outcome and remarks,
   * the deficiencies with their notes and deadlines), as canonical JSON. Sealed with the conclusion
   * and with the acknowledgement: the two must match, or the crew acknowledged something else.
   */
  private async crewViewSha256(m: EntityManager, record: InspectionRecord): Promise<string> {
    const items = await m.find(ChecklistItemEntity, { where: { inspectionId: record.inspectionId }, order: { position: 'ASC' } });
    const { conclusion, deficiencies } = crewView(record, items);
    return sha256Hex(canonicalJson(toJsonBody({ outcome: conclusion?.outcome ?? null, remarks: conclusion?.remarks ?? '', deficiencies })));
  }

  /** The crew acknowledges the conclusion by typing a name; from then on the record is read-only. */
  async acknowledge(inspection: Inspection, name: string): Promise<ConclusionView> {
    const record = await this.ensure(inspection);
    if (record.acknowledgedAt) {
      throw new AppError('CONFLICT', `Already acknowledged by ${record.acknowledgedName} at ${record.acknowledgedAt.toISOString()}.`);
    }
    if (!record.outcome) throw new AppError('INVALID_STATE', 'The surveyor has not concluded this inspection yet.');
    // Conditional update: of two acknowledgements racing, exactly one wins.
    const at = new Date();
    const affected = await this.ds.transaction(async (m) => {
      const r = await m.update(
        InspectionRecordEntity,
        { inspectionId: inspection.id, acknowledgedAt: IsNull() },
        { acknowledgedName: name, acknowledgedAt: at },
      );
      if (!r.affected) return 0;
      await this.log.append(m, inspection.id, 'acknowledgement', { name, crewSaw: await this.crewViewSha256(m, record) }, { at });
      return r.affected;
    });
    if (!affected) throw new AppError('CONFLICT', 'This conclusion was already acknowledged.');
    logger.info('acknowledge() | concluded -> acknowledged (read-only)', { inspectionId: inspection.id });
    this.changed(inspection.id, 'conclusion');
    return conclusionView({ ...record, acknowledgedName: name, acknowledgedAt: at })!;
  }

  /**
   * The surveyor corrects the savings inputs (also after the acknowledgement: the estimate is an
   * administrative figure, and every change is logged with who, when, before and after).
   */
  async updateSavings(inspectionId: string, req: UpdateSavingsRequest, by: Account): Promise<InspectionRecord> {
    const { record } = await this.get(inspectionId);
    const profile: SavingsProfileName = req.profile ?? record.savingsProfile;
    let estimate;
    try {
      estimate = estimateSavings(req.inputs, profile);
    } catch (e) {
      if (e instanceof SavingsInputError) throw new FieldError(e.message, e.issues);
      throw e;
    }
    const before = {
      inputs: JSON.parse(record.savingsInputs) as SavingsInputs,
      profile: record.savingsProfile,
      co2SavedT: record.co2SavedT,
      costSavedCny: record.costSavedCny,
    };
    record.savingsInputs = JSON.stringify(req.inputs);
    record.savingsProfile = profile;
    // Only a concluded inspection has a stored estimate; before that the inputs wait for it.
    if (record.outcome) {
      record.savingsEstimate = JSON.stringify(estimate);
      record.co2SavedT = estimate.co2SavedT;
      record.costSavedCny = estimate.costSavedCny;
      record.savingsBasis = estimate.basis;
    }
    const after: SavingsChangeView['after'] = {
      inputs: req.inputs,
      profile,
      co2SavedT: estimate.co2SavedT,
      costSavedCny: estimate.costSavedCny,
    };
    const changedAt = new Date();
    await this.ds.transaction(async (m) => {
      await m.getRepository(InspectionRecordEntity).save(record);
      await m.getRepository(SavingsChangeEntity).insert({
        id: crypto.randomUUID(),
        inspectionId,
        changedBy: by.id,
        changedAt,
        before: JSON.stringify(before),
        after: JSON.stringify(after),
      });
      await this.log.append(m, inspectionId, 'savings.correction', { by: by.id, before, after }, { at: changedAt });
    });
    logger.info(`updateSavings() | co2 ${before.co2SavedT?.toFixed(3) ?? 'none'} -> ${estimate.co2SavedT.toFixed(3)} t`, {
      inspectionId,
      by: by.id,
    });
    this.changed(inspectionId, 'savings');
    return record;
  }

  /** Tells the staff in the live room that a part of the record changed (their pages read it again). */
  changed(inspectionId: string, part: RecordPart): void {
    this.notifier.notify(inspectionId, 'staff', 'record.changed', { part });
  }
}

function crewView(record: InspectionRecord, items: ChecklistItem[]): CrewConclusionView {
  return {
    conclusion: conclusionView(record),
    deficiencies: record.outcome
      ? items
          .filter((i) => i.result === 'deficiency')
          .map((i) => ({ titleZh: i.titleZh, titleEn: i.titleEn, note: i.note, deadline: i.deficiencyDeadline }))
      : [],
  };
}

export function conclusionView(r: InspectionRecord): ConclusionView | null {
  if (!r.outcome || !r.concludedAt) return null;
  return {
    outcome: r.outcome,
    remarks: r.remarks,
    concludedAt: r.concludedAt.toISOString(),
    concludedBy: r.concludedBy ?? '',
    acknowledgedName: r.acknowledgedName,
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
  };
}
