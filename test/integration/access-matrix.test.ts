// The access matrix, walked cell by cell against the real server: every staff REST route about one
// inspection and the live-session handshake, for each way an account can stand to the inspection.
// The table below is the matrix README's "Access by ownership" section shows; it is written out
// here (not computed from shared/src/access.ts), so a change to the rule that nobody meant fails.
import { TINY_JPEG, crewUpload } from '../helpers/record-fixtures';
import { connectError } from '../helpers/signaling-client';
import { useFixture, type Staff } from '../helpers/fixtures';

const fx = useFixture();

const RELATIONS = ['admin', 'lead', 'co-surveyor', 'other-surveyor', 'assigned-auditor', 'other-auditor'] as const;
type Who = (typeof RELATIONS)[number];

/** One inspection per cell, scheduled by the lead, with a co-surveyor, an assigned auditor, a still. */
interface Case {
  id: string;
  token: string;
  itemId: string;
  evidenceId: string;
}

interface Route {
  name: string;
  /**
   * Who gets a 2xx. The others are refused: 403 when their role may not do this on any
   * inspection, or when they may read this one but not do this; 404 (the id is not confirmed)
   * when their role may, but they may not even read this inspection.
   */
  allowed: readonly Who[];
  /** Whose role holds the permission at all (default: admins and surveyors, for every acting route). */
  roleMay?: readonly Who[];
  call(c: Case, cookie: string): Promise<{ status: number }>;
}

const READERS: Who[] = ['admin', 'lead', 'co-surveyor', 'assigned-auditor'];
const ACTORS: Who[] = ['admin', 'lead', 'co-surveyor'];
const OWNERS: Who[] = ['admin', 'lead'];

let staff: Record<Exclude<Who, 'admin'>, Staff>;
let adminCookie: string;
const cookieOf = (who: Who) => (who === 'admin' ? adminCookie : staff[who].cookie);

beforeAll(async () => {
  adminCookie = await fx.adminCookie();
  staff = {
    lead: await fx.account('surveyor', 'm-lead'),
    'co-surveyor': await fx.account('surveyor', 'm-co'),
    'other-surveyor': await fx.account('surveyor', 'm-other'),
    'assigned-auditor': await fx.account('auditor', 'm-auditor'),
    'other-auditor': await fx.account('auditor', 'm-outsider'),
  };
});

async function newCase(): Promise<Case> {
  const { server } = fx;
  const lead = staff.lead.cookie;
  const { inspection, token } = await fx.inspectionWithLink(lead);
  const add = await server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, {
    cookie: lead,
    body: { accountId: staff['co-surveyor'].id },
  });
  expect(add.status).toBe(201);
  const assign = await server.api('POST', `/api/inspections/${inspection.id}/auditors`, {
    cookie: lead,
    body: { accountId: staff['assigned-auditor'].id },
  });
  expect(assign.status).toBe(204);
  const record = await server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: lead });
  const up = await crewUpload(server, token, TINY_JPEG, { query: { initiative: 'crew' } });
  expect(up.status).toBe(201);
  return { id: inspection.id, token, itemId: record.body.record.checklist[0].id, evidenceId: up.body.evidence.id };
}

const api = (method: string, path: (c: Case) => string, body?: (c: Case) => unknown) => (c: Case, cookie: string) =>
  fx.server.api(method, path(c), { cookie, ...(body ? { body: body(c) } : {}) });

