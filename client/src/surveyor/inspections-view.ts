// Home of the console: the inspection list (searched, filtered and paged by the server) and the
// "new inspection" form.
import type { InspectionView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { append, button, el, messageBox, replaceChildren } from '../ui/dom';
import { createListFilters, createPager } from '../ui/inspection-list-controls';
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
  const empty = el('p', { class: 'muted', testid: 'list-empty', attrs: { hidden: true } });
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

  const filters = createListFilters({ onSearch: () => void load() });
  const pager = createPager<InspectionView>({
    fetchPage: async (cursor) => {
      const params = filters.params();
      if (cursor) params.set('cursor', cursor);
      const page = await api.listInspections(params);
      return { items: page.inspections, nextCursor: page.nextCursor };
    },
    show: (inspections, more) => {
      if (disposed) return;
      if (more) append(body, inspections.map(row));
      else replaceChildren(body, inspections.map(row));
      const none = body.childElementCount === 0;
      // No inspection at all, or none that matches the filters: two different things to say.
      empty.hidden = !none;
      bindEmpty(filters.params().size > 0);
      table.hidden = none;
    },
    onError: (err) => {
      if (disposed) return;
      if (errorCode(err) === 'UNAUTHENTICATED') return ctx.signedOut();
      error.showError(errorCode(err));
    },
  });
  const bindEmpty = (filtered: boolean) => replaceChildren(empty, [el('span', { t: filtered ? 'filter.none' : 'list.empty' })]);

  async function load(): Promise<void> {
    error.show(null);
    await pager.reload();
  }

  const form = createNewInspectionForm((inspection) => ctx.navigate(`#/inspections/${encodeURIComponent(inspection.id)}`));

  root.replaceChildren(
    el('section', { class: 'card' }, [
      el('div', { class: 'card-head' }, [el('h2', { t: 'list.title' }), button({ t: 'common.refresh', kind: 'ghost' }, () => void load())]),
      filters.el,
      error.el,
      empty,
      el('div', { class: 'table-wrap' }, [table]),
      pager.el,
    ]),
    form,
  );
  void load();
  return () => {
    disposed = true;
  };
}
