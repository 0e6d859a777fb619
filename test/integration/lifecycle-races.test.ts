// State changes that race: concurrent calls give one success and clean refusals, never INTERNAL,
// and nothing that was decided is written back (an acknowledgement is never undone by a conclusion).
import { useFixture } from '../helpers/fixtures';
import { sql } from '../helpers/sql';

const fx = useFixture();
let cookie: string;

beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'race-surveyor')).cookie;
});

const statuses = (rs: Array<{ status: number }>) => rs.map((r) => r.status).sort();

test('five concurrent ends of one inspection: one 200, four 410 INSPECTION_ENDED', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const rs = await Promise.all(Array.from({ length: 5 }, () => fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie })));
  expect(statuses(rs)).toEqual([200, 410, 410, 410, 410]);
  for (const r of rs.filter((x) => x.status !== 200)) expect(r.body.error.code).toBe('INSPECTION_ENDED');
});

test('five concurrent acknowledgements: one 200, the others 409 CONFLICT', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  expect(
    (await fx.server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie, body: { outcome: 'passed' } })).status,
  ).toBe(200);
  const headers = { authorization: `Crew ${token}` };
  const rs = await Promise.all(
    ['甲', '乙', '丙', '丁', '戊'].map((name) => fx.server.api('POST', '/api/crew/acknowledgement', { headers, body: { name } })),
  );
  expect(statuses(rs)).toEqual([200, 409, 409, 409, 409]);
});

test('conclusions racing an acknowledgement never undo it', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const conclude = () => fx.server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie, body: { outcome: 'passed' } });
  expect((await conclude()).status).toBe(200);
  const ack = fx.server.api('POST', '/api/crew/acknowledgement', { headers: { authorization: `Crew ${token}` }, body: { name: '李船长' } });
  const rs = await Promise.all([conclude(), conclude(), ack, conclude(), conclude()]);
  expect((await ack).status).toBe(200);
  // Each conclusion either got in before the acknowledgement or is refused as read-only.
  for (const r of rs) expect([200, 409]).toContain(r.status);
  const record = (await fx.server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie })).body.record;
  expect(record.conclusion.acknowledgedName).toBe('李船长');
  expect(record.readOnly).toBe(true);
});

test("a socket still connected after the end cannot open the ended inspection's room again", async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  const ended = fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie });
  await surveyor.c.next('inspection.ended');
  expect((await ended).status).toBe(200);
  // The surveyor's socket stays (it asked for the end); every way back into a room is refused.
  for (const name of ['room.getCapabilities', 'room.join'] as const) {
    const ack = await surveyor.c.request(name, name === 'room.join' ? { displayName: 'again', rtpCapabilities: {} } : {});
    expect(ack.ok ? 'OK' : ack.error.code).toBe('INSPECTION_ENDED');
  }
  expect(fx.server.rooms.get(inspection.id)).toBeUndefined();
});

test('ten concurrent recording switches from the live console never answer INTERNAL and leave one consistent state', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  const acks = await Promise.all(
    Array.from({ length: 10 }, (_, i) => surveyor.c.request(i % 2 ? 'recording.stop' : 'recording.start', {})),
  );
  for (const ack of acks) expect(ack.ok ? 'OK' : ack.error.code).toBe('OK');
  // The last one queued was a stop: off, and at most one recording row is still live (none).
  const live = await sql<Array<{ n: number }>>(
    fx.server.db,
    `SELECT COUNT(*) AS n FROM "recording" WHERE "inspectionId" = ? AND "state" = 'live'`,
    [inspection.id],
  );
  expect(Number(live[0]!.n)).toBe(0);
  const state = await surveyor.c.request('recording.start', {});
  expect(state.ok && state.data.recording).toBe(true);
});
