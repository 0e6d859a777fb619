// Pure aggregation of stored savings estimates into the dashboard's totals: overall, per surveyor
// and per month, and the headline sentence in both languages. No I/O: unit-tested on its own.
import type { ReportTotals, ReportView } from '@cloudship/shared';

export interface ReportRow {
  inspectionId: string;
  surveyorId: string;
  surveyorName: string;
  concludedAt: Date;
  co2SavedT: number;
  costSavedCny: number;
  /** 'calibrated-average' when the inspection had no inputs (the published average was used). */
  basis: 'computed' | 'calibrated-average';
}

const empty = (): ReportTotals => ({ count: 0, estimatedCount: 0, co2SavedT: 0, costSavedCny: 0 });

function add(t: ReportTotals, r: ReportRow): void {
  t.count += 1;
  if (r.basis === 'calibrated-average') t.estimatedCount += 1;
  t.co2SavedT += r.co2SavedT;
  t.costSavedCny += r.costSavedCny;
}

/** Months are calendar months in UTC ("2026-03"). */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** Display rounding only: t CO2 to 2 decimals, CNY to whole yuan, thousands separated. */
export function formatTonnes(t: number): string {
  return t.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function formatCny(cny: number): string {
  return Math.round(cny).toLocaleString('en-US');
}

export function headline(t: ReportTotals): { zh: string; en: string } {
  const n = t.count;
  return {
    zh: `线上完成船舶检验 ${n} 艘次，减少二氧化碳排放 ${formatTonnes(t.co2SavedT)} 吨，为船东和船员节约 ${formatCny(t.costSavedCny)} 元`,
    en: `${n} vessel inspection${n === 1 ? '' : 's'} online, ${formatTonnes(t.co2SavedT)} t CO2 avoided, ${formatCny(t.costSavedCny)} CNY saved for ship owners and crews`,
  };
}

/** Is `d` inside [from, to] (dates YYYY-MM-DD, inclusive, UTC days)? */
export function inRange(d: Date, from?: string | null, to?: string | null): boolean {
  if (from && d.getTime() < Date.parse(`${from}T00:00:00Z`)) return false;
  if (to && d.getTime() >= Date.parse(`${to}T00:00:00Z`) + 86_400_000) return false;
  return true;
}

export function summarize(rows: readonly ReportRow[], range: { from?: string | null; to?: string | null } = {}): ReportView {
  const overall = empty();
  const surveyors = new Map<string, ReportTotals & { surveyorId: string; surveyorName: string }>();
  const months = new Map<string, ReportTotals & { month: string }>();
  for (const r of rows) {
    if (!inRange(r.concludedAt, range.from, range.to)) continue;
    add(overall, r);
    let s = surveyors.get(r.surveyorId);
    if (!s) surveyors.set(r.surveyorId, (s = { surveyorId: r.surveyorId, surveyorName: r.surveyorName, ...empty() }));
    add(s, r);
    const key = monthOf(r.concludedAt);
    let m = months.get(key);
    if (!m) months.set(key, (m = { month: key, ...empty() }));
    add(m, r);
  }
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    overall,
    bySurveyor: [...surveyors.values()].sort((a, b) => b.count - a.count || a.surveyorName.localeCompare(b.surveyorName)),
    byMonth: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)),
    headline: headline(overall),
  };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  // Quote anything with separators; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export interface CsvRow extends ReportRow {
  vesselName: string;
  registrationNumber: string;
  outcome: string;
  profile: string;
  modelVersion: string;
}

/** One line per concluded inspection, full precision (rounding is the reader's choice). */
export function toCsv(rows: readonly CsvRow[], range: { from?: string | null; to?: string | null } = {}): string {
  const header = [
    'inspection_id',
    'concluded_at',
    'vessel_name',
    'registration_number',
    'surveyor',
    'outcome',
    'co2_saved_t',
    'cost_saved_cny',
    'basis',
    'profile',
    'model_version',
  ];
  const lines = rows
    .filter((r) => inRange(r.concludedAt, range.from, range.to))
    .map((r) =>
      [
        r.inspectionId,
        r.concludedAt.toISOString(),
        r.vesselName,
        r.registrationNumber,
        r.surveyorName,
        r.outcome,
        r.co2SavedT,
        r.costSavedCny,
        r.basis,
        r.profile,
        r.modelVersion,
      ]
        .map(csvCell)
        .join(','),
    );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
