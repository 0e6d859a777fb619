// The inspection record over the real server: checklist from templates, HD evidence requested over
// signaling and uploaded by the crew, conclusion, crew acknowledgement (then read-only), savings.
import crypto from 'node:crypto';
import { estimateSavings } from '@cloudship/shared';
import type { TestServer } from '../helpers/test-server';
import { ok, type SignalingClient } from '../helpers/signaling-client';
import { connectTransports, useFixture } from '../helpers/fixtures';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';

const fx = useFixture();
let server: TestServer;
let adminCookie: string;
let surveyorCookie: string;
let auditorCookie: string;
let auditorId: string;

beforeAll(async () => {
  server = fx.server;
  adminCookie = await fx.adminCookie();
  surveyorCookie = (await fx.account('surveyor', 'surveyor1')).cookie;
  const auditor = await fx.account('auditor', 'auditor1');
  auditorCookie = auditor.cookie;
  auditorId = auditor.id;
});

/** Joins with a connected receive transport. */
async function joinRoom(auth: Record<string, unknown>, name: string, cookie?: string): Promise<SignalingClient> {
  const { c } = await fx.join(auth, name, cookie);
  await connectTransports(c, 'recv');
  return c;
}

async function record(id: string, cookie = surveyorCookie) {
  const r = await server.api('GET', `/api/inspections/${id}/record`, { cookie });
  expect(r.status).toBe(200);
  return r.body.record;
}

describe('checklist', () => {
  test('a new inspection gets the checklist of its kind in Chinese and English, covering every section', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const rec = await record(inspection.id);
    expect(rec.checklist.length).toBeGreaterThanOrEqual(20);
    const sections = new Set(rec.checklist.map((i: any) => i.sectionEn));
    for (const s of [
      'Hull and markings',
      'Load line',
      'Lifesaving appliances',
      'Fire-fighting equipment',
      'Engine room',
      'Steering gear',
      'Navigation lights and signals',
      'Anchoring',
      'Pollution-prevention equipment',
      'Certificates and documents',
    ])
      expect(sections).toContain(s);
    expect(rec.checklist[0]).toMatchObject({ result: null, note: '', titleZh: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect(rec.conclusion).toBeNull();
    expect(rec.readOnly).toBe(false);
  });

  test('the surveyor marks items pass / deficiency / not applicable with notes and a deadline', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const [a, b, c] = (await record(inspection.id)).checklist;
    const patch = (itemId: string, body: unknown) =>
      server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${itemId}`, { cookie: surveyorCookie, body });
    expect((await patch(a.id, { result: 'pass', note: '外板良好' })).body.item).toMatchObject({ result: 'pass', note: '外板良好' });
    expect((await patch(b.id, { result: 'deficiency', note: 'marks faded', deficiencyDeadline: '2026-09-30' })).body.item).toMatchObject({
      result: 'deficiency',
      deficiencyDeadline: '2026-09-30',
    });
    expect((await patch(c.id, { result: 'not-applicable' })).status).toBe(200);
    expect((await patch(c.id, { result: 'excellent' })).status).toBe(400);
    expect((await patch(c.id, { deficiencyDeadline: '30/09/2026' })).status).toBe(400);
    expect((await patch('no-such-item', { result: 'pass' })).status).toBe(404);
    expect(
      (
        await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${a.id}`, {
          cookie: auditorCookie,
          body: { result: 'deficiency' },
        })
      ).status,
    ).toBe(403);
  });

  test("admins edit a kind's template; later inspections of that kind use it; surveyors may not edit templates", async () => {
    const items = [{ code: 'hull-only', sectionZh: '船体', sectionEn: 'Hull', titleZh: '船体检查', titleEn: 'Hull check' }];
    expect((await server.api('PUT', '/api/checklist-templates/occasional', { cookie: surveyorCookie, body: { items } })).status).toBe(403);
    expect((await server.api('PUT', '/api/checklist-templates/occasional', { cookie: adminCookie, body: { items: [] } })).status).toBe(400);
    const put = await server.api('PUT', '/api/checklist-templates/occasional', { cookie: adminCookie, body: { items } });
    expect(put.status).toBe(200);
    expect(put.body.template.version).toBe(2);
    const inspection = await server.createInspection(surveyorCookie, { kind: 'occasional' });
    expect((await record(inspection.id)).checklist.map((i: any) => i.code)).toEqual(['hull-only']);
    const templates = (await server.api('GET', '/api/checklist-templates', { cookie: auditorCookie })).body.templates;
    expect(templates.map((t: any) => t.kind).sort()).toEqual(['initial', 'intermediate', 'new-build', 'occasional', 'periodic']);
  });
});

