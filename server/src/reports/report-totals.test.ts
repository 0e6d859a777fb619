import { estimateSavings, PROFILES, sumEstimates } from '@cloudship/shared';
import { CSV_HEADER, csvLine, headline, rollUp, type ReportCell } from './report-totals';

/** One inspection as the database's grouped query counts it (a cell of one). */
const row = (over: Partial<ReportCell> & { basis?: 'computed' | 'calibrated-average' }): ReportCell => {
  const { basis = 'calibrated-average', ...rest } = over;
  return {
    surveyorId: 's1',
    surveyorName: 'Wang',
    month: '2026-03',
    count: 1,
    estimatedCount: basis === 'calibrated-average' ? 1 : 0,
    co2SavedT: 10.46,
    costSavedCny: 19_850,
    ...rest,
  };
};

describe('report totals', () => {
  test('267 default inspections give the published totals: 2,792.74 t (within 0.5%) and 5.3 million CNY', () => {
    const calibrated = estimateSavings(PROFILES['published-calibrated'].values);
    const rows = Array.from({ length: 267 }, (_, n) =>
      row({
        co2SavedT: calibrated.co2SavedT,
        costSavedCny: calibrated.costSavedCny,
        basis: 'computed',
        month: `2025-${String((n % 12) + 1).padStart(2, '0')}`,
      }),
    );
    const report = rollUp(rows);
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
      row({ surveyorId: 's1', co2SavedT: 1.5, costSavedCny: 100, month: '2026-01', basis: 'computed' }),
      row({ surveyorId: 's2', surveyorName: 'Li', co2SavedT: 2.25, costSavedCny: 200, month: '2026-02' }),
      row({ surveyorId: 's1', co2SavedT: 3, costSavedCny: 300, month: '2026-02', basis: 'computed' }),
    ];
    const r = rollUp(rows);
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
      rollUp([row({ co2SavedT: estimateSavings({ meKw: 100 }).co2SavedT, basis: 'computed' }), row({})]).overall.co2SavedT,
    ).toBeCloseTo(sum.co2SavedT, 12);
  });

  test('grouped cells of several inspections add up like single ones; the range is echoed', () => {
    const r = rollUp([row({ count: 40, estimatedCount: 3, co2SavedT: 400, costSavedCny: 8000 }), row({ month: '2026-04' })], {
      from: '2026-03-01',
      to: '2026-04-30',
    });
    expect(r.overall).toEqual({ count: 41, estimatedCount: 4, co2SavedT: 410.46, costSavedCny: 27_850 });
    expect(r.byMonth.map((m) => [m.month, m.count])).toEqual([
      ['2026-03', 40],
      ['2026-04', 1],
    ]);
    expect([r.from, r.to]).toEqual(['2026-03-01', '2026-04-30']);
  });

  test('an empty period says zero, in both languages', () => {
    const r = rollUp([]);
    expect(r.overall).toEqual({ count: 0, estimatedCount: 0, co2SavedT: 0, costSavedCny: 0 });
    expect(headline(r.overall).en).toBe('0 vessel inspections online, 0.00 t CO2 avoided, 0 CNY saved for ship owners and crews');
    expect(headline({ count: 1, estimatedCount: 0, co2SavedT: 10.4614, costSavedCny: 19_839.4 }).en).toBe(
      '1 vessel inspection online, 10.46 t CO2 avoided, 19,839 CNY saved for ship owners and crews',
    );
  });

  test('CSV: one line per inspection, full precision, quoted where needed, formulas neutralised', () => {
    expect(CSV_HEADER).toBe(
      'inspection_id,concluded_at,vessel_name,registration_number,surveyor,outcome,co2_saved_t,cost_saved_cny,basis,profile,model_version',
    );
    const line = csvLine({
      inspectionId: 'i',
      concludedAt: new Date('2026-03-10T08:00:00Z'),
      vesselName: '鲁济宁货1234, "A"',
      registrationNumber: '=HYPERLINK()',
      surveyorName: 'Wang',
      outcome: 'passed',
      co2SavedT: 10.4614,
      costSavedCny: 19_839.4,
      basis: 'calibrated-average',
      profile: 'published-calibrated',
      modelVersion: '1.0.0',
    });
    expect(line).toBe(
      `i,2026-03-10T08:00:00.000Z,"鲁济宁货1234, ""A""",'=HYPERLINK(),Wang,passed,10.4614,19839.4,calibrated-average,published-calibrated,1.0.0\r\n`,
    );
  });
});
