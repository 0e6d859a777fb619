// Admins draw a random sample of the inspections concluded in a period for review
// (POST /api/review-samples): ceil(percentage x concluded in the period) of them, drawn by the
// database, recorded with who, when, the period and the method, optionally all assigned to one
// auditor (never to one who worked on an inspection). Bad input is a 400 naming the field and
// records nothing; only admins may draw or read samples.
import crypto from 'node:crypto';
import { sampleSize } from '@cloudship/shared';
import { InspectionRecordEntity } from '../../server/src/inspection-record/entities';
import { AuditAssignmentEntity, InspectionEntity } from '../../server/src/inspection/entities';
import { ReviewSampleEntity, ReviewSampleItemEntity } from '../../server/src/reports/review-sample-entities';
import { useFixture } from '../helpers/fixtures';

// TIME_ZONE is the default, Asia/Shanghai (UTC+8): March 2026 runs from 2026-02-28T16:00Z to 2026-03-31T16:00Z.
const fx = useFixture();

const MARCH = { from: '2026-03-01', to: '2026-03-31' };

/** Inserts ended inspections led by `surveyorId`, concluded at each of `times` (null: not concluded). */
async function seed(surveyorId: string, times: Array<Date | null>, prefix: string): Promise<string[]> {
  const ids = times.map(() => crypto.randomUUID());
  const db = fx.server.db;
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    await db.getRepository(InspectionEntity).insert(
      chunk.map((id, k) => ({
        id,
        vesselName: `${prefix} ${i + k}`,
        registrationNumber: `${prefix}-${i + k}`,
        kind: 'periodic' as const,
        place: '济宁港',
        scheduledAt: times[i + k] ?? new Date('2026-03-10T02:00:00Z'),
        status: 'ended' as const,
        surveyorId,
        startedAt: null,
        endedAt: times[i + k] ?? new Date('2026-03-10T03:00:00Z'),
        toBeContinued: false,
      })),
    );
    await db.getRepository(InspectionRecordEntity).insert(
      chunk.map((id, k) => ({
        inspectionId: id,
        templateVersion: 1,
        outcome: times[i + k] ? ('passed' as never) : null,
        remarks: '',
        concludedAt: times[i + k],
        concludedBy: times[i + k] ? surveyorId : null,
        savingsInputs: '{}',
        savingsProfile: 'inland' as never,
      })),
    );
  }
  return ids;
}

let admin: string;
let surveyorId: string;
let inside: Set<string>;
let outside: Set<string>;

beforeAll(async () => {
  admin = await fx.adminCookie();
  surveyorId = (await fx.account('surveyor', 'rs-surveyor')).id;
  // 40 inside March in Shanghai, the first and last instants included; 15 outside or not concluded.
  const march = [new Date('2026-02-28T16:00:00Z'), new Date('2026-03-31T15:59:59.999Z')];
  for (let d = 0; d < 38; d++) march.push(new Date(Date.UTC(2026, 2, 1 + (d % 30), 3, d)));
  inside = new Set(await seed(surveyorId, march, 'IN'));
  const before = Array.from({ length: 5 }, (_, k) => new Date(Date.UTC(2026, 1, 28, 15, 59 - k)));
  const after = Array.from({ length: 5 }, (_, k) => new Date(Date.UTC(2026, 2, 31, 16, k)));
  outside = new Set(await seed(surveyorId, [...before, ...after, null, null, null, null, null], 'OUT'));
});

async function draw(body: Record<string, unknown>, cookie = admin) {
  return fx.server.api('POST', '/api/review-samples', { cookie, body });
}

async function recorded() {
  return {
    samples: await fx.server.db.getRepository(ReviewSampleEntity).count(),
    items: await fx.server.db.getRepository(ReviewSampleItemEntity).count(),
    assignments: await fx.server.db.getRepository(AuditAssignmentEntity).count(),
  };
}

