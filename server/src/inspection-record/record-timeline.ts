// The inspection record's marks on a recording's timeline (recording/replay-service.ts, composed
// in app.ts): evidence (stills, annotated stills, documents, bookmarks) when it was captured, and
// checklist verdicts when they were given. Only the latest verdict of an item is stored (its
// result and updatedAt), so an item changed after the recording shows its last verdict only.
import type { DataSource } from 'typeorm';
import { And, In, IsNull, LessThanOrEqual, MoreThanOrEqual, Not } from 'typeorm';
import type { TimelineMarkView } from '@cloudship/shared';
import { AccountEntity } from '../auth/entities';
import { ChecklistItemEntity, EvidenceEntity } from './entities';

/** Per lane and recording: more than this is not an inspection but a flood; the timeline shows the first ones. */
const MAX_MARKS = 2000;

export function recordTimeline(db: DataSource) {
  const evidence = db.getRepository(EvidenceEntity);
  const items = db.getRepository(ChecklistItemEntity);
  const accounts = db.getRepository(AccountEntity);
  return async (inspectionId: string, from: Date, to: Date): Promise<TimelineMarkView[]> => {
    const within = And(MoreThanOrEqual(from), LessThanOrEqual(to));
    const [stills, verdicts] = await Promise.all([
      evidence.find({ where: { inspectionId, capturedAt: within }, order: { capturedAt: 'ASC' }, take: MAX_MARKS }),
      items.find({ where: { inspectionId, updatedAt: within, result: Not(IsNull()) }, order: { updatedAt: 'ASC' }, take: MAX_MARKS }),
    ]);
    const ids = [...new Set(verdicts.map((v) => v.updatedBy).filter((id): id is string => Boolean(id)))];
    const names = new Map(ids.length ? (await accounts.findBy({ id: In(ids) })).map((a) => [a.id, a.displayName]) : []);
    const marks: TimelineMarkView[] = stills.map((e) => ({
      lane: 'evidence',
      kind: e.annotationOf ? 'annotation' : e.type,
      at: e.capturedAt.toISOString(),
      who: e.authorName,
      text: e.note,
      ref: e.type === 'bookmark' ? null : e.id,
    }));
    for (const v of verdicts)
      marks.push({
        lane: 'checklist',
        kind: v.result!,
        at: v.updatedAt!.toISOString(),
        who: (v.updatedBy && names.get(v.updatedBy)) || '',
        text: `${v.code} ${v.titleEn}`,
        textZh: `${v.code} ${v.titleZh}`,
        ref: null,
      });
    return marks;
  };
}
