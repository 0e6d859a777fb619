// Home of the console: the inspection list and the "new inspection" form.
import type { InspectionView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { button, el, messageBox, replaceChildren } from '../ui/dom';
import { kindKey, statusBadge } from './labels';
import type { ConsoleContext } from './context';
import { createNewInspectionForm } from './new-inspection-form';

function row(inspection: InspectionView): HTMLTableRowElement {
  const href = `#/inspections/${encodeURIComponent(inspection.id)}`;
  return el('tr', { testid: 'inspection-row', data: { id: inspection.id, status: inspection.status } }, [
    el('td', {}, [el('a', { attrs: { href }, text: inspection.vesselName })]),
    el('td', { text: inspection.registrationNumber }),
    el('td', { t: kindKey(inspection.kind) }),
    el('td', { text: inspection.place }),
    el('td', { date: inspection.scheduledAt }),
    el('td', {}, [
      statusBadge(inspection.status),
      inspection.toBeContinued && ' ',
      inspection.toBeContinued && el('span', { class: 'badge badge-muted', testid: 'to-be-continued', t: 'status.toBeContinued' }),
    ]),
    el('td', { class: 'actions' }, [el('a', { class: 'btn btn-ghost', attrs: { href }, t: 'list.open' })]),
  ]);
}

export function mountInspectionsView(root: HTMLElement, ctx: ConsoleContext): () => void {
  const body = el('tbody');
  const empty = el('p', { class: 'muted', t: 'list.empty', attrs: { hidden: true } });
  const error = messageBox('list-error');
  let disposed = false;

  const table = el('table', { class: 'table', testid: 'inspection-list' }, [
    el('thead', {}, [
      el('tr', {}, [
        el('th', { t: 'list.vessel' }),
        el('th', { t: 'list.registration' }),
        el('th', { t: 'list.kind' }),
        el('th', { t: 'list.place' }),
        el('th', { t: 'list.scheduled' }),
        el('th', { t: 'list.status' }),
        el('th'),
      ]),
    ]),
    body,
  ]);

  async function load(): Promise<void> {
    error.show(null);
    try {
      const { inspections } = await api.listInspections();
      if (disposed) return;
      // Live first, then by scheduled time (soonest first).
      const order = { live: 0, scheduled: 1, ended: 2 } as const;
      inspections.sort((a, b) => order[a.status] - order[b.status] || a.scheduledAt.localeCompare(b.scheduledAt));
      replaceChildren(body, inspections.map(row));
      empty.hidden = inspections.length > 0;
      table.hidden = inspections.length === 0;
    } catch (err) {
      if (disposed) return;
      if (errorCode(err) === 'UNAUTHENTICATED') return ctx.signedOut();
      error.showError(errorCode(err));
    }
  }

  const form = createNewInspectionForm((inspection) => ctx.navigate(`#/inspections/${encodeURIComponent(inspection.id)}`));

  root.replaceChildren(
    el('section', { class: 'card' }, [
      el('div', { class: 'card-head' }, [el('h2', { t: 'list.title' }), button({ t: 'common.refresh', kind: 'ghost' }, () => void load())]),
      error.el,
      empty,
      el('div', { class: 'table-wrap' }, [table]),
    ]),
    form,
  );
  void load();
  return () => {
    disposed = true;
  };
}