describe('drawing a sample', () => {
  test.each([
    [1, 1],
    [7, 3],
    [10, 4],
    [25, 10],
    [100, 40],
  ])('%i %% of the 40 concluded in March is %i of them, all from March, recorded', async (percentage, expected) => {
    expect(sampleSize(40, percentage)).toBe(expected);
    const r = await draw({ ...MARCH, percentage });
    expect(r.status).toBe(201);
    const sample = r.body.sample;
    expect(sample).toMatchObject({
      from: MARCH.from,
      to: MARCH.to,
      timeZone: 'Asia/Shanghai',
      percentage,
      population: 40,
      size: expected,
      method: 'sql-random',
      auditor: null,
      assigned: 0,
    });
    expect(Math.abs(Date.parse(sample.drawnAt) - Date.now())).toBeLessThan(60_000);
    expect(sample.drawnBy.displayName).toBe('Administrator');
    const items = await fx.server.db.getRepository(ReviewSampleItemEntity).findBy({ sampleId: sample.id });
    expect(items).toHaveLength(expected);
    for (const item of items) {
      expect(inside.has(item.inspectionId)).toBe(true);
      expect(outside.has(item.inspectionId)).toBe(false);
    }
    const row = await fx.server.db.getRepository(ReviewSampleEntity).findOneByOrFail({ id: sample.id });
    expect(row).toMatchObject({ drawnBy: sample.drawnBy.id, periodFrom: MARCH.from, periodTo: MARCH.to, population: 40, size: expected });

    const opened = await fx.server.api('GET', `/api/review-samples/${sample.id}`, { cookie: admin });
    expect(opened.status).toBe(200);
    expect(opened.body.items.map((i: { inspectionId: string }) => i.inspectionId).sort()).toEqual(items.map((i) => i.inspectionId).sort());
    expect(opened.body.items[0]).toMatchObject({
      vesselName: expect.stringMatching(/^IN /),
      surveyorName: 'rs-surveyor',
      outcome: 'passed',
    });
    expect(opened.body.nextOffset).toBeNull();
  });

  test('a period with nothing concluded records an empty sample', async () => {
    const r = await draw({ from: '2025-01-01', to: '2025-01-31', percentage: 50 });
    expect(r.status).toBe(201);
    expect(r.body.sample).toMatchObject({ population: 0, size: 0 });
  });

  test('one day holds what was concluded in it in Shanghai', async () => {
    // 2026-03-01 in Shanghai: the first March instant and the ones seeded on day 1 (d = 0 and 30).
    const r = await draw({ from: '2026-03-01', to: '2026-03-01', percentage: 100 });
    expect(r.body.sample.population).toBe(3);
  });

  test('the latest samples are listed, newest first', async () => {
    const r = await fx.server.api('GET', '/api/review-samples', { cookie: admin });
    expect(r.status).toBe(200);
    const drawn = r.body.samples.map((s: { drawnAt: string }) => Date.parse(s.drawnAt));
    expect(drawn.length).toBeGreaterThanOrEqual(7);
    expect([...drawn].sort((a, b) => b - a)).toEqual(drawn);
  });

  test('with an auditor: the drawn inspections are assigned to it, except one it led as a surveyor', async () => {
    // A surveyor who led one of March's inspections, made an auditor once it had ended.
    const former = await fx.account('surveyor', 'rs-former');
    const [led] = await seed(former.id, [new Date('2026-03-15T04:00:00Z')], 'LED');
    expect((await fx.server.api('PATCH', `/api/accounts/${former.id}`, { cookie: admin, body: { role: 'auditor' } })).status).toBe(200);
    const r = await draw({ ...MARCH, percentage: 100, auditorId: former.id });
    expect(r.status).toBe(201);
    expect(r.body.sample).toMatchObject({ population: 41, size: 41, assigned: 40, auditor: { id: former.id, displayName: 'rs-former' } });
    const assigned = await fx.server.db.getRepository(AuditAssignmentEntity).findBy({ accountId: former.id });
    expect(new Set(assigned.map((a) => a.inspectionId))).toEqual(inside);
    expect(assigned.some((a) => a.inspectionId === led)).toBe(false);
    // The auditor reads what it was assigned.
    const cookie = await fx.server.signIn(former.username, former.password);
    expect((await fx.server.api('GET', `/api/inspections/${[...inside][0]}`, { cookie })).status).toBe(200);
    // Drawing again assigns nothing twice.
    const again = await draw({ ...MARCH, percentage: 50, auditorId: former.id });
    expect(again.status).toBe(201);
    expect(await fx.server.db.getRepository(AuditAssignmentEntity).countBy({ accountId: former.id })).toBe(40);
  });
});

