// #/samples (admins, review.sample): draw a random sample of the inspections concluded in a period
// for review, optionally assigned to an auditor, and see the past samples with their inspections
// (each links to its page). The server draws and records the sample (reports/review-sample-*).
import type { ReviewSampleItemView, ReviewSampleView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { isMessageKey, t } from '../i18n';
import { button, el, messageBox, replaceChildren } from '../ui/dom';
import type { ConsoleContext } from './context';
import './samples-view.css';

/** YYYY-MM-DD of a local date. */
function day(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function drawForm(onDrawn: (s: ReviewSampleView) => void): HTMLElement {
  const now = new Date();
  const firstOfLastMonth = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const lastOfLastMonth = new Date(now.getFullYear(), now.getMonth(), 0);
  const from = el('input', { attrs: { name: 'from', type: 'date', required: true, value: day(firstOfLastMonth) } });
  const to = el('input', { attrs: { name: 'to', type: 'date', required: true, value: day(lastOfLastMonth) } });
  const percentage = el('input', { attrs: { name: 'percentage', type: 'number', required: true, min: 1, max: 100, step: 1, value: 10 } });
  const auditor = el('select', { attrs: { name: 'auditorId' } }, [el('option', { t: 'sample.noAuditor', attrs: { value: '' } })]);
  const error = messageBox('sample-error');
  const message = messageBox('sample-message', 'info');
  void api
    .staffDirectory()
    .then(({ people }) => {
      for (const p of people.filter((x) => x.role === 'auditor'))
        auditor.append(el('option', { text: p.displayName, attrs: { value: p.id } }));
    })
    .catch((err: unknown) => error.showError(errorCode(err)));
  const check = () => to.setCustomValidity(from.value && to.value && to.value < from.value ? t('sample.badRange') : '');
  from.addEventListener('input', check);
  to.addEventListener('input', check);

  const form = el(
    'form',
    {
      class: 'form-grid sample-form',
      testid: 'sample-form',
      on: {
        submit: (e) => {
          e.preventDefault();
          void draw();
        },
      },
    },
    [
      el('label', { class: 'field' }, [el('span', { t: 'sample.from' }), from]),
      el('label', { class: 'field' }, [el('span', { t: 'sample.to' }), to]),
      el('label', { class: 'field' }, [el('span', { t: 'sample.percentage' }), percentage]),
      el('label', { class: 'field' }, [el('span', { t: 'sample.auditor' }), auditor]),
      el('div', { class: 'form-actions' }, [
        el('button', { class: 'btn btn-primary', testid: 'sample-draw', t: 'sample.draw', attrs: { type: 'submit' } }),
      ]),
    ],
  );

  async function draw(): Promise<void> {
    error.show(null);
    message.show(null);
    check();
    if (!form.reportValidity()) return;
    try {
      const { sample } = await api.drawSample({
        from: from.value,
        to: to.value,
        percentage: Number(percentage.value),
        ...(auditor.value ? { auditorId: auditor.value } : {}),
      });
      message.show('sample.drawn', { size: sample.size, population: sample.population });
      onDrawn(sample);
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  return el('section', { class: 'card' }, [
    el('h2', { t: 'sample.draw' }),
    el('p', { class: 'muted', t: 'sample.intro' }),
    form,
    error.el,
    message.el,
  ]);
}

function itemsTable(sample: ReviewSampleView): HTMLElement {
  const body = el('tbody');
  const more = button({ kind: 'ghost', testid: 'sample-more', t: 'sample.more' });
  more.hidden = true;
  const error = messageBox('sample-items-error');
  let next: number | null = 0;
  const outcome = (o: string | null) => {
    const key = `conclusion.${o ?? ''}`;
    return isMessageKey(key) ? el('td', { t: key }) : el('td', { text: o ?? '' });
  };
  const page = async () => {
    if (next === null) return;
    try {
      const r = await api.getSample(sample.id, next);
      body.append(
        ...r.items.map((i: ReviewSampleItemView) =>
          el('tr', { testid: 'sample-item', data: { inspectionId: i.inspectionId } }, [
            el('td', {}, [el('a', { text: i.vesselName, attrs: { href: `#/inspections/${encodeURIComponent(i.inspectionId)}` } })]),
            el('td', { text: i.registrationNumber }),
            el('td', { text: i.surveyorName }),
            el('td', { date: i.concludedAt }),
            outcome(i.outcome),
          ]),
        ),
      );
      next = r.nextOffset;
      more.hidden = next === null;
    } catch (err) {
      error.showError(errorCode(err));
    }
  };
  more.addEventListener('click', () => void page());
  void page();
  return el('div', { class: 'sample-items', testid: 'sample-items' }, [
    el('p', { class: 'muted', t: 'sample.method', tArgs: { zone: sample.timeZone } }),
    sample.size === 0
      ? el('p', { class: 'muted', t: 'sample.empty' })
      : el('div', { class: 'table-wrap' }, [
          el('table', { class: 'table' }, [
            el('thead', {}, [
              el('tr', {}, [
                el('th', { t: 'sample.vessel' }),
                el('th', { t: 'sample.registration' }),
                el('th', { t: 'sample.surveyor' }),
                el('th', { t: 'sample.concludedAt' }),
                el('th', { t: 'sample.outcome' }),
              ]),
            ]),
            body,
          ]),
        ]),
    more,
    error.el,
  ]);
}

function sampleRow(s: ReviewSampleView): HTMLElement[] {
  const detail = el('tr', { class: 'sample-detail' }, [el('td', { attrs: { colspan: 6 } })]);
  detail.hidden = true;
  const toggle = button({ kind: 'ghost', testid: 'sample-toggle', t: 'sample.open' }, () => {
    const opening = detail.hidden;
    detail.hidden = !opening;
    toggle.dataset.open = String(opening);
    replaceChildren(toggle, [t(opening ? 'sample.close' : 'sample.open')]);
    if (opening && !detail.firstElementChild!.childElementCount) detail.firstElementChild!.append(itemsTable(s));
  });
  return [
    el('tr', { testid: 'sample-row', data: { sampleId: s.id, size: String(s.size) } }, [
      el('td', { date: s.drawnAt }),
      el('td', { text: s.drawnBy.displayName }),
      el('td', { text: `${s.from} – ${s.to}` }),
      el('td', { class: 'num', text: `${s.size} / ${s.population} (${s.percentage}%)` }),
      s.auditor
        ? el('td', { t: 'sample.assignedCount', tArgs: { name: s.auditor.displayName, assigned: s.assigned } })
        : el('td', { text: '—' }),
      el('td', { class: 'actions' }, [toggle]),
    ]),
    detail,
  ];
}

export function mountSamplesView(root: HTMLElement, _ctx: ConsoleContext): () => void {
  const body = el('tbody');
  const error = messageBox('samples-error');
  const load = async () => {
    try {
      const { samples } = await api.listSamples();
      replaceChildren(
        body,
        samples.length
          ? samples.flatMap(sampleRow)
          : [el('tr', {}, [el('td', { class: 'muted', t: 'sample.none', attrs: { colspan: 6 } })])],
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  };
  replaceChildren(root, [
    el('h1', { t: 'sample.title' }),
    drawForm(() => void load()),
    el('section', { class: 'card' }, [
      el('h2', { t: 'sample.past' }),
      error.el,
      el('div', { class: 'table-wrap' }, [
        el('table', { class: 'table samples-table', testid: 'samples' }, [
          el('thead', {}, [
            el('tr', {}, [
              el('th', { t: 'sample.drawnAt' }),
              el('th', { t: 'sample.drawnBy' }),
              el('th', { t: 'sample.period' }),
              el('th', { t: 'sample.size' }),
              el('th', { t: 'sample.assigned' }),
              el('th'),
            ]),
          ]),
          body,
        ]),
      ]),
    ]),
  ]);
  void load();
  return () => undefined;
}
