// The auditor's review over the real server: a short real recording (synthetic VP8/Opus through
// PlainTransport producers, real recorders), during which the surveyor gives a checklist verdict
// and bookmarks a moment, the crew shares its position and writes in the chat, and the crew's
// phone rejoins with the consent it gave. Then: the timeline's lanes and consents, the review
// routes (comments pinned to a moment, the review status), their refusals and bad input.
import { RecordingConsentEntity } from '../../server/src/recording/entities';
import { ok } from '../helpers/signaling-client';
import { useFixture, type Staff } from '../helpers/fixtures';
import { publishPlain, syntheticClip, until } from '../helpers/recording';

jest.setTimeout(180_000);

const fx = useFixture({ env: { RECORDING_SEGMENT_SECONDS: '2' } });

let lead: Staff;
let auditor: Staff;
let outsider: Staff;
let inspectionId: string;
let recordingId: string;
let lengthMs: number;
let otherRecordingId: string;

const review = (cookie: string) => fx.server.api('GET', `/api/inspections/${inspectionId}/review`, { cookie });
const comment = (cookie: string, body: unknown) =>
  fx.server.api('POST', `/api/inspections/${inspectionId}/review/comments`, { cookie, body });
const status = (cookie: string, body: unknown) => fx.server.api('POST', `/api/inspections/${inspectionId}/review/status`, { cookie, body });

/** A recording of `seconds` of crew media on a new inspection of `cookie`'s; the crew joins with `consentedAt`. */
async function record(cookie: string, seconds: number, during: (ctx: Awaited<ReturnType<typeof setUp>>) => Promise<void>) {
  const ctx = await setUp(cookie);
  const room = fx.server.rooms.get(ctx.inspection.id)!;
  const pub = await publishPlain(room, room.peers.get(ctx.crew.participantId)!);
  const catalog = fx.server.recording.catalog;
  await until(async () => (await catalog.tracks.countBy({ recordingId: ctx.recordingId, state: 'recording' })) === 2, 'two recorders');
  const sent = pub.send(syntheticClip(30), seconds);
  await during(ctx);
  expect(await sent.done).toBe(0);
  ok(await ctx.staff.c.request('recording.stop', {}));
  pub.close();
  await until(async () => (await catalog.recordings.findOneBy({ id: ctx.recordingId }))?.state === 'stopped', 'the recording stopped');
  await until(async () => (await catalog.tracks.countBy({ recordingId: ctx.recordingId, state: 'recording' })) === 0, 'recorders closed');
  return ctx;
}

async function setUp(cookie: string) {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const staff = await fx.joinAsStaff(inspection.id, cookie, 'Surveyor Wang');
  const consentedAt = new Date(Date.now() - 5_000).toISOString();
  // The phone joins, drops and joins twice more, presenting the one consent it gave each time.
  let crew = await fx.joinAsCrew(token, '船员 Li', { consentedAt });
  const recordingId = (await staff.c.next('recording.state', (s) => s.recording)).recordingId!;
  for (let i = 0; i < 2; i++) {
    crew.c.close();
    crew = await fx.joinAsCrew(token, '船员 Li', { consentedAt });
  }
  return { inspection, token, staff, crew, recordingId, consentedAt };
}

