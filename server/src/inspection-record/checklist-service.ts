// Checklist templates (one per inspection kind, edited by admins) and each inspection's checklist,
// copied from its kind's template when the inspection's record is first needed, so that a later
// template edit never rewrites a past inspection.
import crypto from 'node:crypto';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import {
  AppError,
  INSPECTION_KINDS,
  type ChecklistItemView,
  type ChecklistTemplateItem,
  type ChecklistTemplateView,
  type InspectionKind,
  type UpdateChecklistItemRequest,
} from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import { ChecklistItemEntity, ChecklistTemplateEntity, type ChecklistItem, type ChecklistTemplate } from './entities';
import { DEFAULT_CHECKLIST } from './checklist-defaults';

const logger = new Logger('checklist');

export class ChecklistService {
  private readonly templates: Repository<ChecklistTemplate>;
  private readonly items: Repository<ChecklistItem>;

  constructor(
    private readonly db: DataSource,
    private readonly log: EvidenceLog,
  ) {
    const ds = db;
    this.templates = ds.getRepository(ChecklistTemplateEntity);
    this.items = ds.getRepository(ChecklistItemEntity);
  }

  /** At start-up: every kind without a template gets the seeded one (admins edit them later). */
  async seedTemplates(): Promise<void> {
    for (const kind of INSPECTION_KINDS) {
      if (await this.templates.existsBy({ kind })) continue;
      await this.templates.save({ kind, version: 1, items: JSON.stringify(DEFAULT_CHECKLIST), updatedBy: null, updatedAt: new Date() });
      logger.info('seedTemplates() | default template seeded', { kind });
    }
  }

  async listTemplates(): Promise<ChecklistTemplateView[]> {
    return (await this.templates.find({ order: { kind: 'ASC' } })).map(toTemplateView);
  }

  async template(kind: InspectionKind): Promise<ChecklistTemplate> {
    const row = await this.templates.findOneBy({ kind });
    if (!row) throw new AppError('NOT_FOUND', `No checklist template for "${kind}".`);
    return row;
  }

  async updateTemplate(kind: InspectionKind, items: ChecklistTemplateItem[], accountId: string): Promise<ChecklistTemplateView> {
    const row = await this.template(kind);
    row.version += 1;
    row.items = JSON.stringify(items);
    row.updatedBy = accountId;
    row.updatedAt = new Date();
    await this.templates.save(row);
    logger.info('updateTemplate() | template changed', { kind, version: row.version, items: items.length });
    return toTemplateView(row);
  }

  /** Copies the template into the inspection's checklist (inside the caller's transaction). */
  async instantiate(m: EntityManager, inspectionId: string, kind: InspectionKind): Promise<number> {
    const template = await m.getRepository(ChecklistTemplateEntity).findOneBy({ kind });
    const items = template ? (JSON.parse(template.items) as ChecklistTemplateItem[]) : [...DEFAULT_CHECKLIST];
    await m.getRepository(ChecklistItemEntity).insert(
      items.map((item, position) => ({
        id: crypto.randomUUID(),
        inspectionId,
        position,
        ...item,
        result: null,
        note: '',
        deficiencyDeadline: null,
        updatedAt: null,
        updatedBy: null,
      })),
    );
    return template?.version ?? 0;
  }

  async list(inspectionId: string): Promise<ChecklistItem[]> {
    return this.items.find({ where: { inspectionId }, order: { position: 'ASC' } });
  }

  async item(inspectionId: string, itemId: string): Promise<ChecklistItem> {
    const item = itemId.length <= 64 ? await this.items.findOneBy({ id: itemId, inspectionId }) : null;
    if (!item) throw new AppError('NOT_FOUND', 'No such checklist item in this inspection.');
    return item;
  }

  /** Caller has checked that the record is editable. */
  async update(inspectionId: string, itemId: string, change: UpdateChecklistItemRequest, accountId: string): Promise<ChecklistItem> {
    const item = await this.item(inspectionId, itemId);
    const from = item.result;
    if (change.result !== undefined) item.result = change.result;
    if (change.note !== undefined) item.note = change.note;
    if (change.deficiencyDeadline !== undefined) item.deficiencyDeadline = change.deficiencyDeadline;
    // A deadline only means something for a deficiency; clear it when the finding changes.
    if (item.result !== 'deficiency') item.deficiencyDeadline = null;
    item.updatedAt = new Date();
    item.updatedBy = accountId;
    await this.db.transaction(async (m) => {
      await m.save(ChecklistItemEntity, item);
      // The whole verdict as it now stands (a change is a new entry; the old one stays in the log).
      await this.log.append(
        m,
        inspectionId,
        'checklist.verdict',
        {
          itemId: item.id,
          code: item.code,
          result: item.result,
          note: item.note,
          deficiencyDeadline: item.deficiencyDeadline,
          by: accountId,
        },
        { at: item.updatedAt! },
      );
    });
    if (from !== item.result) logger.info(`update() | ${item.code}: ${from ?? 'unset'} -> ${item.result ?? 'unset'}`, { inspectionId });
    return item;
  }
}

function toTemplateView(row: ChecklistTemplate): ChecklistTemplateView {
  return {
    kind: row.kind,
    version: row.version,
    items: JSON.parse(row.items) as ChecklistTemplateItem[],
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toChecklistItemView(item: ChecklistItem): ChecklistItemView {
  return {
    id: item.id,
    position: item.position,
    code: item.code,
    sectionZh: item.sectionZh,
    sectionEn: item.sectionEn,
    titleZh: item.titleZh,
    titleEn: item.titleEn,
    result: item.result,
    note: item.note,
    deficiencyDeadline: item.deficiencyDeadline,
    updatedAt: item.updatedAt?.toISOString() ?? null,
    updatedBy: item.updatedBy,
  };
}
