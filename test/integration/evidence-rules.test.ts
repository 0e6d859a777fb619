// Who may put a still into an inspection's evidence: only an answer to the surveyor's capture
// request (one still per request) or a photo the crew chose to send, within the inspection's quota.
import { TINY_JPEG, crewUpload } from '../helpers/record-fixtures';
import { connectTransports, useFixture } from '../helpers/fixtures';
import { ok } from '../helpers/signaling-client';

const fx = useFixture({ env: { EVIDENCE_QUOTA_STILLS: '3' } });
let surveyorCookie: string;

beforeAll(async () => {
  surveyorCookie = (await fx.account('surveyor', 'ev-surveyor')).cookie;
});

const stills = async (inspectionId: string) =>
  (
    (await fx.server.api('GET', `/api/inspections/${inspectionId}/record`, { cookie: surveyorCookie })).body.record.evidence as Array<{
      type: string;
      checklistItemId: string | null;
    }>
  ).filter((e) => e.type === 'photo');

test('a still nobody asked for and the crew did not choose to send is refused and nothing is stored', async () => {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const up = await crewUpload(fx.server, token, TINY_JPEG);
  expect(up.status).toBe(409);
  expect(up.body.error.code).toBe('INVALID_STATE');
  expect(up.body.error.message).toMatch(/No picture was asked for/);
  // A request id that was never issued counts as none.
  expect((await crewUpload(fx.server, token, TINY_JPEG, { query: { requestId: 'made-up' } })).status).toBe(409);
  expect(await stills(inspection.id)).toHaveLength(0);
});

test('a capture request is answered by one still; a second upload for it is refused', async () => {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const item = (await fx.server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: surveyorCookie })).body.record
    .checklist[2];
  const surveyor = await fx.joinAsStaff(inspection.id, surveyorCookie);
  const crew = await fx.joinAsCrew(token);
  await connectTransports(crew.c, 'recv');
  const asked = ok(await surveyor.c.request('evidence.capture', { checklistItemId: item.id }));
  const request = await crew.c.next('evidence.captureRequested');
  expect(request.requestId).toBe(asked.requestId);
  const first = await crewUpload(fx.server, token, TINY_JPEG, { query: { requestId: request.requestId } });
  expect(first.status).toBe(201);
  expect(first.body.evidence.checklistItemId).toBe(item.id);
  const again = await crewUpload(fx.server, token, TINY_JPEG, { query: { requestId: request.requestId } });
  expect(again.status).toBe(409);
  expect(await stills(inspection.id)).toHaveLength(1);
});

test("the crew's own photo is accepted, attached to no checklist item", async () => {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const up = await crewUpload(fx.server, token, TINY_JPEG, { query: { initiative: 'crew' } });
  expect(up.status).toBe(201);
  expect(up.body.evidence.checklistItemId).toBeNull();
  expect(await stills(inspection.id)).toHaveLength(1);
});

test('beyond the per-inspection quota a still is refused with 413 naming the limit', async () => {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  for (let i = 0; i < 3; i++) expect((await crewUpload(fx.server, token, TINY_JPEG, { query: { initiative: 'crew' } })).status).toBe(201);
  const over = await crewUpload(fx.server, token, TINY_JPEG, { query: { initiative: 'crew' } });
  expect(over.status).toBe(413);
  expect(over.body.error.message).toMatch(/the limit is 3 stills/);
  expect(await stills(inspection.id)).toHaveLength(3);
  // The quota is per inspection: another one still takes stills.
  const other = await fx.inspectionWithLink(surveyorCookie);
  expect((await crewUpload(fx.server, other.token, TINY_JPEG, { query: { initiative: 'crew' } })).status).toBe(201);
});
