// No dead ends around the conclusion, against the real server: refusals that name checklist items
// name them by their title in the language asked for (never by internal codes); an inspection
// ended before its conclusion is stored as "to be continued"; a conclusion after the end cannot be
// acknowledged any more and the report says so; the dashboard counts inspections done online
// (concluded passed, passed with deficiencies or failed), not those to be continued.
import { useFixture } from '../helpers/fixtures';
import { ok } from '../helpers/signaling-client';

const fx = useFixture();

let cookie: string;
beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'concluder')).cookie;
});

const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  fx.server.api(method, path, { cookie, body, headers });

async function checklist(inspectionId: string) {
  return (await api('GET', `/api/inspections/${inspectionId}/record`)).body.record.checklist as Array<{
    id: string;
    code: string;
    titleZh: string;
    titleEn: string;
  }>;
}

async function dashboardCount(): Promise<number> {
  return (await api('GET', '/api/reports/savings')).body.report.overall.count;
}

test('a deficiency without a deadline is refused naming the item by its title, in Chinese or English as asked', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const [a, b] = await checklist(inspection.id);
  for (const item of [a!, b!]) await api('PATCH', `/api/inspections/${inspection.id}/checklist/${item.id}`, { result: 'deficiency' });
  const conclude = (lang?: string) =>
    api(
      'POST',
      `/api/inspections/${inspection.id}/conclusion`,
      { outcome: 'passed-with-deficiencies' },
      lang ? { 'accept-language': lang } : {},
    );

  const zh = await conclude('zh-CN,zh;q=0.9,en;q=0.8');
  expect(zh.status).toBe(400);
  expect(zh.body.error).toMatchObject({ code: 'BAD_REQUEST', reason: 'deficiency-without-deadline' });
  expect(zh.body.error.message).toBe(`每项缺陷都需要整改期限，以下项目尚未填写：「${a!.titleZh}」、「${b!.titleZh}」。`);
  expect(zh.body.error.items).toEqual([a, b].map((i) => ({ id: i!.id, code: i!.code, titleZh: i!.titleZh, titleEn: i!.titleEn })));

  const en = await conclude('en-GB');
  expect(en.body.error.message).toBe(`Each deficiency needs a deadline to rectify it; missing for: "${a!.titleEn}", "${b!.titleEn}".`);
  // No language asked for: English. Never the internal codes.
  const plain = await conclude();
  expect(plain.body.error.message).toBe(en.body.error.message);
  for (const r of [zh, en, plain]) for (const item of [a!, b!]) expect(r.body.error.message).not.toContain(item.code);

  // One deadline given: only the other item is named; both given: concluded.
  await api('PATCH', `/api/inspections/${inspection.id}/checklist/${a!.id}`, { deficiencyDeadline: '2026-10-31' });
  expect((await conclude()).body.error.items.map((i: { id: string }) => i.id)).toEqual([b!.id]);
  await api('PATCH', `/api/inspections/${inspection.id}/checklist/${b!.id}`, { deficiencyDeadline: '2026-11-30' });
  expect((await conclude()).status).toBe(200);
});

test('"passed" with deficiencies marked is refused naming them by title; nothing is stored', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const [, , c] = await checklist(inspection.id);
  await api('PATCH', `/api/inspections/${inspection.id}/checklist/${c!.id}`, { result: 'deficiency' });
  const r = await api('POST', `/api/inspections/${inspection.id}/conclusion`, { outcome: 'passed' }, { 'accept-language': 'zh' });
  expect(r.status).toBe(400);
  expect(r.body.error.reason).toBe('deficiencies-marked');
  expect(r.body.error.message).toContain(`「${c!.titleZh}」`);
  expect(r.body.error.message).not.toContain(c!.code);
  expect((await api('GET', `/api/inspections/${inspection.id}/record`)).body.record.conclusion).toBeNull();
});

test('ended before a conclusion, "to be continued": stored with the end, shown in the views and the report, not counted', async () => {
  const before = await dashboardCount();
  const inspection = await fx.server.createInspection(cookie);
  // A malformed choice is refused and changes nothing.
  const bad = await api('POST', `/api/inspections/${inspection.id}/end`, { toBeContinued: 'yes' });
  expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_REQUEST']);
  expect((await fx.server.inspections.get(inspection.id)).status).toBe('scheduled');

  const ended = await api('POST', `/api/inspections/${inspection.id}/end`, { toBeContinued: true });
  expect(ended.status).toBe(200);
  expect(ended.body.inspection).toMatchObject({ status: 'ended', toBeContinued: true });
  const list = (await api('GET', '/api/inspections')).body.inspections.find((i: { id: string }) => i.id === inspection.id);
  expect(list.toBeContinued).toBe(true);
  const record = (await api('GET', `/api/inspections/${inspection.id}/record`)).body.record;
  expect(record.conclusion).toBeNull();
  expect(record.inspection.toBeContinued).toBe(true);
  const report = await api('GET', `/api/inspections/${inspection.id}/report.html`);
  expect(report.body).toContain('Not concluded: ended, to be continued');
  expect(await dashboardCount()).toBe(before);

  // An end without the mark stores none.
  const other = await fx.server.createInspection(cookie);
  expect((await api('POST', `/api/inspections/${other.id}/end`)).body.inspection).toMatchObject({ status: 'ended', toBeContinued: false });
});

test('the live console ends over the socket "to be continued" too', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  expect(await surveyor.c.request('inspection.end', { toBeContinued: 'maybe' })).toMatchObject({ ok: false });
  ok(await surveyor.c.request('inspection.end', { toBeContinued: true }));
  expect((await fx.server.inspections.detail(inspection.id)).toBeContinued).toBe(true);
});

test('a conclusion after the end is counted but cannot be acknowledged; "to be continued on site" is not counted', async () => {
  const before = await dashboardCount();
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  expect((await api('POST', `/api/inspections/${inspection.id}/end`, { toBeContinued: true })).status).toBe(200);
  expect((await api('POST', `/api/inspections/${inspection.id}/conclusion`, { outcome: 'passed' })).status).toBe(200);
  const ack = await fx.server.api('POST', '/api/crew/acknowledgement', {
    headers: { authorization: `Crew ${token}` },
    body: { name: '李船长' },
  });
  expect([ack.status, ack.body.error.code]).toEqual([410, 'INSPECTION_ENDED']);
  const record = (await api('GET', `/api/inspections/${inspection.id}/record`)).body.record;
  expect(record.conclusion).toMatchObject({ outcome: 'passed', acknowledgedAt: null });
  expect((await api('GET', `/api/inspections/${inspection.id}/report.html`)).body).toContain(
    'Not acknowledged by the crew: the session ended',
  );
  expect(await dashboardCount()).toBe(before + 1);

  const onSite = await fx.server.createInspection(cookie);
  expect((await api('POST', `/api/inspections/${onSite.id}/conclusion`, { outcome: 'continue-on-site' })).status).toBe(200);
  expect(await dashboardCount()).toBe(before + 1);
  const csv = (await api('GET', '/api/reports/savings.csv')).body as string;
  expect(csv).toContain(inspection.id);
  expect(csv).not.toContain(onSite.id);
});