beforeAll(async () => {
  syntheticClip(30);
  lead = await fx.account('surveyor', 'rv-lead');
  auditor = await fx.account('auditor', 'rv-auditor');
  outsider = await fx.account('auditor', 'rv-outsider');
  const ctx = await record(lead.cookie, 6, async ({ inspection, crew }) => {
    const rec = await fx.server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: lead.cookie });
    const item = rec.body.record.checklist[0];
    expect(
      (
        await fx.server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${item.id}`, {
          cookie: lead.cookie,
          body: { result: 'pass' },
        })
      ).status,
    ).toBe(200);
    const mark = await fx.server.api('POST', `/api/inspections/${inspection.id}/evidence/bookmarks`, {
      cookie: lead.cookie,
      body: { note: '左舷锚链 port anchor chain' },
    });
    expect(mark.status).toBe(201);
    ok(await crew.c.request('position.report', { lat: 35.4, lon: 116.6, accuracy: 9, timestamp: Date.now() }));
    ok(await crew.c.request('chat.send', { text: '锚链已放出 chain is out' }));
  });
  inspectionId = ctx.inspection.id;
  recordingId = ctx.recordingId;
  // The network failed on the crew's camera for a second (as the recorder stores it).
  const camera = (await fx.server.recording.catalog.tracks.findBy({ recordingId, kind: 'video' }))[0]!;
  const segments = await fx.server.recording.catalog.segments.findBy({ recordingId });
  const start = Math.min(...segments.map((s) => s.startedAt.getTime()));
  lengthMs = Math.max(...segments.map((s) => s.endedAt.getTime())) - start;
  await fx.server.recording.catalog.recordGap(camera, 'network', new Date(start + 1_000), new Date(start + 1_500));
  const assigned = await fx.server.api('POST', `/api/inspections/${inspectionId}/auditors`, {
    cookie: lead.cookie,
    body: { accountId: auditor.id },
  });
  expect(assigned.status).toBe(204);
  // Another inspection's recording (the same auditor is not assigned there).
  otherRecordingId = (await record(lead.cookie, 2, async () => undefined)).recordingId;
});

describe('the timeline', () => {
  test('shows each crew consent once, though the phone rejoined twice', async () => {
    const tl = await fx.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: auditor.cookie });
    expect(tl.status).toBe(200);
    // Stored once per join: three rows, one consent.
    expect(await fx.server.db.getRepository(RecordingConsentEntity).countBy({ inspectionId })).toBe(3);
    expect(tl.body.consents).toHaveLength(1);
    expect(tl.body.consents[0].displayName).toBe('船员 Li');
  });

  test('has lanes for evidence, checklist verdicts, chat, GPS fixes and the network, each at its moment', async () => {
    const tl = await fx.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: auditor.cookie });
    const marks: Array<{ lane: string; kind: string; at: string; who: string; text: string }> = tl.body.marks;
    const lane = (name: string) => marks.filter((m) => m.lane === name);
    expect(lane('evidence')).toEqual([expect.objectContaining({ kind: 'bookmark', who: 'rv-lead', text: '左舷锚链 port anchor chain' })]);
    expect(lane('checklist')).toEqual([expect.objectContaining({ kind: 'pass', who: 'rv-lead' })]);
    expect(lane('chat')).toEqual([expect.objectContaining({ kind: 'text', who: '船员 Li', text: '锚链已放出 chain is out' })]);
    expect(lane('position')).toEqual([expect.objectContaining({ kind: 'fix', who: '船员 Li', lat: 35.4, lon: 116.6, accuracy: 9 })]);
    expect(lane('network')).toEqual([expect.objectContaining({ kind: 'network', who: '船员 Li' })]);
    // Oldest first, and every one inside the recording's run.
    const times = marks.map((m) => Date.parse(m.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const rec = await fx.server.recording.catalog.recordings.findOneByOrFail({ id: recordingId });
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(rec.startedAt.getTime() - 1_000);
      expect(t).toBeLessThanOrEqual(rec.endedAt!.getTime() + 1_000);
    }
  });
});

describe('the review', () => {
  test('an assigned auditor pins a comment to a moment and marks the inspection reviewed; the lead sees both, with who and when', async () => {
    const before = Date.now();
    const c = await comment(auditor.cookie, { recordingId, atMs: 2_500, text: '  锚链标记不清 marks on the chain unclear  ' });
    expect(c.status).toBe(201);
    expect(c.body.entry).toMatchObject({
      kind: 'comment',
      recordingId,
      atMs: 2_500,
      text: '锚链标记不清 marks on the chain unclear',
      authorName: 'rv-auditor',
    });
    const s = await status(auditor.cookie, { status: 'reviewed' });
    expect(s.status).toBe(201);

    const seen = await review(lead.cookie);
    expect(seen.status).toBe(200);
    expect(seen.body.status).toMatchObject({ status: 'reviewed', by: 'rv-auditor' });
    expect(Date.parse(seen.body.status.at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(seen.body.entries.map((e: { kind: string; authorId: string }) => [e.kind, e.authorId])).toEqual([
      ['comment', auditor.id],
      ['status', auditor.id],
    ]);
    // The comment's wall-clock moment is the recording's start plus its offset.
    const tl = await fx.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: lead.cookie });
    expect(Date.parse(seen.body.entries[0].momentAt) - Date.parse(tl.body.startAt)).toBe(2_500);
    expect(tl.body.review).toEqual([seen.body.entries[0]]);
    expect(tl.body.marks.filter((m: { lane: string }) => m.lane === 'review')).toEqual([
      expect.objectContaining({ kind: 'comment', who: 'rv-auditor', at: seen.body.entries[0].momentAt }),
    ]);

    // A query raised later is the status from then on; the log keeps both.
    expect((await status(auditor.cookie, { status: 'query-raised', note: '请补充锚链照片' })).status).toBe(201);
    const later = await review(lead.cookie);
    expect(later.body.status.status).toBe('query-raised');
    expect(later.body.entries.map((e: { status: string | null }) => e.status)).toEqual([null, 'reviewed', 'query-raised']);
    expect(later.body.entries[2].text).toBe('请补充锚链照片');
  });

  test('the inspection page lists its recordings for the lead and the assigned auditor', async () => {
    for (const who of [lead, auditor]) {
      const r = await fx.server.api('GET', `/api/inspections/${inspectionId}/recordings`, { cookie: who.cookie });
      expect(r.status).toBe(200);
      expect(r.body.recordings).toEqual([expect.objectContaining({ id: recordingId, state: 'stopped' })]);
    }
  });

  test('an auditor not assigned to the inspection gets 404 on every route, and nothing is stored', async () => {
    const before = (await review(lead.cookie)).body.entries.length;
    const calls = [
      review(outsider.cookie),
      comment(outsider.cookie, { recordingId, atMs: 100, text: 'not mine' }),
      comment(outsider.cookie, { text: '' }), // bad input too: still 404, the id is not confirmed
      status(outsider.cookie, { status: 'reviewed' }),
      fx.server.api('GET', `/api/inspections/${inspectionId}/recordings`, { cookie: outsider.cookie }),
      fx.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: outsider.cookie }),
    ];
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect((await review(lead.cookie)).body.entries).toHaveLength(before);
  });

  test('the surveyors whose work it is may read the review but not write it (403)', async () => {
    expect((await comment(lead.cookie, { recordingId, atMs: 100, text: 'self-review' })).status).toBe(403);
    expect((await status(lead.cookie, { status: 'reviewed' })).status).toBe(403);
    expect((await review(lead.cookie)).status).toBe(200);
  });

  test('bad input gets 400 naming the field and changes nothing', async () => {
    const before = (await review(lead.cookie)).body;
    const cases: Array<[unknown, string, 'comment' | 'status']> = [
      [{ recordingId, atMs: 100, text: '' }, 'text', 'comment'],
      [{ recordingId, atMs: 100, text: '   ' }, 'text', 'comment'],
      [{ recordingId, atMs: 100, text: '长'.repeat(10_000) }, 'text', 'comment'],
      [{ recordingId, atMs: 100 }, 'text', 'comment'],
      [{ recordingId, atMs: lengthMs + 1_000, text: 'after the end' }, 'atMs', 'comment'],
      [{ recordingId, atMs: -1, text: 'before the start' }, 'atMs', 'comment'],
      [{ recordingId, atMs: 1.5, text: 'a fraction' }, 'atMs', 'comment'],
      [{ recordingId, atMs: '100', text: 'a string' }, 'atMs', 'comment'],
      [{ recordingId: otherRecordingId, atMs: 100, text: 'another inspection' }, 'recordingId', 'comment'],
      [{ recordingId: 'not-a-uuid', atMs: 100, text: 'x' }, 'recordingId', 'comment'],
      [{ recordingId, atMs: 100, text: 'x', extra: 1 }, 'extra', 'comment'],
      [{ status: 'approved' }, 'status', 'status'],
      [{}, 'status', 'status'],
      [{ status: 'reviewed', note: 'n'.repeat(10_000) }, 'note', 'status'],
    ];
    for (const [body, field, route] of cases) {
      const r = route === 'comment' ? await comment(auditor.cookie, body) : await status(auditor.cookie, body);
      expect([field, r.status, r.body.error.code]).toEqual([field, 400, 'BAD_REQUEST']);
      expect(r.body.error.message).toContain(field);
    }
    expect((await review(lead.cookie)).body).toEqual(before);
  });
});
