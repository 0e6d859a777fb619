// Records at provincial scale, against the real server on a database seeded with 50,000
// inspections (bulk inserts: test/helpers/seed-records.ts), on SQLite and, in the integration-pg
// project, on PostgreSQL: the dashboard's totals equal the sum of the stored estimates for random
// date ranges (days and months in Asia/Shanghai, worked out here independently: UTC+8, no DST);
// the CSV streams every counted row; the list pages by cursor through exactly the matching rows;
// bad filters are 400s naming the field; an auditor sees only what is assigned to them.
import { COMPLETED_ONLINE_OUTCOMES } from '@cloudship/shared';
import { useFixture } from '../helpers/fixtures';
import { ADMIN } from '../helpers/test-server';
import { random, seedRecords, type SeededInspection } from '../helpers/seed-records';

const fx = useFixture();
const ROWS = 50_000;
const END = new Date('2026-11-30T00:00:00Z');
const seeded: SeededInspection[] = [];
let admin: string;

beforeAll(async () => {
  admin = await fx.server.signIn(ADMIN.username, ADMIN.password);
  await seedRecords(fx.server.db, {
    inspections: ROWS,
    surveyors: 40,
    years: 4,
    end: END,
    seed: 7,
    onBatch: (rows) => seeded.push(...rows),
  });
}, 300_000);

/** Shanghai's midnight of a YYYY-MM-DD day, as an instant (UTC+8 all year). */
const shanghaiDay = (day: string) => Date.parse(`${day}T00:00:00+08:00`);
const shanghaiMonth = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 7);
const counted = (r: SeededInspection) => r.outcome !== null && COMPLETED_ONLINE_OUTCOMES.includes(r.outcome);
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

function expected(from: string, to: string, surveyorId?: string) {
  const lo = shanghaiDay(from);
  const hi = shanghaiDay(to) + 86_400_000;
  const rows = seeded.filter(
    (r) => counted(r) && r.concludedAt!.getTime() >= lo && r.concludedAt!.getTime() < hi && (!surveyorId || r.surveyorId === surveyorId),
  );
  const months = new Map<string, number>();
  for (const r of rows) months.set(shanghaiMonth(r.concludedAt!.getTime()), (months.get(shanghaiMonth(r.concludedAt!.getTime())) ?? 0) + 1);
  return {
    rows,
    count: rows.length,
    estimatedCount: rows.filter((r) => r.basis === 'calibrated-average').length,
    co2: rows.reduce((s, r) => s + r.co2SavedT!, 0),
    cost: rows.reduce((s, r) => s + r.costSavedCny!, 0),
    months,
  };
}

test('the dashboard equals the sum of the stored estimates for random date ranges, months in the authority’s zone', async () => {
  expect(seeded).toHaveLength(ROWS);
  const rnd = random(99);
  const span = 4 * 365 * 86_400_000;
  for (let k = 0; k < 6; k++) {
    const a = END.getTime() - span - 30 * 86_400_000 + rnd() * (span + 60 * 86_400_000);
    const b = a + rnd() * 400 * 86_400_000;
    const [from, to] = [dayOf(a), dayOf(b)];
    const want = expected(from, to);
    const r = await fx.server.api('GET', `/api/reports/savings?from=${from}&to=${to}`, { cookie: admin });
    expect(r.status).toBe(200);
    const report = r.body.report;
    expect({ from, to, count: report.overall.count, estimated: report.overall.estimatedCount }).toEqual({
      from,
      to,
      count: want.count,
      estimated: want.estimatedCount,
    });
    expect(report.overall.co2SavedT).toBeCloseTo(want.co2, 6);
    expect(report.overall.costSavedCny).toBeCloseTo(want.cost, 6);
    expect(new Map(report.byMonth.map((m: { month: string; count: number }) => [m.month, m.count]))).toEqual(want.months);
    expect(report.bySurveyor.reduce((s: number, x: { count: number }) => s + x.count, 0)).toBe(want.count);
  }
  // One surveyor's year.
  const surveyorId = seeded[0]!.surveyorId;
  const one = await fx.server.api('GET', `/api/reports/savings?from=2025-01-01&to=2025-12-31&surveyorId=${surveyorId}`, { cookie: admin });
  const want = expected('2025-01-01', '2025-12-31', surveyorId);
  expect(one.body.report.overall.count).toBe(want.count);
  expect(one.body.report.bySurveyor.map((s: { surveyorId: string }) => s.surveyorId)).toEqual([surveyorId]);
  expect(one.body.report.overall.co2SavedT).toBeCloseTo(want.co2, 6);
});