describe('evidence', () => {
  test('capture: the surveyor asks over signaling, the phone uploads, the surveyor is told, attached to the item, with hash and position', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const item = (await record(inspection.id)).checklist[3];
    const surveyor = await joinRoom({ inspectionId: inspection.id }, 'Surveyor', surveyorCookie);
    const crew = await joinRoom({ crewToken: token }, 'Crew');

    // Only surveyors may ask for a capture.
    const refused = await crew.request('evidence.capture', { checklistItemId: item.id });
    expect(refused.ok ? 'OK' : refused.error.code).toBe('FORBIDDEN');

    const asked = ok(await surveyor.request('evidence.capture', { checklistItemId: item.id }));
    expect(asked.crewCount).toBe(1);
    const request = await crew.next('evidence.captureRequested');
    expect(request).toEqual({ requestId: asked.requestId, checklistItemId: item.id });

    const up = await crewUpload(server, token, TINY_JPEG, {
      query: { requestId: request.requestId, lat: '35.4058', lon: '116.5873', accuracy: '12' },
    });
    expect(up.status).toBe(201);
    const sha = crypto.createHash('sha256').update(TINY_JPEG).digest('hex');
    expect(up.body.evidence).toMatchObject({
      type: 'photo',
      sha256: sha,
      checklistItemId: item.id,
      lat: 35.4058,
      lon: 116.5873,
      accuracy: 12,
      sizeBytes: TINY_JPEG.length,
    });

    const added = await surveyor.next('evidence.added');
    expect(added).toMatchObject({ id: up.body.evidence.id, checklistItemId: item.id, sha256: sha });

    // Stored bytes are the uploaded bytes; the file is for staff only, among them an auditor
    // once assigned to this inspection (access by ownership).
    const assign = await server.api('POST', `/api/inspections/${inspection.id}/auditors`, {
      cookie: surveyorCookie,
      body: { accountId: auditorId },
    });
    expect(assign.status).toBe(204);
    const file = await fetch(`${server.url}${added.url}`, { headers: { cookie: auditorCookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await file.arrayBuffer()).equals(TINY_JPEG)).toBe(true);
    expect((await fetch(`${server.url}${added.url}`)).status).toBe(401);
    expect((await record(inspection.id)).evidence.map((e: any) => e.sha256)).toEqual([sha]);
  });

  test('capture with no crew phone connected is refused with INVALID_STATE', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const surveyor = await joinRoom({ inspectionId: inspection.id }, 'Surveyor', surveyorCookie);
    const ack = await surveyor.request('evidence.capture', { checklistItemId: null });
    expect(ack.ok ? 'OK' : ack.error.code).toBe('INVALID_STATE');
  });

  test('an image over 15 MB is refused with 413 and a clear message; nothing is stored', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const big = Buffer.concat([TINY_JPEG, Buffer.alloc(15 * 1024 * 1024)]);
    const up = await crewUpload(server, token, big);
    expect(up.status).toBe(413);
    expect(up.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('15 MB') });
    expect((await record(inspection.id)).evidence).toEqual([]);
  });

  test('non-image content is refused with 415, whatever the Content-Type says', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const lying = await crewUpload(server, token, Buffer.from('<html>not a picture</html>'), { contentType: 'image/jpeg' });
    expect(lying.status).toBe(415);
    expect(lying.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const pdf = await crewUpload(server, token, Buffer.from('%PDF-1.7 ...'), { contentType: 'application/pdf' });
    expect(pdf.status).toBe(415);
    const empty = await crewUpload(server, token, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect((await record(inspection.id)).evidence).toEqual([]);
  });

  test('uploads need a valid crew link; staff cannot upload as crew', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    expect((await crewUpload(server, 'forged.token', TINY_JPEG)).status).toBe(401);
    const res = await fetch(`${server.url}/api/crew/evidence`, {
      method: 'POST',
      headers: { cookie: surveyorCookie, 'content-type': 'image/jpeg' },
      body: new Uint8Array(TINY_JPEG),
    });
    expect(res.status).toBe(401);
    expect((await record(inspection.id)).evidence).toEqual([]);
  });

  test('the surveyor bookmarks a moment with a note; capturing and uploading after the session ended are refused', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const item = (await record(inspection.id)).checklist[0];
    const b = await server.api('POST', `/api/inspections/${inspection.id}/evidence/bookmarks`, {
      cookie: surveyorCookie,
      body: { note: '锚链磨损 chain wear', checklistItemId: item.id },
    });
    expect(b.status).toBe(201);
    expect(b.body.evidence).toMatchObject({
      type: 'bookmark',
      note: '锚链磨损 chain wear',
      checklistItemId: item.id,
      authorRole: 'surveyor',
    });

    const surveyor = await joinRoom({ inspectionId: inspection.id }, 'Surveyor', surveyorCookie);
    await joinRoom({ crewToken: token }, 'Crew');
    ok(await surveyor.request('inspection.end', {}));
    const ack = await surveyor.request('evidence.capture', { checklistItemId: null });
    expect(ack.ok ? 'OK' : ack.error.code).toBe('INSPECTION_ENDED');
    const late = await crewUpload(server, token, TINY_JPEG);
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('INSPECTION_ENDED');
  });
});

