// An auditor's home on the console: "assigned to me", the inspections they review, each with its
// recordings' replay, its record (the inspection page) and its report one click away. The list is
// the replay list in the auditor's scope (assigned inspections only), paged like the others.
import type { InspectionPage, ReplayInspectionView } from '@cloudship/shared';
import { call, errorCode } from '../api';
import { append, el, messageBox, replaceChildren } from '../ui/dom';
import { createListFilters, createPager } from '../ui/inspection-list-controls';
import { replayHref } from '../review/review-api';
import { recordingLength } from '../review/time-format';
import type { ConsoleContext } from './context';
import { kindKey, statusBadge } from './labels';

const enc = encodeURIComponent;

function row(i: ReplayInspectionView): HTMLTableRowElement {
  const record = `#/inspections/${enc(i.id)}`;
  return el('tr', { testid: 'assigned-row', data: { id: i.id, status: i.status } }, [
    el('td', {}, [el('a', { attrs: { href: record }, text: i.vesselName })]),
    el('td', { text: i.registrationNumber }),
    el('td', { t: kindKey(i.kind) }),
    el('td', { text: i.surveyorName }),
    el('td', { date: i.startedAt ?? i.scheduledAt }),
    el('td', {}, [statusBadge(i.status)]),
    el('td', { class: 'assigned-links' }, [
      ...(i.recordings.length
        ? i.recordings.map((r) =>
            el('a', {
              class: 'btn btn-primary btn-small',
              testid: 'assigned-replay',
              attrs: { href: replayHref(r.id) },
              t: 'replay.openDuration',
              tArgs: { duration: recordingLength(r) },
            }),
          )
        : [el('span', { class: 'muted', t: 'replay.noRecording' })]),
      el('a', { class: 'btn btn-ghost btn-small', testid: 'assigned-record', attrs: { href: record }, t: 'assigned.record' }),
      el('a', {
        class: 'btn btn-ghost btn-small',
        testid: 'assigned-report',
        attrs: { href: `/api/inspections/${enc(i.id)}/report.html`, target: '_blank', rel: 'noopener' },
        t: 'assigned.report',
      }),
    ]),
  ]);
}

export function mountAssignedView(root: HTMLElement, ctx: ConsoleContext): () => void {
  let disposed = false;
  const body = el('tbody');
  const error = messageBox('assigned-error');
  const empty = el('p', { class: 'muted', testid: 'assigned-empty', t: 'assigned.empty', attrs: { hidden: true } });
  const table = el('table', { class: 'table', testid: 'assigned-list' }, [
    el('thead', {}, [
      el('tr', {}, [
        el('th', { t: 'list.vessel' }),
        el('th', { t: 'list.registration' }),
        el('th', { t: 'list.kind' }),
        el('th', { t: 'detail.lead' }),
        el('th', { t: 'list.scheduled' }),
        el('th', { t: 'list.status' }),
        el('th'),
      ]),
    ]),
    body,
  ]);
  const filters = createListFilters({ onSearch: () => void pager.reload() });
  const pager = createPager<ReplayInspectionView>({
    fetchPage: async (cursor) => {
      const q = filters.params();
      if (cursor) q.set('cursor', cursor);
      const page = await call<InspectionPage<ReplayInspectionView>>('GET', `/api/replay/inspections?${q}`);
      return { items: page.inspections, nextCursor: page.nextCursor };
    },
    show: (items, more) => {
      if (disposed) return;
      error.show(null);
      if (more) append(body, items.map(row));
      else replaceChildren(body, items.map(row));
      empty.hidden = body.childElementCount > 0;
      table.hidden = body.childElementCount === 0;
    },
    onError: (err) => {
      if (disposed) return;
      if (errorCode(err) === 'UNAUTHENTICATED') return ctx.signedOut();
      error.showError(errorCode(err));
    },
  });

  root.replaceChildren(
    el('section', { class: 'card', testid: 'assigned-to-me' }, [
      el('div', { class: 'card-head' }, [el('h2', { t: 'assigned.title' })]),
      filters.el,
      error.el,
      empty,
      el('div', { class: 'table-wrap' }, [table]),
      pager.el,
    ]),
  );
  void pager.reload();
  return () => {
    disposed = true;
  };
}
