// Inspection record (inspection-record/): the conclusion form (outcome + remarks; then "waiting for
// the crew" / "acknowledged by", or, once the session ended without it, "not acknowledged") and the
// savings inputs with a live preview computed here with the same shared model the server stores
// with, plus links to the printable report and its PDF. Concluding with unchecked items asks first,
// naming them; a refusal that names items is shown with their titles in the page's language.
import {
  COMPLETED_ONLINE_OUTCOMES,
  CONCLUSION_OUTCOMES,
  isClosed,
  PROFILES,
  estimateSavings,
  type ChecklistItemRef,
  type ConclusionOutcome,
  type InspectionRecordView,
  type SavingsInputKey,
  type SavingsInputs,
  type SavingsProfileName,
} from '@cloudship/shared';
import { ApiError, errorCode } from '../api';
import { bindText, getLanguage, t, type MessageKey } from '../i18n';
import { ask } from '../ui/dialog';
import { recordApi } from './record-api';
import { button, el, messageBox, scrollIntoViewGently } from '../ui/dom';

/** The inputs a surveyor usually knows; the others keep their profile defaults. */
const FIELDS: SavingsInputKey[] = ['meKw', 'aeKw', 'vesselDetourKm', 'vesselWaitH', 'surveyorTripKm', 'sessionHours'];

const tonnes = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const yuan = (v: number) => Math.round(v).toLocaleString('en-US');

export interface ConclusionPanel {
  el: HTMLElement;
  render(record: InspectionRecordView): void;
  /** Bring the form into view with the outcome focused ("conclude first"). */
  focus(): void;
}

/** Checklist items by their title in the page's language. */
export function itemTitles(items: readonly Pick<ChecklistItemRef, 'titleZh' | 'titleEn'>[]): string[] {
  return items.map((i) => (getLanguage() === 'zh-CN' ? i.titleZh : i.titleEn));
}

/** Asks before concluding with unchecked items, listing them; true to conclude anyway. */
async function confirmUnchecked(record: InspectionRecordView): Promise<boolean> {
  const unchecked = record.checklist.filter((i) => i.result === null);
  if (!unchecked.length) return true;
  const answer = await ask({
    testid: 'unchecked-dialog',
    title: 'conclusion.uncheckedTitle',
    body: [
      el('p', { t: 'conclusion.uncheckedBody', tArgs: { count: unchecked.length, total: record.checklist.length } }),
      el(
        'ul',
        { testid: 'unchecked-items' },
        unchecked.map((item, n) => el('li', { data: { code: item.code }, text: itemTitles(unchecked)[n] })),
      ),
    ],
    answers: [
      { value: false, t: 'conclusion.backToChecklist', testid: 'unchecked-back' },
      { value: true, t: 'conclusion.concludeAnyway', kind: 'primary', testid: 'unchecked-conclude' },
    ],
  });
  if (answer) return true;
  const first = document.querySelector(`[data-testid=checklist-item][data-code="${CSS.escape(unchecked[0]!.code)}"]`);
  if (first) scrollIntoViewGently(first, 'center');
  return false;
}

