import { estimateSavings, PROFILES, sumEstimates } from '@cloudship/shared';
import { headline, inRange, summarize, toCsv, type CsvRow, type ReportRow } from './report-totals';

const row = (over: Partial<ReportRow>): ReportRow => ({
  inspectionId: 'i',
  surveyorId: 's1',
  surveyorName: 'Wang',
  concludedAt: new Date('2026-03-10T08:00:00Z'),
  co2SavedT: 10.46,
  costSavedCny: 19_850,
  basis: 'calibrated-average',
  ...over,
});

describe('report totals', () => {
  test('267 default inspections give the published totals: 2,792.74 t (within 0.5%) and 5.3 million CNY', () => {
    const calibrated = estimateSavings(PROFILES['published-calibrated'].values);
    const rows = Array.from({ length: 267 }, (_, n) =>
      row({
        inspectionId: `i${n}`,
        co2SavedT: calibrated.co2SavedT,
        costSavedCny: calibrated.costSavedCny,
        basis: 'computed',
        concludedAt: new Date(Date.UTC(2025, n % 12, 1 + (n % 27))),
      }),
    );
    const report = summarize(rows);
    expect(report.overall.count).toBe(267);
    expect(Math.abs(report.overall.co2SavedT - 2_792.74) / 2_792.74).toBeLessThan(0.005);
    expect(Math.abs(report.overall.costSavedCny - 5_300_000) / 5_300_000).toBeLessThan(0.005);
    expect(report.byMonth).toHaveLength(12);
    expect(report.byMonth.reduce((s, m) => s + m.count, 0)).toBe(267);
    expect(report.headline.en).toMatch(
      /^267 vessel inspections online, 2,79\d\.\d\d t CO2 avoided, 5,29\d,\d{3} CNY saved for ship owners and crews$/,
    );
    expect(report.headline.zh).toContain('线上完成船舶检验 267 艘次');
  });

  test('overall equals the sum of estimates; per surveyor and per month split it without loss', () => {
    const rows = [
      row({
        inspectionId: 'a',
        surveyorId: 's1',
        co2SavedT: 1.5,
        costSavedCny: 100,
        concludedAt: new Date('2026-01-31T23:59:59Z'),
        basis: 'computed',
      }),
      row({
        inspectionId: 'b',
        surveyorId: 's2',
        surveyorName: 'Li',
        co2SavedT: 2.25,
        costSavedCny: 200,
        concludedAt: new Date('2026-02-01T00:00:00Z'),
      }),
      row({
        inspectionId: 'c',
        surveyorId: 's1',
        co2SavedT: 3,
        costSavedCny: 300,
        concludedAt: new Date('2026-02-15T12:00:00Z'),
        basis: 'computed',
      }),
    ];
    const r = summarize(rows);
    expect(r.overall).toEqual({ count: 3, estimatedCount: 1, co2SavedT: 6.75, costSavedCny: 600 });
    expect(r.bySurveyor).toEqual([
      { surveyorId: 's1', surveyorName: 'Wang', count: 2, estimatedCount: 0, co2SavedT: 4.5, costSavedCny: 400 },
      { surveyorId: 's2', surveyorName: 'Li', count: 1, estimatedCount: 1, co2SavedT: 2.25, costSavedCny: 200 },
    ]);
    expect(r.byMonth.map((m) => [m.month, m.count, m.co2SavedT])).toEqual([
      ['2026-01', 1, 1.5],
      ['2026-02', 2, 5.25],
    ]);
    // Same figures as the model's own sum.
    const sum = sumEstimates([estimateSavings({ meKw: 100 }), estimateSavings(undefined)]);
    expect(
      summarize([row({ co2SavedT: estimateSavings({ meKw: 100 }).co2SavedT, basis: 'computed' }), row({})]).overall.co2SavedT,
    ).toBeCloseTo(sum.co2SavedT, 12);
  });

  test('the period is inclusive of whole UTC days at both ends', () => {
    expect(inRange(new Date('2026-02-01T00:00:00Z'), '2026-02-01', '2026-02-28')).toBe(true);
    expect(inRange(new Date('2026-02-28T23:59:59Z'), '2026-02-01', '2026-02-28')).toBe(true);
    expect(inRange(new Date('2026-03-01T00:00:00Z'), '2026-02-01', '2026-02-28')).toBe(false);
    expect(inRange(new Date('2026-01-31T23:59:59Z'), '2026-02-01', null)).toBe(false);
    const r = summarize([row({ concludedAt: new Date('2026-01-05T00:00:00Z') }), row({ concludedAt: new Date('2026-02-05T00:00:00Z') })], {
      from: '2026-02-01',
    });
    expect(r.overall.count).toBe(1);
    expect(r.from).toBe('2026-02-01');
  });

  test('an empty period says zero, in both languages', () => {
    const r = summarize([]);
    expect(r.overall).toEqual({ count: 0, estimatedCount: 0, co2SavedT: 0, costSavedCny: 0 });
    expect(headline(r.overall).en).toBe('0 vessel inspections online, 0.00 t CO2 avoided, 0 CNY saved for ship owners and crews');
    expect(headline({ count: 1, estimatedCount: 0, co2SavedT: 10.4614, costSavedCny: 19_839.4 }).en).toBe(
      '1 vessel inspection online, 10.46 t CO2 avoided, 19,839 CNY saved for ship owners and crews',
    );
  });

  test('CSV: one line per inspection, full precision, quoted where needed, formulas neutralised', () => {
    const rows: CsvRow[] = [
      {
        ...row({ co2SavedT: 10.4614, costSavedCny: 19_839.4 }),
        vesselName: '鲁济宁货1234, "A"',
        registrationNumber: '=HYPERLINK()',
        outcome: 'passed',
        profile: 'published-calibrated',
        modelVersion: '1.0.0',
      },
    ];
    const csv = toCsv(rows).split('\r\n');
    expect(csv[0]).toBe(
      'inspection_id,concluded_at,vessel_name,registration_number,surveyor,outcome,co2_saved_t,cost_saved_cny,basis,profile,model_version',
    );
    expect(csv[1]).toBe(
      `i,2026-03-10T08:00:00.000Z,"鲁济宁货1234, ""A""",'=HYPERLINK(),Wang,passed,10.4614,19839.4,calibrated-average,published-calibrated,1.0.0`,
    );
    expect(csv[2]).toBe('');
  });
});
