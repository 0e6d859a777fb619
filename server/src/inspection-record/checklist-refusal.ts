// A conclusion refused because of some checklist items: the message names them by their title in
// the language the request asked for (never by internal codes), and the wire form lists them with
// both titles, so the console can say it again in its own language.
import { AppError, type ChecklistItemRef, type ChecklistRefusalReason, type ChecklistRefusalWire } from '@cloudship/shared';
import type { Language } from '../lib/request-language';
import type { ChecklistItem } from './entities';

const MESSAGES: Record<ChecklistRefusalReason, Record<Language, (titles: string) => string>> = {
  'deficiency-without-deadline': {
    en: (titles) => `Each deficiency needs a deadline to rectify it; missing for: ${titles}.`,
    zh: (titles) => `每项缺陷都需要整改期限，以下项目尚未填写：${titles}。`,
  },
  'deficiencies-marked': {
    en: (titles) => `These checklist items are marked as deficiencies: ${titles}. Conclude "passed with deficiencies" or "failed".`,
    zh: (titles) => `以下检验项目标记为缺陷：${titles}。请作出“合格（有缺陷，限期整改）”或“不合格”的结论。`,
  },
};

export class ChecklistRefusal extends AppError {
  readonly items: ChecklistItemRef[];

  constructor(
    readonly reason: ChecklistRefusalReason,
    items: readonly ChecklistItem[],
    lang: Language,
  ) {
    const titles = items.map((i) => (lang === 'zh' ? `「${i.titleZh}」` : `"${i.titleEn}"`)).join(lang === 'zh' ? '、' : ', ');
    super('BAD_REQUEST', MESSAGES[reason][lang](titles));
    this.items = items.map((i) => ({ id: i.id, code: i.code, titleZh: i.titleZh, titleEn: i.titleEn }));
  }

  override toWire(): ChecklistRefusalWire {
    return { code: 'BAD_REQUEST', message: this.message, reason: this.reason, items: this.items };
  }
}
