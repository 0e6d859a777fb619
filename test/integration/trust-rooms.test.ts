// An ended inspection's room cannot be opened again, not even by a request that was already on its
// way when the inspection ended; a room nobody is in closes after the reconnect grace, and its
// recording stops with it.
import { startFixture, useFixture, type Fixture } from '../helpers/fixtures';
import { codeOf } from '../helpers/signaling-client';
import { sql } from '../helpers/sql';

const fx = useFixture();
let cookie: string;

beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'rooms-surveyor')).cookie;
});

test('after the end, room.getCapabilities and room.join of a still-connected socket are refused with INSPECTION_ENDED', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const staff = await fx.connect({ inspectionId: inspection.id }, cookie);
  expect((await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie })).status).toBe(200);
  expect(codeOf(await staff.request('room.getCapabilities', {}))).toBe('INSPECTION_ENDED');
  expect(codeOf(await staff.request('room.join', { displayName: 'again', rtpCapabilities: {} }))).toBe('INSPECTION_ENDED');
  expect(fx.server.rooms.get(inspection.id)).toBeUndefined();
});

test('a room being created while the inspection ends is closed, never left open', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const staff = await fx.connect({ inspectionId: inspection.id }, cookie);
  // Hold the router's creation until the end has been answered: the room is created after the
  // inspection ended, exactly the interleaving of a request already on its way.
  const worker = fx.server.pool.list()[0]!;
  const createRouter = worker.createRouter.bind(worker);
  let release!: () => void;
  const ended = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const routerAsked = new Promise<void>((resolve) => (asked = resolve));
  worker.createRouter = (async (options: Parameters<typeof createRouter>[0]) => {
    asked();
    await ended;
    return createRouter(options);
  }) as typeof worker.createRouter;
  try {
    const caps = staff.request('room.getCapabilities', {});
    await routerAsked;
    expect((await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie })).status).toBe(200);
    release();
    expect(codeOf(await caps)).toBe('INSPECTION_ENDED');
  } finally {
    worker.createRouter = createRouter;
    release();
  }
  const room = fx.server.rooms.get(inspection.id);
  expect(room === undefined || room.closed).toBe(true);
});

describe('with a one-second reconnect grace', () => {
  let short: Fixture;
  let surveyorCookie: string;
  beforeAll(async () => {
    short = await startFixture({ RECONNECT_GRACE_SECONDS: '1' });
    surveyorCookie = (await short.account('surveyor', 'rooms-short')).cookie;
  });
  afterAll(() => short.stop());

  test('a room everyone left closes with reason empty, and its recording stops', async () => {
    const { inspection } = await short.inspectionWithLink(surveyorCookie);
    const surveyor = await short.joinAsStaff(inspection.id, surveyorCookie);
    const state = await surveyor.c.next('recording.state', (s) => s.recording);
    const room = short.server.rooms.get(inspection.id)!;
    const closedWith = new Promise<string>((resolve) => room.on('close', (reason) => resolve(reason)));
    surveyor.c.close();
    expect(await closedWith).toBe('empty');
    expect(short.server.rooms.get(inspection.id)).toBeUndefined();
    // The recording ends right after the room, once its last segments are registered (here: none,
    // nothing was produced): wait on the row, a bounded number of reads, not on a clock.
    const row = async () =>
      (
        await sql<Array<{ state: string; endReason: string }>>(
          short.server.db,
          `SELECT "state", "endReason" FROM "recording" WHERE "id" = ?`,
          [state.recordingId],
        )
      )[0];
    let current = await row();
    for (let reads = 0; current?.state !== 'stopped' && reads < 500; reads++) current = await row();
    expect(current).toEqual({ state: 'stopped', endReason: 'empty' });
  });
});
