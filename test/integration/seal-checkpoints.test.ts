// When the log's head is signed: every SEAL_CHECKPOINT_MINUTES for a log that grew (here 0.6 s),
// finally when the inspection ends, and final again for what an ended inspection still logs (a
// savings correction). Each checkpoint covers the whole log as it stood, by the server's key.
import type { SealCheckpoint, SealEntry } from '@cloudship/shared';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { until } from '../helpers/recording';

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer({ SEAL_CHECKPOINT_MINUTES: '0.01' });
  cookie = await server.signIn(ADMIN.username, ADMIN.password);
});
afterAll(() => server?.stop());

async function seal(id: string): Promise<{ entries: SealEntry[]; checkpoints: SealCheckpoint[] }> {
  const r = await server.api('GET', `/api/inspections/${id}/seal`, { cookie });
  expect(r.status).toBe(200);
  return r.body;
}

/** Waits for a checkpoint that covers every entry of the log. */
const covered = (id: string) =>
  until(async () => {
    const s = await seal(id);
    const last = s.checkpoints.at(-1);
    return last && last.count === s.entries.length ? { ...s, last } : null;
  }, 'a checkpoint over the whole log');

test('a growing log is signed periodically, then finally at the end, and final stays final', async () => {
  const inspection = await server.createInspection(cookie);
  const first = await covered(inspection.id);
  expect(first.last).toMatchObject({ count: 1, final: false, keyId: server.seal.key.keyId });
  expect(first.entries[0]!.type).toBe('inspection.created');

  const item = (await server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie })).body.record.checklist[0];
  await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${item.id}`, { cookie, body: { result: 'pass' } });
  const second = await covered(inspection.id);
  expect(second.last).toMatchObject({ count: 2, final: false, head: second.entries[1]!.hash });

  expect((await server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie, body: { outcome: 'passed' } })).status).toBe(
    200,
  );
  expect((await server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie, body: {} })).status).toBe(200);
  const ended = await until(async () => {
    const s = await seal(inspection.id);
    return s.checkpoints.some((c) => c.final) ? s : null;
  }, 'the final checkpoint');
  expect(ended.entries.at(-1)!.type).toBe('inspection.ended');
  expect(ended.checkpoints.find((c) => c.final)).toMatchObject({ count: ended.entries.length });

  const inputs = { meKw: 480, vesselDetourKm: 394, vesselWaitH: 24 };
  expect((await server.api('PUT', `/api/inspections/${inspection.id}/savings`, { cookie, body: { inputs } })).status).toBe(200);
  const corrected = await covered(inspection.id);
  expect(corrected.entries.at(-1)).toMatchObject({ type: 'savings.correction', body: { after: { inputs } } });
  expect(corrected.last.final).toBe(true);
  // Nothing is signed twice for the same head.
  const counts = corrected.checkpoints.map((c) => `${c.count}:${c.final}`);
  expect(new Set(counts).size).toBe(counts.length);
});

test('an inspection nobody may read shows no log; an unknown one is 404', async () => {
  expect((await server.api('GET', '/api/inspections/no-such-inspection/seal', { cookie })).status).toBe(404);
  expect((await server.api('GET', '/api/inspections/no-such-inspection/package', { cookie })).status).toBe(404);
  const anon = await fetch(`${server.url}/api/inspections/no-such-inspection/seal`);
  expect(anon.status).toBe(401);
});