test('the CSV streams every counted inspection of the range once, with a byte-order mark', async () => {
  const want = expected('2024-01-01', '2025-06-30');
  const r = await fetch(`${fx.server.url}/api/reports/savings.csv?from=2024-01-01&to=2025-06-30`, { headers: { cookie: admin } });
  expect(r.status).toBe(200);
  const bytes = Buffer.from(await r.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  expect(lines[0]).toMatch(/^inspection_id,concluded_at,/);
  const ids = lines.slice(1).map((l) => l.split(',')[0]);
  expect(ids).toHaveLength(want.count);
  expect(new Set(ids)).toEqual(new Set(want.rows.map((x) => x.id)));
  // Oldest conclusion first.
  const times = lines.slice(1).map((l) => Date.parse(l.split(',')[1]!));
  expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
});

test('the list pages by cursor through exactly the rows that match, newest schedule first, none twice', async () => {
  const from = '2025-04-01';
  const to = '2025-06-30';
  const want = seeded
    .filter(
      (r) =>
        r.kind === 'periodic' && r.scheduledAt.getTime() >= shanghaiDay(from) && r.scheduledAt.getTime() < shanghaiDay(to) + 86_400_000,
    )
    .sort((a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime() || (a.id < b.id ? 1 : -1));
  expect(want.length).toBeGreaterThan(300);
  const got: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await fx.server.api(
      'GET',
      `/api/inspections?kind=periodic&from=${from}&to=${to}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { cookie: admin },
    );
    expect(r.status).toBe(200);
    expect(r.body.inspections.length).toBeLessThanOrEqual(100);
    got.push(...r.body.inspections.map((i: { id: string }) => i.id));
    cursor = r.body.nextCursor;
    pages += 1;
  } while (cursor);
  expect(pages).toBe(Math.ceil(want.length / 100));
  expect(got).toEqual(want.map((r) => r.id));

  // Oldest first is the same rows the other way round.
  const asc = await fx.server.api('GET', `/api/inspections?kind=periodic&from=${from}&to=${to}&limit=5&sort=scheduledAt`, {
    cookie: admin,
  });
  expect(asc.body.inspections.map((i: { id: string }) => i.id)).toEqual(
    want
      .slice(-5)
      .reverse()
      .map((r) => r.id),
  );
});

test('search by registration number, by Chinese vessel name, and with SQL metacharacters taken literally', async () => {
  const target = seeded[12_345]!;
  const byNumber = await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent(target.registrationNumber.toLowerCase())}`, {
    cookie: admin,
  });
  expect(byNumber.body.inspections.map((i: { id: string }) => i.id)).toEqual([target.id]);

  const name = target.vesselName;
  const byName = await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent(name)}&limit=100`, { cookie: admin });
  const named = seeded.filter((r) => r.vesselName.includes(name));
  expect(named.length).toBeLessThan(100);
  expect(byName.body.inspections.map((i: { id: string }) => i.id).sort()).toEqual(named.map((r) => r.id).sort());
  // Part of a Chinese name: every row that has it, and only those (first page).
  const part = name.slice(1, 4);
  const byPart = await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent(part)}&limit=100`, { cookie: admin });
  expect(byPart.body.inspections).toHaveLength(100);
  expect(byPart.body.inspections.every((i: { vesselName: string }) => i.vesselName.includes(part))).toBe(true);

  for (const q of ["'; DROP TABLE inspection; --", '%', '_', '\\', 'JN-%-0001']) {
    const r = await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent(q)}`, { cookie: admin });
    expect({ q, status: r.status, n: r.body.inspections.length }).toEqual({ q, status: 200, n: 0 });
  }
  // Still all there.
  expect(
    (await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent(target.registrationNumber)}`, { cookie: admin })).body.inspections,
  ).toHaveLength(1);
});

