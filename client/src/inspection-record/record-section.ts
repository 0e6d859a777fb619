// Inspection record (inspection-record/): the section of the inspection page, the record panel
// (checklist, capture, evidence) and the conclusion/savings panel, kept current from one fetch of
// the record. While a live session is joined the server pushes 'record.changed' (checklist,
// evidence, conclusion, savings: anyone's change, the crew's acknowledgement too) and the record
// is re-read then; without a session it is re-read every few seconds while the page is visible.
import './inspection-record.css';
import type { EvidenceView, InspectionRecordView } from '@cloudship/shared';
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
  capture(): void;
  currentItemId(): string | null;
  /** The record as read just now (null when it cannot be read). */
  latest(): Promise<InspectionRecordView | null>;
  /** Read the record again soon (after the inspection ended, say). */
  refresh(): void;
  /** Show the conclusion form, its outcome focused. */
  focusConclusion(): void;
  dispose(): void;
}

export function mountRecordSection(
  inspectionId: string,
  signedOut: () => void,
  onAnnotate?: (evidence: EvidenceView) => void,
  /** The reader does not work on the inspection (an auditor): the record is shown, never edited. */
  viewOnly = false,
): RecordSection {
  let session: LiveSession | null = null;
  let offChanged: (() => void) | null = null;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let again = false;

  const recordPanel = createRecordPanel(inspectionId, {
    refresh: () => void refresh(),
    onError: (code) => code === 'UNAUTHENTICATED' && signedOut(),
    onAnnotate,
    viewOnly,
  });
  const conclusionPanel = createConclusionPanel(inspectionId, () => void refresh(), viewOnly);
  const section = el('div', { class: 'record-grid', testid: 'record-section' }, [recordPanel.el, conclusionPanel.el]);

  function apply(stored: InspectionRecordView): void {
    const record = viewOnly ? { ...stored, readOnly: true } : stored;
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
        } else if (session?.state !== 'connected') {
          schedule();
        }
      }
    }
  }

  /** Without a joined session nothing is pushed: read the record again in a while. */
  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => (document.hidden || session?.state === 'connected' ? schedule() : void refresh()), POLL_MS);
  }

  function follow(next: LiveSession | null): void {
    offChanged?.();
    offChanged = null;
    session = next;
    recordPanel.setSession(next);
    if (!next) return schedule();
    const offs = [
      next.onServer('record.changed', () => void refresh()),
      // Joined (again): what changed while away is read once, then pushes keep it current.
      next.on('state', (state) => (state === 'connected' ? void refresh() : schedule())),
    ];
    offChanged = () => offs.forEach((off) => off());
  }

  void refresh();

  return {
    el: section,
    setSession: follow,
    capture: () => recordPanel.capture(),
    currentItemId: () => recordPanel.currentItemId(),
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
      follow(null);
      clearTimeout(timer);
    },
  };
}
