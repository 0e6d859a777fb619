// The inspection list's controls, the same on the console and the replay page: a search and filter
// form (its fields are the keys of the list query, shared/src/inspection-list.ts) and a pager that
// asks for the next page by cursor ("Show more"). The server does the searching and paging.
import { INSPECTION_KINDS, INSPECTION_STATUSES, LIST_SEARCH_MAX, LIST_SORTS } from '@cloudship/shared';
import type { MessageKey } from '../i18n-messages';
import { button, el } from './dom';

export interface ListFilters {
  el: HTMLFormElement;
  /** The filled-in fields as query parameters (empty ones left out). */
  params(): URLSearchParams;
}

/** The form; `onSearch` runs on submit and on clearing. `surveyor`: a surveyor name field too. */
export function createListFilters(opts: { surveyor?: boolean; onSearch(): void }): ListFilters {
  const form = el('form', { class: 'list-filters', testid: 'list-filters' });
  const field = (label: MessageKey, control: HTMLElement, hint?: MessageKey) =>
    el('label', { class: 'field' }, [el('span', { t: label }), control, hint ? el('small', { class: 'muted', t: hint }) : null]);
  const input = (name: string, type = 'text', max?: number) =>
    el('input', { attrs: { name, type, maxlength: max, autocomplete: 'off' }, data: { filter: name } });
  const select = (name: string, options: Array<[string, MessageKey]>) =>
    el(
      'select',
      { attrs: { name }, data: { filter: name } },
      options.map(([value, t]) => el('option', { t, attrs: { value } })),
    );
  const q = input('q', 'search', LIST_SEARCH_MAX);
  form.append(
    field('filter.search', q, 'filter.searchHint'),
    field(
      'filter.status',
      select('status', [['', 'filter.any'], ...INSPECTION_STATUSES.map((s) => [s, `status.${s}`] as [string, MessageKey])]),
    ),
    field('filter.kind', select('kind', [['', 'filter.any'], ...INSPECTION_KINDS.map((k) => [k, `kind.${k}`] as [string, MessageKey])])),
    opts.surveyor ? field('filter.surveyor', input('surveyor', 'text', 80)) : '',
    field('filter.from', input('from', 'date')),
    field('filter.to', input('to', 'date')),
    field(
      'filter.sort',
      select(
        'sort',
        LIST_SORTS.map((s) => [s, `filter.sort.${s}`] as [string, MessageKey]),
      ),
    ),
  );
  const apply = button({ kind: 'primary', testid: 'list-search', t: 'filter.apply' });
  apply.type = 'submit';
  const clear = button({ kind: 'ghost', testid: 'list-clear', t: 'filter.clear' }, () => {
    form.reset();
    opts.onSearch();
  });
  form.append(el('div', { class: 'list-filter-actions' }, [apply, clear]));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    opts.onSearch();
  });
  return {
    el: form,
    params() {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (typeof value === 'string' && value.trim()) params.set(name, value.trim());
      }
      return params;
    },
  };
}

export interface Pager {
  el: HTMLElement;
  /** From the first page again (new filters, a refresh). */
  reload(): Promise<void>;
}

/**
 * Pages by cursor: `fetchPage(null)` is the first page, then each `nextCursor` the server gave.
 * `show` gets each page (`append` false for the first). A reload while a page is on its way
 * discards that page: what is shown always belongs to the current filters.
 */
export function createPager<T>(opts: {
  fetchPage(cursor: string | null): Promise<{ items: T[]; nextCursor: string | null }>;
  show(items: T[], append: boolean): void;
  onError(err: unknown): void;
}): Pager {
  const count = el('span', { class: 'muted', testid: 'list-count' });
  const more = button({ kind: 'secondary', testid: 'list-more', t: 'pager.more' }, () => load(false));
  const root = el('div', { class: 'pager' }, [count, more]);
  let cursor: string | null = null;
  let shown = 0;
  let generation = 0;

  async function load(first: boolean): Promise<void> {
    const mine = first ? ++generation : generation;
    more.disabled = true;
    more.dataset.busy = 'true';
    try {
      const page = await opts.fetchPage(first ? null : cursor);
      if (mine !== generation) return;
      cursor = page.nextCursor;
      shown = (first ? 0 : shown) + page.items.length;
      opts.show(page.items, !first);
      count.dataset.count = String(shown);
      count.dataset.complete = String(cursor === null);
      count.replaceChildren(el('span', { t: cursor ? 'pager.shown' : 'pager.shownAll', tArgs: { n: shown } }));
      more.hidden = cursor === null;
    } catch (err) {
      if (mine === generation) opts.onError(err);
    } finally {
      if (mine === generation) {
        more.disabled = false;
        delete more.dataset.busy;
      }
    }
  }

  return { el: root, reload: () => load(true) };
}
