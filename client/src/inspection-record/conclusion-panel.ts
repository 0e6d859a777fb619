// Inspection record (inspection-record/): the conclusion form (outcome + remarks; then "waiting for
// the crew" / "acknowledged by") and the savings inputs with a live preview computed here with the
// same shared model the server stores with, plus links to the printable report and its PDF.
import {
  CONCLUSION_OUTCOMES,
  PROFILES,
  estimateSavings,
  type ConclusionOutcome,
  type InspectionRecordView,
  type SavingsInputKey,
  type SavingsInputs,
  type SavingsProfileName,
} from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText, t, type MessageKey } from '../i18n';
import { recordApi } from './record-api';
import { button, el, messageBox } from '../ui/dom';

/** The inputs a surveyor usually knows; the others keep their profile defaults. */
const FIELDS: SavingsInputKey[] = ['meKw', 'aeKw', 'vesselDetourKm', 'vesselWaitH', 'surveyorTripKm', 'sessionHours'];

const tonnes = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const yuan = (v: number) => Math.round(v).toLocaleString('en-US');

export interface ConclusionPanel {
  el: HTMLElement;
  render(record: InspectionRecordView): void;
}

export function createConclusionPanel(inspectionId: string, refresh: () => void): ConclusionPanel {
  let record: InspectionRecordView | null = null;
  const error = messageBox('conclusion-error');
  const savingsError = messageBox('savings-error');

  const outcome = el('select', { testid: 'conclusion-outcome', attrs: { name: 'outcome' } });
  for (const o of CONCLUSION_OUTCOMES) outcome.append(el('option', { attrs: { value: o }, t: `conclusion.${o}` as MessageKey }));
  const remarks = el('textarea', { testid: 'conclusion-remarks', attrs: { rows: 2, maxlength: 4000 } });
  const concludeButton = button({ kind: 'primary', testid: 'conclude', t: 'conclusion.submit' }, () => void conclude());
  const status = el('p', { testid: 'conclusion-status', class: 'muted' });

  const profile = el('select', { testid: 'savings-profile' });
  for (const name of Object.keys(PROFILES)) profile.append(el('option', { attrs: { value: name }, text: name }));
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
    concludeButton.disabled = true;
    try {
      await recordApi.conclude(inspectionId, { outcome: outcome.value as ConclusionOutcome, remarks: remarks.value });
      refresh();
    } catch (err) {
      error.showError(errorCode(err));
      if (err instanceof Error && err.message) error.el.textContent += ` ${err.message}`;
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
    status.dataset.outcome = c?.outcome ?? '';
    status.dataset.acknowledged = String(Boolean(c?.acknowledgedAt));
    status.textContent = c
      ? `${t('conclusion.concluded', { outcome: t(`conclusion.${c.outcome}` as MessageKey) })} · ${
          c.acknowledgedAt ? t('conclusion.acknowledged', { name: c.acknowledgedName ?? '' }) : t('conclusion.awaitingAck')
        }`
      : '';
    if (first) {
      profile.value = next.savingsProfile;
      for (const [key, input] of inputs) input.value = next.savingsInputs[key] === undefined ? '' : String(next.savingsInputs[key]);
      preview();
    }
    const s = next.savings;
    storedLine.textContent = s ? t('savings.stored', { co2: tonnes(s.co2SavedT), cny: yuan(s.costSavedCny), label: s.label }) : '';
    if (s) {
      storedLine.dataset.co2 = String(s.co2SavedT);
      storedLine.dataset.cny = String(s.costSavedCny);
    }
  }

  return { el: panel, render };
}
