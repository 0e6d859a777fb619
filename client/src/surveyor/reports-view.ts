// Reports (#/reports): totals of concluded remote inspections for a period, per surveyor and
// overall, the headline sentence, a per-month bar chart (inline SVG) and the CSV export.
import '../inspection-record/inspection-record.css';
import type { ReportQuery, ReportView } from '@cloudship/shared';
import { errorCode } from '../api';
import { getLanguage, onLanguageChange } from '../i18n';
import { recordApi, reportQueryString } from '../inspection-record/record-api';
import { button, el, messageBox, replaceChildren } from '../ui/dom';
import type { ConsoleContext } from './context';

const SVG = 'http://www.w3.org/2000/svg';
const tonnes = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const yuan = (v: number) => Math.round(v).toLocaleString('en-US');

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Bars of t CO2 per month, labelled with the count; scaled to the largest month. */
function monthChart(report: ReportView): SVGSVGElement {
  const months = report.byMonth;
  const w = 640;
  const h = 220;
  const pad = 30;
  const chart = svg('svg', {
    viewBox: `0 0 ${w} ${h}`,
    width: '100%',
    role: 'img',
    'data-testid': 'report-chart',
    'aria-label': 't CO2 per month',
  });
  const max = Math.max(1e-9, ...months.map((m) => m.co2SavedT));
  const slot = (w - 2 * pad) / Math.max(1, months.length);
  chart.append(svg('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: '#889' }));
  months.forEach((m, i) => {
    const bh = ((h - 2 * pad) * m.co2SavedT) / max;
    const x = pad + i * slot + slot * 0.15;
    const bw = slot * 0.7;
    const bar = svg('rect', { x, y: h - pad - bh, width: bw, height: bh, fill: '#1f7a8c', 'data-month': m.month });
    bar.append(svg('title', {}, `${m.month}: ${m.count} · ${tonnes(m.co2SavedT)} t CO2 · ${yuan(m.costSavedCny)} CNY`));
    chart.append(bar, svg('text', { x: x + bw / 2, y: h - pad + 14, 'text-anchor': 'middle', 'font-size': 11 }, m.month));
    chart.append(svg('text', { x: x + bw / 2, y: h - pad - bh - 4, 'text-anchor': 'middle', 'font-size': 11 }, tonnes(m.co2SavedT)));
  });
  return chart;
}

export function mountReportsView(root: HTMLElement, ctx: ConsoleContext): () => void {
  let disposed = false;
  let report: ReportView | null = null;
  const error = messageBox('reports-error');
  const from = el('input', { testid: 'report-from', attrs: { type: 'date' } });
  const to = el('input', { testid: 'report-to', attrs: { type: 'date' } });
  const csv = el('a', {
    class: 'btn btn-ghost',
    testid: 'report-csv',
    t: 'reports.csv',
    attrs: { href: '/api/reports/savings.csv', download: '' },
  });
  const body = el('div', { class: 'reports-body' });

  const query = (): ReportQuery => ({ from: from.value || undefined, to: to.value || undefined });

  function paint(): void {
    if (!report) return;
    const r = report;
    csv.setAttribute('href', `/api/reports/savings.csv${reportQueryString(query())}`);
    const stat = (testid: string, value: string, raw: number, label: 'reports.count' | 'reports.co2' | 'reports.cny') =>
      el('div', { class: 'stat card' }, [
        el('div', { class: 'stat-value', testid, data: { value: String(raw) }, text: value }),
        el('div', { class: 'muted', t: label }),
      ]);
    replaceChildren(body, [
      el('p', { class: 'headline', testid: 'report-headline', text: getLanguage() === 'zh-CN' ? r.headline.zh : r.headline.en }),
      el('div', { class: 'stats' }, [
        stat('report-count', String(r.overall.count), r.overall.count, 'reports.count'),
        stat('report-co2', tonnes(r.overall.co2SavedT), r.overall.co2SavedT, 'reports.co2'),
        stat('report-cny', yuan(r.overall.costSavedCny), r.overall.costSavedCny, 'reports.cny'),
      ]),
      el('section', { class: 'card' }, [el('h2', { t: 'reports.byMonth' }), monthChart(r)]),
      el('section', { class: 'card' }, [
        el('h2', { t: 'reports.bySurveyor' }),
        el('table', { class: 'table', testid: 'report-surveyors' }, [
          el('thead', {}, [
            el('tr', {}, [
              el('th', { t: 'reports.surveyor' }),
              el('th', { t: 'reports.count' }),
              el('th', { t: 'reports.co2' }),
              el('th', { t: 'reports.cny' }),
            ]),
          ]),
          el(
            'tbody',
            {},
            r.bySurveyor.map((s) =>
              el('tr', {}, [
                el('td', { text: s.surveyorName }),
                el('td', { text: String(s.count) }),
                el('td', { text: tonnes(s.co2SavedT) }),
                el('td', { text: yuan(s.costSavedCny) }),
              ]),
            ),
          ),
        ]),
      ]),
    ]);
  }

  async function load(): Promise<void> {
    error.show(null);
    try {
      const { report: next } = await recordApi.report(query());
      if (disposed) return;
      report = next;
      paint();
    } catch (err) {
      if (errorCode(err) === 'UNAUTHENTICATED') return ctx.signedOut();
      error.showError(errorCode(err));
    }
  }

  const offLanguage = onLanguageChange(paint);
  root.replaceChildren(
    el('a', { class: 'back', attrs: { href: '#/' }, t: 'detail.back' }),
    el('div', { class: 'page-head' }, [el('h1', { t: 'reports.title' })]),
    el('div', { class: 'button-row' }, [
      el('label', {}, [el('span', { t: 'reports.from' }), ' ', from]),
      el('label', {}, [el('span', { t: 'reports.to' }), ' ', to]),
      button({ kind: 'primary', testid: 'report-apply', t: 'reports.apply' }, () => void load()),
      csv,
    ]),
    error.el,
    body,
  );
  void load();
  return () => {
    disposed = true;
    offLanguage();
  };
}