test('bad filters, cursors, dates and sort keys are 400s that name the field', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/api/inspections?colour=red', /colour|unrecognized/i],
    ['/api/inspections?status=open', /status/],
    ['/api/inspections?kind=barge', /kind/],
    ['/api/inspections?sort=vesselName', /sort/],
    ['/api/inspections?limit=0', /limit/],
    ['/api/inspections?limit=1000', /limit/],
    ['/api/inspections?from=2026-02-30', /from/],
    ['/api/inspections?from=2026-03-01&to=2026-02-01', /to/],
    ['/api/inspections?surveyorId=1%20OR%201=1', /surveyorId/],
    ['/api/inspections?cursor=not%20a%20cursor', /cursor/],
    [`/api/inspections?cursor=${Buffer.from('["-scheduledAt","yesterday","x"]').toString('base64url')}`, /cursor/],
    [`/api/inspections?q=${'x'.repeat(10_000)}`, /q: at most 100/],
    ['/api/replay/inspections?vessel=old-filter', /vessel|unrecognized/i],
    ['/api/reports/savings?from=2026-13-01', /from/],
    ['/api/reports/savings?group=1', /group|unrecognized/i],
  ];
  for (const [path, field] of cases) {
    const r = await fx.server.api('GET', path, { cookie: admin });
    expect({ path: path.slice(0, 80), status: r.status }).toEqual({ path: path.slice(0, 80), status: 400 });
    expect(r.body.error.message).toMatch(field);
  }
  // 10,000 Chinese characters are 90 kB of URL: refused by the HTTP server itself, before any code.
  expect((await fx.server.api('GET', `/api/inspections?q=${encodeURIComponent('船'.repeat(10_000))}`, { cookie: admin })).status).toBe(431);
  expect((await fx.server.api('GET', '/api/inspections?limit=1', { cookie: admin })).status).toBe(200);
  // A cursor made for one order is refused in the other.
  const first = await fx.server.api('GET', '/api/inspections?limit=2', { cookie: admin });
  const wrong = await fx.server.api('GET', `/api/inspections?limit=2&sort=scheduledAt&cursor=${first.body.nextCursor}`, { cookie: admin });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.message).toMatch(/cursor: was made for sort=-scheduledAt/);
});

test('an auditor lists, totals and opens only the inspections assigned to them', async () => {
  const auditor = await fx.account('auditor', 'scale-auditor');
  const mine = [seeded[100]!, seeded[2000]!, seeded[30_000]!];
  for (const r of mine) {
    expect(
      (await fx.server.api('POST', `/api/inspections/${r.id}/auditors`, { cookie: admin, body: { accountId: auditor.id } })).status,
    ).toBe(204);
  }
  const list = await fx.server.api('GET', '/api/inspections?limit=100', { cookie: auditor.cookie });
  expect(list.body.inspections.map((i: { id: string }) => i.id).sort()).toEqual(mine.map((r) => r.id).sort());
  expect(list.body.nextCursor).toBeNull();
  const replay = await fx.server.api('GET', '/api/replay/inspections', { cookie: auditor.cookie });
  expect(replay.body.inspections.map((i: { id: string }) => i.id).sort()).toEqual(mine.map((r) => r.id).sort());
  const totals = await fx.server.api('GET', '/api/reports/savings', { cookie: auditor.cookie });
  expect(totals.body.report.overall.count).toBe(mine.filter(counted).length);
  const other = seeded[4]!;
  for (const path of [`/api/inspections/${other.id}`, `/api/inspections/${other.id}/record`, `/api/inspections/${other.id}/report.html`]) {
    expect({ path, status: (await fx.server.api('GET', path, { cookie: auditor.cookie })).status }).toEqual({ path, status: 404 });
  }
});