const ROUTES: Route[] = [
  { name: 'GET /inspections/:id', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}`) },
  { name: 'GET /inspections/:id/record', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}/record`) },
  {
    name: 'GET /inspections/:id/evidence/:evidenceId/file',
    allowed: READERS,
    call: api('GET', (c) => `/api/inspections/${c.id}/evidence/${c.evidenceId}/file`),
  },
  { name: 'GET /inspections/:id/report.html', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}/report.html`) },
  { name: 'POST /inspections/:id/crew-link', allowed: ACTORS, call: api('POST', (c) => `/api/inspections/${c.id}/crew-link`) },
  { name: 'DELETE /inspections/:id/crew-links', allowed: ACTORS, call: api('DELETE', (c) => `/api/inspections/${c.id}/crew-links`) },
  {
    name: 'PATCH /inspections/:id/checklist/:itemId',
    allowed: ACTORS,
    call: api(
      'PATCH',
      (c) => `/api/inspections/${c.id}/checklist/${c.itemId}`,
      () => ({ result: 'pass' }),
    ),
  },
  {
    name: 'POST /inspections/:id/evidence/bookmarks',
    allowed: ACTORS,
    call: api(
      'POST',
      (c) => `/api/inspections/${c.id}/evidence/bookmarks`,
      () => ({ note: 'hull plate' }),
    ),
  },
  {
    name: 'PATCH /inspections/:id/evidence/:evidenceId',
    allowed: ACTORS,
    call: api(
      'PATCH',
      (c) => `/api/inspections/${c.id}/evidence/${c.evidenceId}`,
      (c) => ({ checklistItemId: c.itemId }),
    ),
  },
  {
    name: 'PUT /inspections/:id/savings',
    allowed: ACTORS,
    call: api(
      'PUT',
      (c) => `/api/inspections/${c.id}/savings`,
      () => ({ inputs: { vesselDetourKm: 120 } }),
    ),
  },
  {
    name: 'POST /inspections/:id/conclusion',
    allowed: ACTORS,
    call: api(
      'POST',
      (c) => `/api/inspections/${c.id}/conclusion`,
      () => ({ outcome: 'passed' }),
    ),
  },
  { name: 'POST /inspections/:id/end', allowed: ACTORS, call: api('POST', (c) => `/api/inspections/${c.id}/end`) },
  {
    name: 'POST /inspections/:id/co-surveyors',
    allowed: OWNERS,
    call: api(
      'POST',
      (c) => `/api/inspections/${c.id}/co-surveyors`,
      () => ({ accountId: staff['other-surveyor'].id }),
    ),
  },
  {
    name: 'DELETE /inspections/:id/co-surveyors/:accountId',
    allowed: OWNERS,
    call: api('DELETE', (c) => `/api/inspections/${c.id}/co-surveyors/${staff['co-surveyor'].id}`),
  },
  {
    name: 'POST /inspections/:id/auditors',
    allowed: OWNERS,
    call: api(
      'POST',
      (c) => `/api/inspections/${c.id}/auditors`,
      () => ({ accountId: staff['other-auditor'].id }),
    ),
  },
  { name: 'GET /inspections/:id/seal', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}/seal`) },
  // The sealed package: the people answerable for the record, not a co-surveyor.
  {
    name: 'GET /inspections/:id/package',
    allowed: ['admin', 'lead', 'assigned-auditor'],
    roleMay: RELATIONS,
    call: api('GET', (c) => `/api/inspections/${c.id}/package`),
  },
  { name: 'GET /inspections/:id/review', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}/review`) },
  { name: 'GET /inspections/:id/recordings', allowed: READERS, call: api('GET', (c) => `/api/inspections/${c.id}/recordings`) },
  {
    // Reviewing is for the assigned auditor (and admins), never for the surveyors whose work it is.
    name: 'POST /inspections/:id/review/status',
    allowed: ['admin', 'assigned-auditor'],
    roleMay: ['admin', 'assigned-auditor', 'other-auditor'],
    call: api(
      'POST',
      (c) => `/api/inspections/${c.id}/review/status`,
      () => ({ status: 'reviewed' }),
    ),
  },
  {
    name: 'GET /inspections/:id/replay-log',
    allowed: ['admin'],
    roleMay: ['admin'],
    call: api('GET', (c) => `/api/inspections/${c.id}/replay-log`),
  },
];

const canRead = (who: Who) => READERS.includes(who);
const SURVEYING: Who[] = ['admin', 'lead', 'co-surveyor', 'other-surveyor'];
/** Reading routes are open to every staff role; the rest to admins and surveyors unless said. */
const roleMay = (route: Route, who: Who) => (route.roleMay ?? (route.allowed === READERS ? RELATIONS : SURVEYING)).includes(who);

describe.each(ROUTES)('$name', (route) => {
  test.each(RELATIONS)('%s', async (who) => {
    const c = await newCase();
    const r = await route.call(c, cookieOf(who));
    if (route.allowed.includes(who)) {
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(300);
    } else {
      expect(r.status).toBe(!roleMay(route, who) || canRead(who) ? 403 : 404);
    }
  });
});

describe('lists and totals', () => {
  test.each(RELATIONS)('the inspection list of %s: every entry for surveyors and admins, assigned ones for auditors', async (who) => {
    const c = await newCase();
    const list = await fx.server.api('GET', '/api/inspections', { cookie: cookieOf(who) });
    expect(list.status).toBe(200);
    const listed = (list.body.inspections as Array<{ id: string }>).some((i) => i.id === c.id);
    expect(listed).toBe(who !== 'other-auditor');
  });

  test.each(RELATIONS)('the replay list of %s holds only what it may read', async (who) => {
    const c = await newCase();
    const list = await fx.server.api('GET', '/api/replay/inspections', { cookie: cookieOf(who) });
    expect(list.status).toBe(200);
    expect((list.body.inspections as Array<{ id: string }>).some((i) => i.id === c.id)).toBe(canRead(who));
  });

  test('the savings CSV of an auditor holds only assigned inspections', async () => {
    const c = await newCase();
    const concluded = await fx.server.api('POST', `/api/inspections/${c.id}/conclusion`, {
      cookie: staff.lead.cookie,
      body: { outcome: 'passed' },
    });
    expect(concluded.status).toBe(200);
    const csv = async (who: Who) => String((await fx.server.api('GET', '/api/reports/savings.csv', { cookie: cookieOf(who) })).body);
    expect(await csv('assigned-auditor')).toContain(c.id);
    expect(await csv('other-auditor')).not.toContain(c.id);
    expect(await csv('other-surveyor')).toContain(c.id);
  });
});

describe('live session handshake', () => {
  // Auditors never take part live (their role lacks room.join); other surveyors are refused as
  // if the inspection did not exist.
  const EXPECTED: Record<Who, string> = {
    admin: 'CONNECTED',
    lead: 'CONNECTED',
    'co-surveyor': 'CONNECTED',
    'other-surveyor': 'NOT_FOUND',
    'assigned-auditor': 'FORBIDDEN',
    'other-auditor': 'FORBIDDEN',
  };
  test.each(RELATIONS)('%s', async (who) => {
    const c = await newCase();
    expect(await connectError(fx.server.url, { inspectionId: c.id }, cookieOf(who))).toBe(EXPECTED[who]);
  });

  test("a crew link opens only its own inspection's session", async () => {
    const a = await newCase();
    const b = await newCase();
    const crew = await fx.joinAsCrew(a.token);
    expect(crew.join.role).toBe('crew');
    // The token names inspection a; a handshake cannot point it at b.
    expect(await connectError(fx.server.url, { crewToken: a.token, inspectionId: b.id })).not.toBe('CONNECTED');
  });
});
