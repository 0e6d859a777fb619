// Inspection record (inspection-record/): the section of the inspection page, the record panel
// (checklist, capture, evidence) and the conclusion/savings panel, kept current from one fetch of
// the record. It is re-read when the live session announces new evidence, after each of the
// surveyor's own changes, and every few seconds while the page is visible (the crew's
// acknowledgement arrives that way).
import './inspection-record.css';
import type { InspectionRecordView } from '@cloudship/shared';
import { errorCode } from '../api';
import type { LiveSession } from '../live-session';
import { recordApi } from './record-api';
import { el } from '../ui/dom';
import { createConclusionPanel } from './conclusion-panel';
import { createRecordPanel } from './record-panel';

const POLL_MS = 5_000;

export interface RecordSection {
  el: HTMLElement;
  setSession(session: LiveSession | null): void;
  /** The record as read just now (null when it cannot be read). */
  latest(): Promise<InspectionRecordView | null>;
  /** Read the record again soon (after the inspection ended, say). */
  refresh(): void;
  /** Show the conclusion form, its outcome focused. */
  focusConclusion(): void;
  dispose(): void;
}

export function mountRecordSection(inspectionId: string, signedOut: () => void): RecordSection {
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let again = false;

  const recordPanel = createRecordPanel(inspectionId, {
    refresh: () => void refresh(),
    onError: (code) => code === 'UNAUTHENTICATED' && signedOut(),
  });
  const conclusionPanel = createConclusionPanel(inspectionId, () => void refresh());
  const section = el('div', { class: 'record-grid', testid: 'record-section' }, [recordPanel.el, conclusionPanel.el]);

  function apply(record: InspectionRecordView): void {
    recordPanel.render(record);
    conclusionPanel.render(record);
  }

  /** One request at a time; a refresh asked for meanwhile runs right after. */
  async function refresh(): Promise<void> {
    if (disposed) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    try {
      const { record } = await recordApi.get(inspectionId);
      if (!disposed) apply(record);
    } catch (err) {
      if (errorCode(err) === 'UNAUTHENTICATED') signedOut();
    } finally {
      inFlight = false;
      if (!disposed) {
        if (again) {
          again = false;
          void refresh();
        } else {
          timer = setTimeout(() => (document.hidden ? schedule() : void refresh()), POLL_MS);
        }
      }
    }
  }

  function schedule(): void {
    timer = setTimeout(() => (document.hidden ? schedule() : void refresh()), POLL_MS);
  }

  void refresh();

  return {
    el: section,
    setSession: (session) => recordPanel.setSession(session),
    async latest() {
      try {
        const { record } = await recordApi.get(inspectionId);
        if (!disposed) apply(record);
        return record;
      } catch (err) {
        if (errorCode(err) === 'UNAUTHENTICATED') signedOut();
        return null;
      }
    },
    refresh: () => void refresh(),
    focusConclusion: () => conclusionPanel.focus(),
    dispose() {
      disposed = true;
      clearTimeout(timer);
      recordPanel.setSession(null);
    },
  };
}
