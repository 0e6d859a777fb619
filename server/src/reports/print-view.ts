// The printable per-inspection report (HTML, bilingual labels): vessel particulars, checklist with
// findings and evidence thumbnails (and the crew's documents), conclusion, acknowledgement, the
// chat's messages and documents with sender and time, and the savings estimate with the
// values, sources, profile and model version it used. The same HTML is printed to PDF (pdf.ts);
// there the images are inlined as data: URLs because headless Chromium has no session cookie.
import {
  CHAT_KIND_LABELS,
  GAP_CAUSE_LABELS,
  isClosed,
  KIND_LABELS,
  OUTCOME_LABELS,
  RESULT_LABELS,
  ROLE_LABELS,
  SAVINGS_INPUT_LABELS,
  SAVINGS_INPUT_SOURCE,
  savingsBasisText,
  SOURCE_LABELS,
  type ChatMessageView,
  type ChecklistItemView,
  type EvidenceView,
  type InspectionRecordView,
  type SavingsInputKey,
  type Words,
} from '@cloudship/shared';
import type { RecordingGap } from '../recording/entities';
import { renderedPageCsp } from '../lib/csp';
import { formatCny, formatTonnes } from './report-totals';

const esc = (s: string | number | null | undefined) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const both = (zh: string, en: string) => `${esc(zh)} <span class="en">${esc(en)}</span>`;
/** A vocabulary value's words (labels.ts in @cloudship/shared), both languages. */
const words = (w: Words) => both(w.zh, w.en);

/**
 * A time as the authority reads it: `2026-12-03 21:30 UTC+8` in its zone (TIME_ZONE), the offset
 * printed with each time so that no reader has to guess which clock.
 */
