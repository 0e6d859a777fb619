// Inspection record (inspection-record/), the surveyor's panel: the checklist (pass / deficiency /
// not applicable, note, deadline), the "capture HD still" and "bookmark" buttons, and the evidence
// gallery. New evidence arrives over the live session ('evidenceAdded') and is attached to the
// current checklist item.
import { isClosed } from '@cloudship/shared';
import type { ChecklistItemView, ChecklistResult, EvidenceView, InspectionRecordView } from '@cloudship/shared';
import { CHECKLIST_RESULTS } from '@cloudship/shared';
import { errorCode } from '../api';
import type { ClientErrorCode } from '../error-codes';
import { getLanguage, onLanguageChange, t } from '../i18n';
import type { LiveSession } from '../live-session';
import { recordApi } from './record-api';
import { button, el, messageBox, replaceChildren, setShown } from '../ui/dom';
import { icon } from '../ui/icons';

export interface RecordPanel {
  el: HTMLElement;
  render(record: InspectionRecordView): void;
  /** The live session (or null): capture needs it, and it announces new evidence. */
  setSession(session: LiveSession | null): void;
  /** "Capture HD still" for the current item (also from the workspace's stage and the C key). */
  capture(): void;
  currentItemId(): string | null;
}

export interface RecordPanelEvents {
  /** Something changed on the server: re-read the record. */
  refresh(): void;
  onError(code: ClientErrorCode): void;
  /** "Annotate" on a photo: open it on the live stage to draw on it. */
  onAnnotate?(evidence: EvidenceView): void;
  /** Someone who reads the record but does not work on it (an auditor): shown read-only, saying why. */
  viewOnly?: boolean;
}

const title = (i: { titleZh: string; titleEn: string }) => (getLanguage() === 'zh-CN' ? i.titleZh : i.titleEn);
const section = (i: { sectionZh: string; sectionEn: string }) => (getLanguage() === 'zh-CN' ? i.sectionZh : i.sectionEn);

function thumb(e: EvidenceView): HTMLElement {
  // A PDF the crew sent: its name, downloaded (never shown by the browser under our origin).
  if (e.type === 'document' && e.url && e.contentType === 'application/pdf') {
    return el('a', { class: 'evidence-document', testid: 'evidence-document', attrs: { href: e.url, download: '' } }, [
      el('strong', { text: 'PDF' }),
      ' ',
      e.note || e.id.slice(0, 8),
    ]);
  }
  if ((e.type === 'photo' || e.type === 'document') && e.url) {
    const img = el('img', { class: 'evidence-thumb', attrs: { src: e.url, alt: e.sha256 ?? '', loading: 'lazy' } });
    return el('a', { attrs: { href: e.url, target: '_blank', rel: 'noopener' } }, [img]);
  }
  return el('span', { class: 'evidence-bookmark' }, [icon('bookmark'), e.note]);
}

