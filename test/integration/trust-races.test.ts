// Concurrent lifecycle calls: one success and clean refusals, never INTERNAL, and nothing left
// half-done (no live recording of an ended inspection).
import { useFixture } from '../helpers/fixtures';
import { codeOf } from '../helpers/signaling-client';
import { sql } from '../helpers/sql';

const fx = useFixture();
let lead: { id: string; cookie: string };
let coSurveyor: { id: string; cookie: string };

beforeAll(async () => {
  lead = await fx.account('surveyor', 'races-lead');
  coSurveyor = await fx.account('surveyor', 'races-co');
});

async function inspectionWithTwoSurveyors() {
  const { inspection, token } = await fx.inspectionWithLink(lead.cookie);
  const invited = await fx.server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, {
    cookie: lead.cookie,
    body: { accountId: coSurveyor.id },
  });
  expect(invited.status).toBe(201);
  return { inspection, token };
}

async function liveRecordings(inspectionId: string): Promise<number> {
  const rows = await sql<Array<{ n: number }>>(
    fx.server.db,
    `SELECT COUNT(*) AS n FROM "recording" WHERE "inspectionId" = ? AND "state" = 'live'`,
    [inspectionId],
  );
  return Number(rows[0]!.n);
}

test('five concurrent ends, over REST and over both surveyors’ sockets: one success, the others INSPECTION_ENDED or CONFLICT', async () => {
  const { inspection } = await inspectionWithTwoSurveyors();
  const a = await fx.joinAsStaff(inspection.id, lead.cookie, 'Lead');
  const b = await fx.joinAsStaff(inspection.id, coSurveyor.cookie, 'Co');
  const rest = () => fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: lead.cookie });
  const [r1, s1, r2, s2, r3] = await Promise.all([
    rest(),
    a.c.request('inspection.end', {}),
    rest(),
    b.c.request('inspection.end', {}),
    rest(),
  ]);
  const codes = [...[r1, r2, r3].map((r) => (r.status === 200 ? 'OK' : r.body.error.code)), ...[s1, s2].map((s) => codeOf(s))];
  expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
  for (const c of codes) expect(['OK', 'INSPECTION_ENDED', 'CONFLICT']).toContain(c);
  const detail = await fx.server.api('GET', `/api/inspections/${inspection.id}`, { cookie: lead.cookie });
  expect(detail.body.inspection.status).toBe('ended');
  expect(await liveRecordings(inspection.id)).toBe(0);
});

test('recording switches from two surveyors racing each other and the end never answer INTERNAL, and leave no live recording', async () => {
  const { inspection } = await inspectionWithTwoSurveyors();
  const a = await fx.joinAsStaff(inspection.id, lead.cookie, 'Lead');
  const b = await fx.joinAsStaff(inspection.id, coSurveyor.cookie, 'Co');
  const switches = Array.from({ length: 5 }, (_, i) => (i % 2 ? a : b).c.request(i % 2 ? 'recording.stop' : 'recording.start', {}));
  const end = fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: lead.cookie });
  const late = Array.from({ length: 5 }, (_, i) => (i % 2 ? b : a).c.request(i % 2 ? 'recording.stop' : 'recording.start', {}));
  const codes = (await Promise.all([...switches, ...late])).map(codeOf);
  for (const c of codes) expect(['OK', 'INSPECTION_ENDED']).toContain(c);
  expect((await end).status).toBe(200);
  // A start still writing when the room closed finishes first; the room's close then ends its
  // recording (one queue per inspection, as in the test below): a bounded number of reads.
  let live = await liveRecordings(inspection.id);
  for (let reads = 0; live > 0 && reads < 500; reads++) live = await liveRecordings(inspection.id);
  expect(live).toBe(0);
});

test('five concurrent recording switches on a live room: never INTERNAL, one consistent state after', async () => {
  const { inspection } = await inspectionWithTwoSurveyors();
  const a = await fx.joinAsStaff(inspection.id, lead.cookie, 'Lead');
  const b = await fx.joinAsStaff(inspection.id, coSurveyor.cookie, 'Co');
  const acks = await Promise.all([
    a.c.request('recording.start', {}),
    b.c.request('recording.stop', {}),
    a.c.request('recording.stop', {}),
    b.c.request('recording.start', {}),
    a.c.request('recording.start', {}),
  ]);
  for (const ack of acks) expect(codeOf(ack)).toBe('OK');
  // Queued in order: the last one was a start, so one recording is live.
  expect(await liveRecordings(inspection.id)).toBe(1);
});

test('a recording start still opening its recording when the room closes is ended with the room, not left live', async () => {
  const { inspection } = await inspectionWithTwoSurveyors();
  const a = await fx.joinAsStaff(inspection.id, lead.cookie, 'Lead');
  expect(codeOf(await a.c.request('recording.stop', {}))).toBe('OK');
  // Hold the start inside its database write (taking the switched-off recording up again) until
  // the room has closed: the interleaving of a switch racing the end, made certain.
  const catalog = fx.server.recording.service.catalog;
  const continueRecording = catalog.continueRecording.bind(catalog);
  let opening!: () => void;
  const isOpening = new Promise<void>((resolve) => (opening = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  catalog.continueRecording = async (...args: Parameters<typeof continueRecording>) => {
    opening();
    await released;
    return continueRecording(...args);
  };
  try {
    const start = a.c.request('recording.start', {});
    await isOpening;
    expect((await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: lead.cookie })).status).toBe(200);
    release();
    expect(['OK', 'INSPECTION_ENDED']).toContain(codeOf(await start));
  } finally {
    catalog.continueRecording = continueRecording;
    release();
  }
  // The room's close ends the recording right after the start (one queue per inspection): a
  // bounded number of reads, not a clock.
  let live = await liveRecordings(inspection.id);
  for (let reads = 0; live > 0 && reads < 500; reads++) live = await liveRecordings(inspection.id);
  expect(live).toBe(0);
});