describe('conclusion and acknowledgement', () => {
  test('conclusion rules: deficiencies need "passed with deficiencies" and a deadline each', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const [a] = (await record(inspection.id)).checklist;
    const conclude = (body: unknown) =>
      server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie: surveyorCookie, body });
    expect((await conclude({ outcome: 'passed-with-deficiencies' })).status).toBe(400);
    await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${a.id}`, {
      cookie: surveyorCookie,
      body: { result: 'deficiency', note: 'lifebuoy light missing' },
    });
    const passed = await conclude({ outcome: 'passed' });
    expect(passed.status).toBe(400);
    expect(passed.body.error.message).toContain('deficien');
    const undated = await conclude({ outcome: 'passed-with-deficiencies' });
    expect(undated.status).toBe(400);
    expect(undated.body.error.message).toContain(a.titleEn);
    expect(undated.body.error.message).not.toContain(a.code);
    expect((await conclude({ outcome: 'great' })).status).toBe(400);
    await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${a.id}`, {
      cookie: surveyorCookie,
      body: { deficiencyDeadline: '2026-10-31' },
    });
    const done = await conclude({ outcome: 'passed-with-deficiencies', remarks: 'rectify within the deadline' });
    expect(done.status).toBe(200);
    expect(done.body.conclusion).toMatchObject({ outcome: 'passed-with-deficiencies', acknowledgedAt: null });
    expect((await conclude({ outcome: 'failed' })).status).toBe(200); // re-concluding before acknowledgement is allowed
  });

  test('the crew acknowledges by name: time recorded, inspection ended, record read-only; a second acknowledgement is refused', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const crewHeaders = { authorization: `Crew ${token}` };
    const [item] = (await record(inspection.id)).checklist;
    // Nothing to acknowledge before the conclusion.
    expect((await server.api('POST', '/api/crew/acknowledgement', { headers: crewHeaders, body: { name: '李船长' } })).status).toBe(409);

    const crew = await joinRoom({ crewToken: token }, 'Crew');
    await server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie: surveyorCookie, body: { outcome: 'passed' } });
    expect(await crew.next('inspection.concluded')).toMatchObject({ outcome: 'passed' });
    const seen = await server.api('GET', '/api/crew/conclusion', { headers: crewHeaders });
    expect(seen.body.conclusion).toMatchObject({ outcome: 'passed', acknowledgedAt: null });

    expect((await server.api('POST', '/api/crew/acknowledgement', { headers: crewHeaders, body: { name: '' } })).status).toBe(400);
    const before = Date.now();
    const ack = await server.api('POST', '/api/crew/acknowledgement', { headers: crewHeaders, body: { name: '李船长' } });
    expect(ack.status).toBe(200);
    expect(ack.body.conclusion.acknowledgedName).toBe('李船长');
    expect(Date.parse(ack.body.conclusion.acknowledgedAt)).toBeGreaterThanOrEqual(before - 1000);
    await crew.next('inspection.ended');

    const again = await server.api('POST', '/api/crew/acknowledgement', { headers: crewHeaders, body: { name: '李船长' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Already acknowledged') });

    const rec = await record(inspection.id);
    expect(rec.readOnly).toBe(true);
    expect(rec.inspection.status).toBe('ended');
    const locked = [
      await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${item.id}`, {
        cookie: surveyorCookie,
        body: { result: 'deficiency' },
      }),
      await server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie: surveyorCookie, body: { outcome: 'failed' } }),
      await server.api('POST', `/api/inspections/${inspection.id}/evidence/bookmarks`, { cookie: surveyorCookie, body: { note: 'late' } }),
    ];
    for (const r of locked) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('RECORD_LOCKED');
    }
  });
});

describe('savings estimate', () => {
  test('stored at conclusion (calibrated average without inputs), corrected later with a logged before/after', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    await server.api('POST', `/api/inspections/${inspection.id}/conclusion`, { cookie: surveyorCookie, body: { outcome: 'passed' } });
    let rec = await record(inspection.id);
    expect(rec.savings).toMatchObject({
      basis: 'calibrated-average',
      co2SavedT: 10.46,
      costSavedCny: 19_850,
      modelVersion: expect.any(String),
    });

    const inputs = { meKw: 480, vesselDetourKm: 394, vesselWaitH: 24 };
    const put = await server.api('PUT', `/api/inspections/${inspection.id}/savings`, { cookie: surveyorCookie, body: { inputs } });
    expect(put.status).toBe(200);
    rec = put.body.record;
    const expected = estimateSavings(inputs);
    expect(rec.savings.co2SavedT).toBeCloseTo(expected.co2SavedT, 9);
    expect(rec.savings.co2SavedT).toBeCloseTo(10.4614, 3);
    expect(rec.savings.costSavedCny).toBeCloseTo(19_839, 0);
    expect(rec.savings).toMatchObject({
      profile: 'published-calibrated',
      basis: 'computed',
      overridden: ['meKw', 'vesselDetourKm', 'vesselWaitH'],
    });
    expect(rec.savingsLog).toHaveLength(1);
    expect(rec.savingsLog[0]).toMatchObject({ changedBy: expect.any(String), before: { co2SavedT: 10.46, inputs: {} }, after: { inputs } });
  });

  test('absurd or negative inputs are refused with 400 and field-level messages; nothing changes', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const r = await server.api('PUT', `/api/inspections/${inspection.id}/savings`, {
      cookie: surveyorCookie,
      body: { inputs: { vesselDetourKm: 6000, meKw: -5, colour: 'blue' } },
    });
    expect(r.status).toBe(400);
    const fields = r.body.error.fields.map((f: any) => f.field).sort();
    expect(fields).toEqual(['colour', 'meKw', 'vesselDetourKm']);
    expect(r.body.error.fields.find((f: any) => f.field === 'vesselDetourKm').message).toContain('5000');
    expect(
      (
        await server.api('PUT', `/api/inspections/${inspection.id}/savings`, {
          cookie: surveyorCookie,
          body: { inputs: {}, profile: 'generous' },
        })
      ).status,
    ).toBe(400);
    const rec = await record(inspection.id);
    expect(rec.savingsInputs).toEqual({});
    expect(rec.savingsLog).toEqual([]);
  });
});
