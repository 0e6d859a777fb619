// The dashboard's totals rolled up from the database's grouped sums (overall, per surveyor, per
// month), the headline sentence in both languages, and the CSV's lines. No I/O: unit-tested on its own.
import type { ReportTotals, ReportView } from '@cloudship/shared';

/**
 * One group of the database's grouped totals (ReportService): the inspections of one surveyor
 * concluded in one month of the authority's time zone.
 */
export interface ReportCell {
  surveyorId: string;
  surveyorName: string;
  /** YYYY-MM in the authority's time zone. */
  month: string;
  count: number;
  /** How many of them used the calibrated-average fallback (no inputs). */
  estimatedCount: number;
  co2SavedT: number;
  costSavedCny: number;
}

const empty = (): ReportTotals => ({ count: 0, estimatedCount: 0, co2SavedT: 0, costSavedCny: 0 });

function add(t: ReportTotals, c: ReportCell): void {
  t.count += c.count;
  t.estimatedCount += c.estimatedCount;
  t.co2SavedT += c.co2SavedT;
  t.costSavedCny += c.costSavedCny;
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

/** The dashboard from the grouped totals: overall, per surveyor and per month (a few hundred cells at most). */
export function rollUp(cells: readonly ReportCell[], range: { from?: string | null; to?: string | null } = {}): ReportView {
  const overall = empty();
  const surveyors = new Map<string, ReportTotals & { surveyorId: string; surveyorName: string }>();
  const months = new Map<string, ReportTotals & { month: string }>();
  for (const c of cells) {
    add(overall, c);
    let s = surveyors.get(c.surveyorId);
    if (!s) surveyors.set(c.surveyorId, (s = { surveyorId: c.surveyorId, surveyorName: c.surveyorName, ...empty() }));
    add(s, c);
    let m = months.get(c.month);
    if (!m) months.set(c.month, (m = { month: c.month, ...empty() }));
    add(m, c);
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

/** One concluded inspection, a line of the CSV export. */
export interface CsvRow {
  inspectionId: string;
  concludedAt: Date;
  vesselName: string;
  registrationNumber: string;
  surveyorName: string;
  outcome: string;
  co2SavedT: number;
  costSavedCny: number;
  basis: string;
  profile: string;
  modelVersion: string;
}

export const CSV_HEADER = [
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
].join(',');

/** One line per concluded inspection, full precision (rounding is the reader's choice), CRLF-ended. */
export function csvLine(r: CsvRow): string {
  // Concatenated rather than joined: a million lines make no array each.
  return (
    csvCell(r.inspectionId) +
    ',' +
    r.concludedAt.toISOString() +
    ',' +
    csvCell(r.vesselName) +
    ',' +
    csvCell(r.registrationNumber) +
    ',' +
    csvCell(r.surveyorName) +
    ',' +
    csvCell(r.outcome) +
    ',' +
    csvCell(r.co2SavedT) +
    ',' +
    csvCell(r.costSavedCny) +
    ',' +
    csvCell(r.basis) +
    ',' +
    csvCell(r.profile) +
    ',' +
    csvCell(r.modelVersion) +
    '\r\n'
  );
}