/** `viewOnly`: someone who reads the record but does not work on it (an auditor): every control disabled. */
export function createConclusionPanel(inspectionId: string, refresh: () => void, viewOnly = false): ConclusionPanel {
  let record: InspectionRecordView | null = null;
  const error = messageBox('conclusion-error');
  const savingsError = messageBox('savings-error');

  const outcome = el('select', { testid: 'conclusion-outcome', attrs: { name: 'outcome' } });
  for (const o of CONCLUSION_OUTCOMES) outcome.append(el('option', { attrs: { value: o }, t: `conclusion.${o}` as MessageKey }));
  const remarks = el('textarea', { testid: 'conclusion-remarks', attrs: { rows: 2, maxlength: 4000 } });
  const concludeButton = button({ kind: 'primary', testid: 'conclude', t: 'conclusion.submit' }, () => void conclude());
  const status = el('p', { testid: 'conclusion-status', class: 'muted' });

  const profile = el('select', { testid: 'savings-profile' });
  for (const name of Object.keys(PROFILES) as Array<keyof typeof PROFILES>)
    profile.append(el('option', { attrs: { value: name }, t: `savings.profileName.${name}` }));
  const inputs = new Map<SavingsInputKey, HTMLInputElement>();
  const fieldEls = FIELDS.map((key) => {
    const input = el('input', {
      testid: 'savings-input',
      data: { field: key },
      attrs: { type: 'number', min: 0, step: 'any', inputmode: 'decimal' },
    });
    input.addEventListener('input', preview);
    inputs.set(key, input);
    return el('label', { class: 'field' }, [el('span', { t: `savings.${key}` as MessageKey }), input]);
  });
  profile.addEventListener('change', preview);
  const previewLine = el('p', { testid: 'savings-preview', class: 'headline-small' });
  const storedLine = el('p', { testid: 'savings-stored', class: 'muted small' });
  const saveButton = button({ testid: 'savings-save', t: 'savings.save' }, () => void saveSavings());
  saveButton.disabled = profile.disabled = viewOnly;
  for (const input of inputs.values()) input.disabled = viewOnly;

  const panel = el('section', { class: 'card', testid: 'conclusion-panel' }, [
    el('h2', { t: 'conclusion.title' }),
    el('label', { class: 'field' }, [el('span', { t: 'conclusion.outcome' }), outcome]),
    el('label', { class: 'field' }, [el('span', { t: 'conclusion.remarks' }), remarks]),
    concludeButton,
    status,
    error.el,
    el('h2', { t: 'savings.title' }),
    el('p', { class: 'muted small', t: 'savings.hint' }),
    el('label', { class: 'field' }, [el('span', { t: 'savings.profile' }), profile]),
    el('div', { class: 'form-grid' }, fieldEls),
    previewLine,
    saveButton,
    storedLine,
    savingsError.el,
    el('div', { class: 'button-row' }, [
      el('a', {
        class: 'btn btn-ghost',
        testid: 'report-html',
        t: 'reports.print',
        attrs: { href: `/api/inspections/${inspectionId}/report.html`, target: '_blank' },
      }),
      el('a', {
        class: 'btn btn-ghost',
        testid: 'report-pdf',
        t: 'reports.pdf',
        attrs: { href: `/api/inspections/${inspectionId}/report.pdf`, target: '_blank' },
      }),
    ]),
  ]);

  function currentInputs(): SavingsInputs {
    const out: SavingsInputs = {};
    for (const [key, input] of inputs) if (input.value.trim() !== '') out[key] = Number(input.value);
    return out;
  }

  /** Same model, same numbers as the server will store; invalid inputs show the field messages. */
  function preview(): void {
    savingsError.show(null);
    try {
      const e = estimateSavings(currentInputs(), profile.value as SavingsProfileName);
      bindText(previewLine, 'savings.preview', { co2: tonnes(e.co2SavedT), cny: yuan(e.costSavedCny) });
      previewLine.dataset.co2 = String(e.co2SavedT);
      previewLine.dataset.cny = String(e.costSavedCny);
    } catch (err) {
      previewLine.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  async function conclude(): Promise<void> {
    error.show(null);
    if (record && !(await confirmUnchecked(record))) return;
    concludeButton.disabled = true;
    try {
      await recordApi.conclude(inspectionId, { outcome: outcome.value as ConclusionOutcome, remarks: remarks.value });
      refresh();
    } catch (err) {
      if (err instanceof ApiError && err.refusal) {
        // Named by their titles, in this page's language (the server's codes are internal).
        const zh = getLanguage() === 'zh-CN';
        const items = itemTitles(err.refusal.items).map((title) => (zh ? `「${title}」` : `“${title}”`));
        error.show(`conclusion.refused.${err.refusal.reason}`, { items: items.join(zh ? '、' : ', ') });
        error.el.dataset.code = err.code;
        error.el.dataset.reason = err.refusal.reason;
      } else {
        error.showError(errorCode(err));
        if (err instanceof Error && err.message) error.el.textContent += ` ${err.message}`;
      }
    } finally {
      concludeButton.disabled = Boolean(record?.readOnly);
    }
  }

  async function saveSavings(): Promise<void> {
    savingsError.show(null);
    try {
      const r = await recordApi.saveSavings(inspectionId, currentInputs(), profile.value as SavingsProfileName);
      render(r.record);
    } catch (err) {
      savingsError.showError(errorCode(err));
      if (err instanceof Error && err.message) savingsError.el.textContent += ` ${err.message}`;
    }
  }

  function render(next: InspectionRecordView): void {
    const first = record === null;
    record = next;
    const c = next.conclusion;
    concludeButton.disabled = next.readOnly;
    outcome.disabled = remarks.disabled = next.readOnly;
    if (c && first) {
      outcome.value = c.outcome;
      remarks.value = c.remarks;
    }
    // After the end nobody can acknowledge any more: say so instead of "waiting".
    const ended = isClosed(next.inspection.status);
    status.dataset.outcome = c?.outcome ?? '';
    status.dataset.acknowledged = String(Boolean(c?.acknowledgedAt));
    status.dataset.ack = c?.acknowledgedAt ? 'acknowledged' : c && ended ? 'session-ended' : c ? 'awaiting' : '';
    const ack = c?.acknowledgedAt
      ? t('conclusion.acknowledged', { name: c.acknowledgedName ?? '' })
      : ended
        ? t('conclusion.notAcknowledgedEnded')
        : t('conclusion.awaitingAck');
    const counted = !c || COMPLETED_ONLINE_OUTCOMES.includes(c.outcome) ? '' : ` ${t('conclusion.notCounted')}`;
    status.textContent = c
      ? `${t('conclusion.concluded', { outcome: t(`conclusion.${c.outcome}` as MessageKey) })} · ${ack}${counted}`
      : ended && next.inspection.toBeContinued
        ? t('conclusion.notConcludedEnded')
        : '';
    if (first) {
      profile.value = next.savingsProfile;
      for (const [key, input] of inputs) input.value = next.savingsInputs[key] === undefined ? '' : String(next.savingsInputs[key]);
      preview();
    }
    const s = next.savings;
    storedLine.textContent = s
      ? t('savings.stored', {
          co2: tonnes(s.co2SavedT),
          cny: yuan(s.costSavedCny),
          label: t(`savings.basis.${s.basis}`, { profile: t(`savings.profileName.${s.profile}`), model: s.modelVersion }),
        })
      : '';
    if (s) {
      storedLine.dataset.co2 = String(s.co2SavedT);
      storedLine.dataset.cny = String(s.costSavedCny);
    }
  }

  function focus(): void {
    scrollIntoViewGently(panel, 'start');
    outcome.focus({ preventScroll: true });
  }

  return { el: panel, render, focus };
}