describe('bad input', () => {
  test('is a 400 naming the field, and records and assigns nothing', async () => {
    const surveyor = await fx.account('surveyor', 'rs-not-auditor');
    const disabled = await fx.account('auditor', 'rs-disabled');
    expect((await fx.server.api('POST', `/api/accounts/${disabled.id}/disable`, { cookie: admin })).status).toBe(200);
    const before = await recorded();
    for (const [body, field] of [
      [{ ...MARCH, percentage: 0 }, 'percentage'],
      [{ ...MARCH, percentage: 1000 }, 'percentage'],
      [{ ...MARCH, percentage: 12.5 }, 'percentage'],
      [{ ...MARCH, percentage: '10' }, 'percentage'],
      [{ ...MARCH }, 'percentage'],
      [{ from: '2026-03-31', to: '2026-03-01', percentage: 10 }, 'to'],
      [{ from: '2026-02-30', to: '2026-03-01', percentage: 10 }, 'from'],
      [{ from: '1 March', to: '2026-03-31', percentage: 10 }, 'from'],
      [{ from: '2026-03-01', percentage: 10 }, 'to'],
      [{ ...MARCH, percentage: 10, auditorId: '00000000-0000-0000-0000-000000000000' }, 'auditorId'],
      [{ ...MARCH, percentage: 10, auditorId: surveyor.id }, 'auditorId'],
      [{ ...MARCH, percentage: 10, auditorId: disabled.id }, 'auditorId'],
      [{ ...MARCH, percentage: 10, seed: 42 }, '"seed"'],
    ] as const) {
      const r = await draw(body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.error.message).toContain(field.startsWith('"') ? field : `${field}: `);
    }
    expect(await recorded()).toEqual(before);
    expect((await fx.server.api('GET', '/api/review-samples/not-a-sample', { cookie: admin })).status).toBe(404);
    const any = (await fx.server.api('GET', '/api/review-samples', { cookie: admin })).body.samples[0].id;
    expect((await fx.server.api('GET', `/api/review-samples/${any}?offset=-1`, { cookie: admin })).status).toBe(400);
  });

  test('surveyors and auditors may neither draw nor read samples; without a session, 401', async () => {
    const s = await fx.account('surveyor', 'rs-surveyor-2');
    const a = await fx.account('auditor', 'rs-auditor-2');
    const before = await recorded();
    const any = (await fx.server.api('GET', '/api/review-samples', { cookie: admin })).body.samples[0].id;
    for (const cookie of [s.cookie, a.cookie]) {
      expect((await draw({ ...MARCH, percentage: 10 }, cookie)).status).toBe(403);
      expect((await fx.server.api('GET', '/api/review-samples', { cookie })).status).toBe(403);
      expect((await fx.server.api('GET', `/api/review-samples/${any}`, { cookie })).status).toBe(403);
    }
    expect((await fx.server.api('POST', '/api/review-samples', { body: { ...MARCH, percentage: 10 } })).status).toBe(401);
    expect(await recorded()).toEqual(before);
  });
});

test('a period of 20,000 concluded inspections is sampled and assigned in the database', async () => {
  const surveyor = await fx.account('surveyor', 'rs-bulk');
  const times = Array.from({ length: 20_000 }, (_, k) => new Date(Date.UTC(2024, 5, 1) + k * 60_000));
  await seed(surveyor.id, times, 'BULK');
  const auditor = await fx.account('auditor', 'rs-bulk-auditor');
  const r = await draw({ from: '2024-06-01', to: '2024-06-30', percentage: 33, auditorId: auditor.id });
  expect(r.status).toBe(201);
  // 2024-06-01 00:00 UTC is 08:00 in Shanghai, so all 20,000 (13.9 days) fall in June.
  expect(r.body.sample).toMatchObject({ population: 20_000, size: 6_600, assigned: 6_600 });
  expect(await fx.server.db.getRepository(AuditAssignmentEntity).countBy({ accountId: auditor.id })).toBe(6_600);
  const page = await fx.server.api('GET', `/api/review-samples/${r.body.sample.id}?offset=6400`, { cookie: admin });
  expect(page.body.items).toHaveLength(200);
  expect(page.body.nextOffset).toBeNull();
  const first = await fx.server.api('GET', `/api/review-samples/${r.body.sample.id}`, { cookie: admin });
  expect(first.body.nextOffset).toBe(200);
}, 60_000);