export function createRecordPanel(inspectionId: string, events: RecordPanelEvents): RecordPanel {
  let record: InspectionRecordView | null = null;
  let session: LiveSession | null = null;
  let offSession: (() => void) | null = null;
  let currentItemId: string | null = null;

  const error = messageBox('record-error');
  const info = messageBox('record-info', 'info');
  const readOnly = el('div', { class: 'banner banner-ended', t: events.viewOnly ? 'record.viewOnly' : 'record.readOnly' });
  setShown(readOnly, 'record-read-only', false);
  const rows = el('tbody');
  const gallery = el('div', { class: 'evidence-gallery', testid: 'evidence-gallery' });

  const captureButton = button(
    { kind: 'primary', testid: 'capture', t: 'record.capture', attrs: { title: t('record.captureHint') } },
    () => void capture(),
  );
  const bookmarkButton = button({ testid: 'bookmark', t: 'record.bookmark' }, () => openBookmark());
  // "Bookmark this moment": the moment is the press of the button; its note is typed in a small
  // form under the heading (Enter saves, Escape cancels), not in a browser prompt.
  const bookmarkNote = el('input', {
    testid: 'bookmark-note',
    attrs: { maxlength: 2000, 'aria-label': t('record.bookmarkPrompt') },
    tAttrs: { placeholder: 'record.bookmarkPrompt' },
  });
  const bookmarkSave = el('button', {
    class: 'btn btn-primary btn-small',
    testid: 'bookmark-save',
    t: 'record.bookmarkSave',
    attrs: { type: 'submit' },
  });
  const bookmarkForm = el('form', { class: 'bookmark-form', attrs: { hidden: true } }, [
    bookmarkNote,
    bookmarkSave,
    button({ class: 'btn-small', testid: 'bookmark-cancel', t: 'dialog.cancel' }, () => closeBookmark()),
  ]);
  let bookmarkAt: string | null = null;
  bookmarkForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void bookmark();
  });
  bookmarkNote.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeBookmark();
  });

  const panel = el('section', { class: 'card record', testid: 'record-panel' }, [
    el('div', { class: 'card-head' }, [
      el('h2', { t: 'record.checklist' }),
      el('div', { class: 'button-row' }, [captureButton, bookmarkButton]),
    ]),
    bookmarkForm,
    readOnly,
    error.el,
    info.el,
    el('div', { class: 'table-wrap' }, [
      el('table', { class: 'table checklist', testid: 'checklist' }, [
        el('thead', {}, [
          el('tr', {}, [
            el('th', { t: 'record.current' }),
            el('th', { text: '' }),
            el('th', { t: 'record.result.unset' }),
            el('th', { t: 'record.note' }),
            el('th', { t: 'record.evidence' }),
          ]),
        ]),
        rows,
      ]),
    ]),
    el('h3', { t: 'record.evidence' }),
    gallery,
  ]);

  function fail(err: unknown): void {
    const code = errorCode(err);
    error.showError(code);
    events.onError(code);
  }

  async function save(item: ChecklistItemView, change: Parameters<typeof recordApi.updateItem>[2]): Promise<void> {
    error.show(null);
    try {
      await recordApi.updateItem(inspectionId, item.id, change);
      events.refresh();
    } catch (err) {
      fail(err);
    }
  }

  function itemRow(item: ChecklistItemView, locked: boolean): HTMLElement {
    const current = el('input', {
      attrs: { type: 'radio', name: 'current-item', value: item.id, 'aria-label': t('record.current') },
      testid: 'checklist-current',
      data: { code: item.code },
    });
    current.checked = item.id === currentItemId;
    current.addEventListener('change', () => {
      currentItemId = item.id;
      markCurrent();
    });
    const result = el('select', { testid: 'checklist-result', data: { code: item.code }, attrs: { disabled: locked } });
    result.append(el('option', { attrs: { value: '' }, t: 'record.result.unset' }));
    for (const r of CHECKLIST_RESULTS) result.append(el('option', { attrs: { value: r }, t: `record.result.${r}` }));
    result.value = item.result ?? '';
    result.addEventListener('change', () => void save(item, { result: (result.value || null) as ChecklistResult | null }));
    const note = el('input', {
      class: 'note',
      testid: 'checklist-note',
      data: { code: item.code },
      attrs: { value: item.note, maxlength: 2000, disabled: locked, placeholder: t('record.note') },
    });
    note.addEventListener('change', () => void save(item, { note: note.value }));
    const deadline = el('input', {
      testid: 'checklist-deadline',
      data: { code: item.code },
      attrs: { type: 'date', value: item.deficiencyDeadline ?? '', disabled: locked, title: t('record.deadline') },
    });
    deadline.hidden = item.result !== 'deficiency';
    deadline.addEventListener('change', () => void save(item, { deficiencyDeadline: deadline.value || null }));
    const attached = (record?.evidence ?? []).filter((e) => e.checklistItemId === item.id);
    return el(
      'tr',
      {
        class: item.id === currentItemId ? 'current' : '',
        testid: 'checklist-item',
        data: { code: item.code, result: item.result ?? '', id: item.id },
      },
      [
        el('td', {}, [current]),
        el('td', {}, [el('div', { class: 'muted small', text: section(item) }), el('div', { text: title(item) })]),
        el('td', {}, [result]),
        el('td', {}, [note, deadline]),
        el('td', { testid: 'item-evidence', data: { code: item.code, count: String(attached.length) } }, attached.map(thumb)),
      ],
    );
  }

  function evidenceCard(e: EvidenceView, locked: boolean): HTMLElement {
    const attach = el('select', { testid: 'evidence-attach', attrs: { disabled: locked, 'aria-label': t('record.attachTo') } });
    attach.append(el('option', { attrs: { value: '' }, t: 'record.unattached' }));
    for (const item of record?.checklist ?? [])
      attach.append(el('option', { attrs: { value: item.id }, text: `${item.position + 1}. ${title(item)}` }));
    attach.value = e.checklistItemId ?? '';
    attach.addEventListener(
      'change',
      () =>
        void (async () => {
          try {
            await recordApi.attach(inspectionId, e.id, attach.value || null);
            events.refresh();
          } catch (err) {
            fail(err);
          }
        })(),
    );
    const where = e.lat !== null && e.lon !== null ? ` · ${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}` : '';
    return el(
      'figure',
      { class: 'evidence', testid: 'evidence-item', data: { type: e.type, sha256: e.sha256 ?? '', item: e.checklistItemId ?? '' } },
      [
        thumb(e),
        el('figcaption', { class: 'small' }, [
          el('time', { date: e.capturedAt }),
          where,
          e.sha256 ? el('div', { class: 'muted mono', text: `SHA-256 ${e.sha256.slice(0, 16)}…`, attrs: { title: e.sha256 } }) : null,
          el('label', { class: 'small' }, [el('span', { t: 'record.attachTo' }), ' ', attach]),
          e.annotation
            ? el('div', { class: 'badge', testid: 'evidence-annotated', t: 'record.annotated', tArgs: { n: e.annotation.shapes.length } })
            : null,
          e.type === 'photo' && e.url && !e.annotationOf && events.onAnnotate && session && !locked
            ? button({ class: 'btn-small', testid: 'evidence-annotate', t: 'guide.annotate' }, () => events.onAnnotate?.(e))
            : null,
        ]),
      ],
    );
  }

  /** Highlights the current item's row and keeps it in view in the docked checklist. */
  function markCurrent(): void {
    for (const row of rows.querySelectorAll<HTMLElement>('tr[data-id]')) {
      const isCurrent = row.dataset.id === currentItemId;
      row.classList.toggle('current', isCurrent);
      if (isCurrent) {
        const scroller = row.closest<HTMLElement>('.table-wrap');
        if (
          scroller &&
          (row.offsetTop < scroller.scrollTop || row.offsetTop + row.offsetHeight > scroller.scrollTop + scroller.clientHeight)
        )
          scroller.scrollTop = row.offsetTop - scroller.clientHeight / 3;
      }
    }
  }

  function paint(): void {
    if (!record) return;
    const locked = record.readOnly || Boolean(events.viewOnly);
    setShown(readOnly, 'record-read-only', locked);
    const ended = isClosed(record.inspection.status);
    captureButton.disabled = locked || ended;
    bookmarkButton.disabled = locked;
    if (locked && bookmarkAt) closeBookmark();
    if (!currentItemId && record.checklist.length) currentItemId = record.checklist[0]!.id;
    replaceChildren(
      rows,
      record.checklist.map((i) => itemRow(i, locked)),
    );
    replaceChildren(
      gallery,
      record.evidence.length ? record.evidence.map((e) => evidenceCard(e, locked)) : [el('p', { class: 'muted', t: 'record.noEvidence' })],
    );
    markCurrent();
  }

  async function capture(): Promise<void> {
    error.show(null);
    if (!session || session.state !== 'connected') return info.show('record.captureNeedsLive');
    captureButton.disabled = true;
    try {
      await session.request('evidence.capture', { checklistItemId: currentItemId });
      info.show('record.captureAsked');
    } catch (err) {
      fail(err);
    } finally {
      captureButton.disabled = Boolean(record?.readOnly);
    }
  }

  function openBookmark(): void {
    bookmarkAt = new Date().toISOString();
    bookmarkForm.hidden = false;
    setShown(bookmarkForm, 'bookmark-form', true);
    bookmarkNote.focus();
  }

  function closeBookmark(): void {
    bookmarkAt = null;
    bookmarkNote.value = '';
    setShown(bookmarkForm, 'bookmark-form', false);
  }

  async function bookmark(): Promise<void> {
    const note = bookmarkNote.value.trim();
    if (!note || !bookmarkAt) return bookmarkNote.focus();
    bookmarkSave.disabled = true;
    try {
      await recordApi.bookmark(inspectionId, { note, checklistItemId: currentItemId, at: bookmarkAt });
      closeBookmark();
      events.refresh();
    } catch (err) {
      fail(err);
    } finally {
      bookmarkSave.disabled = false;
    }
  }

  onLanguageChange(() => paint());

  return {
    el: panel,
    render(next) {
      // Do not repaint under the surveyor's fingers: a refresh while typing would drop the text.
      if (panel.contains(document.activeElement) && document.activeElement?.tagName === 'INPUT' && record) {
        record = next;
        return;
      }
      record = next;
      paint();
    },
    setSession(next) {
      offSession?.();
      offSession = null;
      session = next;
      if (next) offSession = next.on('evidenceAdded', () => info.show(null));
      paint();
    },
    capture: () => void capture(),
    currentItemId: () => currentItemId,
  };
}