export function reportTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // 'GMT+8' / 'UTC+8' by locale data; 'GMT' or 'UTC+0' for UTC itself.
  const offset = part('timeZoneName')
    .replace(/^GMT/, 'UTC')
    .replace(/^UTC[+-]0$/, 'UTC');
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${offset}`;
}

// A4, with the page number and count at the foot of every page (CSS page margin boxes).
type TimeText = (iso: string | null | undefined) => string;
const timeText =
  (o: PrintOptions): TimeText =>
  (iso) =>
    esc(reportTime(iso, o.timeZone));

const CSS = `@page{size:A4;margin:14mm 12mm 16mm;@bottom-center{content:counter(page) " / " counter(pages);font-family:"WenQuanYi Micro Hei",sans-serif;font-size:9px;color:#555}}
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;color:#111;margin:24px;font-size:12px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;border-bottom:2px solid #234;padding-bottom:2px;margin-top:20px}
.en{color:#555;font-size:.9em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef2f6}.num{text-align:right;font-variant-numeric:tabular-nums}.thumbs figure{display:inline-block;margin:2px}.thumbs img{max-width:150px;max-height:110px;margin:2px;border:1px solid #999}
.meta{font-size:10px;color:#555;word-break:break-all}.deficiency{color:#a30}.headline{font-size:14px;font-weight:bold}
@media print{body{margin:0}a{color:inherit;text-decoration:none}}`;

/**
 * The report page's own Content-Security-Policy: its inline style sheet (by hash; no style
 * attributes), the stills from our API or inlined as data: URLs, no scripts.
 */
export const PRINT_VIEW_CSP = renderedPageCsp({ styles: [CSS], imgSrc: ["'self'", 'data:'] });

export interface PrintOptions {
  /** Image source for a photo: its API URL for the browser, a data: URL for the PDF. */
  imageSrc(e: EvidenceView): string;
  names: Map<string, string>;
  /** The recordings' gaps, each with its cause (recording_gap). */
  gaps?: RecordingGap[];
  /** The chat: messages, document requests and documents, oldest first. */
  chat?: ChatMessageView[];
  /** The authority's time zone (IANA, TIME_ZONE): every time is printed in it. */
  timeZone: string;
}

/** Evidence printed as a picture: photos, and documents that are photos (a PDF is named, not shown). */
export function isPicture(e: EvidenceView): boolean {
  return e.type === 'photo' || (e.type === 'document' && e.contentType !== 'application/pdf');
}

/** Every message and document of the chat, with its sender and time (SHA-256 for documents). */
function chatSection(chat: ChatMessageView[], time: TimeText): string {
  if (!chat.length) return `<p data-testid="chat-log">${both('无消息。', 'No messages.')}</p>`;
  const rows = chat.map((m) => {
    const what = m.document
      ? `${esc(m.text)} <span class="meta">(${esc(m.document.contentType)}, ${esc(m.document.sizeBytes)} B, SHA-256 ${esc(m.document.sha256)})</span>`
      : esc(m.text);
    return `<tr data-kind="${esc(m.kind)}"><td>${time(m.sentAt)}</td><td>${words(ROLE_LABELS[m.senderRole])} · ${esc(m.senderName)}</td><td>${words(CHAT_KIND_LABELS[m.kind])}</td><td>${what}</td></tr>`;
  });
  return `<table data-testid="chat-log"><tr><th>${both('时间', 'Time')}</th><th>${both('发送人', 'Sender')}</th><th>${both('类型', 'Kind')}</th><th>${both('内容', 'Content')}</th></tr>${rows.join('')}</table>`;
}

/** Every interval a track of the recording had no media, with why: nothing is left out silently. */
function gapsSection(gaps: RecordingGap[], time: TimeText): string {
  if (!gaps.length) return `<p data-testid="recording-gaps">${both('录像无中断。', 'No gaps in the recording.')}</p>`;
  const rows = gaps.map((g) => {
    const seconds = g.endedAt ? `${Math.max(0, (g.endedAt.getTime() - g.startedAt.getTime()) / 1000).toFixed(1)} s` : '—';
    return `<tr data-cause="${esc(g.cause)}"><td>${time(g.startedAt.toISOString())}</td><td class="num">${seconds}</td><td>${esc(g.displayName)} · ${words(SOURCE_LABELS[g.source])}</td><td>${words(GAP_CAUSE_LABELS[g.cause])}</td></tr>`;
  });
  return `<table data-testid="recording-gaps"><tr><th>${both('开始', 'From')}</th><th class="num">${both('时长', 'Length')}</th><th>${both('轨道', 'Track')}</th><th>${both('原因', 'Cause')}</th></tr>${rows.join('')}</table>`;
}

/** An annotated still names its drawing and the untouched original it was drawn on. */
function annotationCaption(e: EvidenceView, all: EvidenceView[]): string {
  if (!e.annotationOf || !e.annotation) return '';
  const original = all.find((x) => x.id === e.annotationOf);
  const shapes = e.annotation.shapes.length;
  return `<br>${both('标注', 'Annotated')}: ${shapes} ${both('个图形', shapes === 1 ? 'shape' : 'shapes')} · ${both('原图', 'original')} SHA-256 ${esc(original?.sha256 ?? e.annotationOf)}`;
}

function evidenceCell(items: EvidenceView[], all: EvidenceView[], o: PrintOptions): string {
  const time = timeText(o);
  if (!items.length) return '';
  return `<div class="thumbs">${items
    .map((e) =>
      isPicture(e)
        ? `<figure><img src="${esc(o.imageSrc(e))}" alt="evidence ${esc(e.id)}"><figcaption class="meta">${time(e.capturedAt)}${e.lat !== null && e.lon !== null ? ` · ${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}` : ''}<br>SHA-256 ${esc(e.sha256)}${annotationCaption(e, all)}</figcaption></figure>`
        : e.type === 'document'
          ? `<div class="meta" data-testid="report-document">${both('文件', 'Document')} PDF ${esc(e.note)} · ${time(e.capturedAt)}<br>SHA-256 ${esc(e.sha256)}</div>`
          : `<div class="meta">${both('书签', 'Bookmark')} ${time(e.capturedAt)} ${esc(e.note)} (${esc(e.authorName)})</div>`,
    )
    .join('')}</div>`;
}

function checklistRows(items: ChecklistItemView[], evidence: EvidenceView[], o: PrintOptions): string {
  return items
    .map((i) => {
      const result = i.result ? words(RESULT_LABELS[i.result]) : both('未检', 'Not checked');
      return `<tr><td>${i.position + 1}</td><td>${both(i.sectionZh, i.sectionEn)}</td><td>${both(i.titleZh, i.titleEn)}</td>
<td class="${i.result === 'deficiency' ? 'deficiency' : ''}">${result}${i.deficiencyDeadline ? `<br>期限 Deadline: ${esc(i.deficiencyDeadline)}` : ''}</td>
<td>${esc(i.note)}${evidenceCell(
        evidence.filter((e) => e.checklistItemId === i.id),
        evidence,
        o,
      )}</td></tr>`;
    })
    .join('\n');
}

function savingsSection(rec: InspectionRecordView, o: PrintOptions, time: TimeText): string {
  const s = rec.savings;
  if (!s) return `<p>${both('尚未结论，未计算减排估算。', 'Not concluded yet: no savings estimate stored.')}</p>`;
  const values = s.resolved
    ? `<table><tr><th>${both('参数', 'Value')}</th><th class="num">${both('取值', 'Used')}</th><th>${both('来源', 'Source')}</th></tr>${(
        Object.entries(SAVINGS_INPUT_LABELS) as Array<[SavingsInputKey, Words]>
      )
        .map(
          ([k, label]) =>
            `<tr><td>${words(label)}</td><td class="num">${esc(s.resolved![k])}</td><td class="meta">${s.sources[k] === SAVINGS_INPUT_SOURCE.en ? words(SAVINGS_INPUT_SOURCE) : esc(s.sources[k] ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : `<p class="meta">${both('本次检验未填写参数，采用公布数据的校准平均值。', 'No inputs were given: the calibrated average of the published figures is used.')}</p>`;
  return `<p class="headline" data-testid="savings-result">${both('减少二氧化碳排放', 'CO2 avoided')}: ${formatTonnes(s.co2SavedT)} t · ${both('节约费用', 'Cost saved')}: ${formatCny(s.costSavedCny)} CNY</p>
<p class="meta">${both(savingsBasisText(s, 'zh'), savingsBasisText(s, 'en'))}</p>${values}
<p class="meta">${both('模型：云船检减排估算模型（IMO MEPC.364(79) Cf 3.206；DEFRA 车辆排放因子；Obringer 等 2021 视频排放）。', 'Model: Cloud Ship Inspection savings model (IMO MEPC.364(79) Cf 3.206; DEFRA car factors; Obringer et al. 2021 video streaming).')}</p>
${rec.savingsLog.length ? `<p class="meta">${both('修改记录', 'Changes')}: ${rec.savingsLog.map((c) => `${time(c.changedAt)} ${esc(o.names.get(c.changedBy) ?? c.changedBy)}: ${c.before.co2SavedT === null ? '—' : formatTonnes(c.before.co2SavedT)} → ${formatTonnes(c.after.co2SavedT)} t`).join('; ')}</p>` : ''}`;
}

/** No conclusion: not yet, or the session ended without one (marked "to be continued" or not). */
function notConcluded(i: InspectionRecordView['inspection']): string {
  if (!isClosed(i.status)) return both('尚未结论', 'Not concluded yet');
  return i.toBeContinued
    ? both('未结论：检验已结束，待续', 'Not concluded: ended, to be continued')
    : both('未结论：检验已结束', 'Not concluded: the inspection ended');
}

/** Once the session ended the crew can no longer acknowledge: the report says so, it waits for nothing. */
function acknowledgement(rec: InspectionRecordView, time: TimeText): string {
  const c = rec.conclusion;
  if (c?.acknowledgedAt) return `${esc(c.acknowledgedName)} · ${time(c.acknowledgedAt)}`;
  if (c && isClosed(rec.inspection.status)) return both('船方未确认：视频检验已结束', 'Not acknowledged by the crew: the session ended');
  return both('尚未确认', 'Not acknowledged yet');
}

export function renderPrintView(rec: InspectionRecordView, o: PrintOptions): string {
  const i = rec.inspection;
  const c = rec.conclusion;
  const engine = rec.savingsInputs.meKw !== undefined ? `${rec.savingsInputs.meKw} kW` : '—';
  const unattached = rec.evidence.filter((e) => !e.checklistItemId);
  const time = timeText(o);
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(i.vesselName)} · 检验报告 Inspection report</title><style>${CSS}</style></head><body>
<h1>${both('云船检 · 远程检验报告', 'Cloud Ship Inspection · Remote inspection report')}</h1>
<h2>${both('船舶概况', 'Vessel particulars')}</h2>
<table data-testid="particulars">
<tr><th>${both('船名', 'Vessel')}</th><td data-testid="vessel-name">${esc(i.vesselName)}</td><th>${both('登记号', 'Registration no.')}</th><td>${esc(i.registrationNumber)}</td></tr>
<tr><th>${both('检验种类', 'Kind')}</th><td>${words(KIND_LABELS[i.kind])}</td><th>${both('地点', 'Place')}</th><td>${esc(i.place)}</td></tr>
<tr><th>${both('验船师', 'Surveyor')}</th><td>${esc(i.surveyorName)}</td><th>${both('主机功率', 'Main engine power')}</th><td>${esc(engine)}</td></tr>
<tr><th>${both('计划时间', 'Scheduled')}</th><td>${time(i.scheduledAt)}</td><th>${both('开始 / 结束', 'Started / ended')}</th><td>${time(i.startedAt)} / ${time(i.endedAt)}</td></tr>
</table>
<h2>${both('检验项目', 'Checklist')}</h2>
<table><tr><th>#</th><th>${both('部分', 'Section')}</th><th>${both('项目', 'Item')}</th><th>${both('结果', 'Finding')}</th><th>${both('备注及证据', 'Note and evidence')}</th></tr>
${checklistRows(rec.checklist, rec.evidence, o)}</table>
${unattached.length ? `<h2>${both('其他证据', 'Other evidence')}</h2>${evidenceCell(unattached, rec.evidence, o)}` : ''}
<h2>${both('检验结论', 'Conclusion')}</h2>
${c ? `<p data-testid="conclusion"><strong>${words(OUTCOME_LABELS[c.outcome])}</strong> · ${time(c.concludedAt)} · ${esc(o.names.get(c.concludedBy) ?? c.concludedBy)}</p><p>${esc(c.remarks)}</p>` : `<p>${notConcluded(i)}</p>`}
<h2>${both('船方确认', 'Crew acknowledgement')}</h2>
<p>${acknowledgement(rec, time)}</p>
<h2>${both('减排及节约估算', 'Savings estimate')}</h2>
${savingsSection(rec, o, time)}
<h2>${both('消息及文件', 'Messages and documents')}</h2>
${chatSection(o.chat ?? [], time)}
<h2>${both('录像中断', 'Recording gaps')}</h2>
${gapsSection(o.gaps ?? [], time)}
</body></html>`;
}
