// The chat over real signaling and REST (chat-protocol.ts, chat/): text messages both ways are
// stored with sender and time and shown on both sides; the history is read through the one access
// check (a stranger gets nothing); the crew sends a PDF that lands in the object store with its
// SHA-256 and that the surveyor downloads; an oversized file, a disguised .exe, malformed and empty
// or over-long messages, the wrong role and a flood are refused with a clear error and change nothing.
import crypto from 'node:crypto';
import { MAX_CHAT_TEXT } from '@cloudship/shared';
import { liveCrewRecording, useFixture } from '../helpers/fixtures';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';
import { until } from '../helpers/recording';
import { codeOf, ok, type SignalingClient } from '../helpers/signaling-client';
import { sql } from '../helpers/sql';

const fx = useFixture();
let surveyorCookie: string;

beforeAll(async () => {
  surveyorCookie = (await fx.account('surveyor', 'chat1')).cookie;
});

async function session() {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const surveyor = await fx.joinAsStaff(inspection.id, surveyorCookie, 'Wang');
  const crew = await fx.joinAsCrew(token, '李船长');
  return { inspection, token, surveyor, crew };
}

async function history(inspectionId: string, cookie = surveyorCookie): Promise<{ status: number; messages: any[] }> {
  const res = await fetch(`${fx.server.url}/api/inspections/${inspectionId}/chat`, { headers: { cookie } });
  return { status: res.status, messages: res.ok ? (await res.json()).messages : [] };
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), crypto.randomBytes(2048), Buffer.from('\n%%EOF\n')]);
const sendDocument = (token: string, body: Buffer, opts: { contentType?: string; query?: Record<string, string> } = {}) =>
  crewUpload(fx.server, token, body, { contentType: 'application/pdf', ...opts, path: '/api/crew/documents' });

test('a Chinese message from the phone and an answer from the console reach both sides and are stored with sender and time', async () => {
  const { inspection, token, surveyor, crew } = await session();
  const before = Date.now();
  const sent = ok(await crew.c.request('chat.send', { text: '  主机舱左舷有渗漏，请看。  ' })).message;
  expect(sent).toMatchObject({ kind: 'text', senderRole: 'crew', senderName: '李船长', text: '主机舱左舷有渗漏，请看。' });
  expect(await surveyor.c.next('chat.message')).toEqual(sent);
  expect(await crew.c.next('chat.message')).toEqual(sent);

  const answer = ok(await surveyor.c.request('chat.send', { text: 'Please move closer to the flange.' })).message;
  expect(answer).toMatchObject({ senderRole: 'surveyor', senderName: 'Wang' });
  expect(await crew.c.next('chat.message', (m) => m.id === answer.id)).toEqual(answer);

  const { messages } = await history(inspection.id);
  expect(messages.map((m) => [m.senderRole, m.text])).toEqual([
    ['crew', '主机舱左舷有渗漏，请看。'],
    ['surveyor', 'Please move closer to the flange.'],
  ]);
  for (const m of messages) expect(Date.parse(m.sentAt)).toBeGreaterThanOrEqual(before - 1000);
  const [row] = await sql(fx.server.db, 'SELECT "senderId", "senderName" FROM "chat_message" WHERE "id" = ?', [sent.id]);
  expect(row.senderName).toBe('李船长');
  expect(row.senderId).toMatch(/^[0-9a-f-]{36}$/);

  // The crew reads the same history with its link.
  const crewRes = await fetch(`${fx.server.url}/api/crew/chat`, { headers: { authorization: `Crew ${token}` } });
  expect((await crewRes.json()).messages).toEqual(messages);
});

test('the history is kept from strangers: another surveyor gets 404, nobody signed in 401', async () => {
  const { inspection, crew } = await session();
  ok(await crew.c.request('chat.send', { text: 'hello' }));
  const stranger = await fx.account('surveyor', 'chat-stranger');
  expect((await history(inspection.id, stranger.cookie)).status).toBe(404);
  expect((await fetch(`${fx.server.url}/api/inspections/${inspection.id}/chat`)).status).toBe(401);
  expect((await fetch(`${fx.server.url}/api/crew/chat`, { headers: { authorization: 'Crew nonsense' } })).status).toBe(401);
  // A stranger's socket cannot even open on that inspection.
  await expect(fx.joinAsStaff(inspection.id, stranger.cookie, 'Stranger')).rejects.toThrow();
});

test('malformed, empty and over-long messages, the wrong role and a send before joining are refused and store nothing', async () => {
  const { inspection, token, surveyor, crew } = await session();
  for (const bad of [
    {},
    { text: 42 },
    { text: '   ' },
    { text: '' },
    { text: 'x'.repeat(MAX_CHAT_TEXT + 1) },
    { text: 'hi', extra: 1 },
    null,
  ]) {
    const ack = await crew.c.request('chat.send', bad);
    expect(codeOf(ack)).toBe('BAD_REQUEST');
    expect(ack.ok ? '' : ack.error.message).toMatch(/chat\.send|empty|characters|Expected|Unrecognized/i);
  }
  // The crew may not ask for documents; a document request needs a title.
  const asked = await crew.c.request('document.request', { title: 'Certificate of class' });
  expect(codeOf(asked)).toBe('FORBIDDEN');
  expect(codeOf(await surveyor.c.request('document.request', { title: ' ' }))).toBe('BAD_REQUEST');
  // A socket that has not joined the room sends nothing.
  const idle = await fx.connect({ crewToken: token });
  expect(codeOf(await idle.request('chat.send', { text: 'hello' }))).toBe('INVALID_STATE');
  expect((await history(inspection.id)).messages).toEqual([]);
  expect(crew.c.events.some((e) => e.event === 'chat.message')).toBe(false);
  expect(surveyor.c.events.some((e) => e.event === 'chat.message')).toBe(false);
});

test('a flood of messages is throttled with a clear message; the other side keeps sending', async () => {
  const { inspection, surveyor, crew } = await session();
  const acks = [];
  for (let i = 0; i < 14; i++) acks.push(await crew.c.request('chat.send', { text: `msg ${i}` }));
  const refused = acks.filter((a) => !a.ok);
  expect(acks.filter((a) => a.ok)).toHaveLength(10);
  expect(refused).toHaveLength(4);
  for (const a of refused)
    expect(a.ok ? null : a.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/wait \d+ s/) });
  ok(await surveyor.c.request('chat.send', { text: 'slow down please' }));
  expect((await history(inspection.id)).messages).toHaveLength(11);
});

test('a PDF sent from the phone is stored with its SHA-256 in the object store and downloadable by the surveyor', async () => {
  const { inspection, token, surveyor, crew } = await session();
  const { message: request, crewCount } = ok(await surveyor.c.request('document.request', { title: '油类记录簿' }));
  expect(crewCount).toBe(1);
  expect(await crew.c.next('chat.message', (m) => m.id === request.id)).toMatchObject({ kind: 'document-request', text: '油类记录簿' });

  const sha256 = crypto.createHash('sha256').update(PDF).digest('hex');
  const up = await sendDocument(token, PDF, { query: { requestId: request.id, name: 'oil-record.pdf' } });
  expect(up.status).toBe(201);
  expect(up.body.evidence).toMatchObject({
    type: 'document',
    contentType: 'application/pdf',
    sha256,
    sizeBytes: PDF.length,
    note: 'oil-record.pdf',
  });
  expect(up.body.message).toMatchObject({ kind: 'document', requestId: request.id, senderName: '李船长', document: { sha256 } });
  expect(await surveyor.c.next('chat.message', (m) => m.kind === 'document')).toEqual(up.body.message);

  const [row] = await sql(fx.server.db, 'SELECT "storageKey" AS key FROM "evidence" WHERE "id" = ?', [up.body.evidence.id]);
  expect(row.key).toMatch(/^evidence\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.pdf$/);
  await until(
    async () =>
      (await sql(fx.server.db, 'SELECT "uploadState" AS s FROM "evidence" WHERE "id" = ?', [up.body.evidence.id]))[0].s === 'uploaded'
        ? true
        : null,
    'the document uploaded',
    30_000,
    100,
  );
  expect(await fx.server.recording.store.head(row.key)).toMatchObject({ size: PDF.length, sha256 });

  const file = await fetch(`${fx.server.url}${up.body.evidence.url}`, { headers: { cookie: surveyorCookie } });
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe('application/pdf');
  expect(file.headers.get('content-disposition')).toMatch(/^attachment;/);
  expect(file.headers.get('x-content-sha256')).toBe(sha256);
  expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);

  // The surveyor attaches it to a checklist item like a photo; the record lists it.
  const record = (
    await (await fetch(`${fx.server.url}/api/inspections/${inspection.id}/record`, { headers: { cookie: surveyorCookie } })).json()
  ).record;
  const item = record.checklist[0];
  const attach = await fetch(`${fx.server.url}/api/inspections/${inspection.id}/evidence/${up.body.evidence.id}`, {
    method: 'PATCH',
    headers: { cookie: surveyorCookie, 'content-type': 'application/json', origin: fx.server.url },
    body: JSON.stringify({ checklistItemId: item.id }),
  });
  expect(attach.status).toBe(200);
  expect((await attach.json()).evidence).toMatchObject({ type: 'document', checklistItemId: item.id });

  // The chat's history names the document with its hash; a photo from the gallery is accepted too.
  const photo = await sendDocument(token, TINY_JPEG, { contentType: 'image/jpeg' });
  expect(photo.status).toBe(201);
  expect(photo.body.message).toMatchObject({ kind: 'document', requestId: null, document: { contentType: 'image/jpeg' } });
  const kinds = (await history(inspection.id)).messages.map((m) => [m.kind, m.document?.sha256 ?? null]);
  expect(kinds).toEqual([
    ['document-request', null],
    ['document', sha256],
    ['document', photo.body.evidence.sha256],
  ]);
});

test('a 20 MB file and an .exe renamed .pdf are refused with clear messages and stored nowhere', async () => {
  const { inspection, token } = await session();
  const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(20 * 1024 * 1024, 0x20)]);
  const tooBig = await sendDocument(token, big);
  expect(tooBig.status).toBe(413);
  expect(tooBig.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/larger than 10 MB/) });

  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), crypto.randomBytes(1024)]);
  const disguised = await sendDocument(token, exe, { query: { name: 'certificate.pdf' } });
  expect(disguised.status).toBe(415);
  expect(disguised.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/JPEG or PNG\) or a PDF/) });
  const declaredExe = await sendDocument(token, exe, { contentType: 'application/x-msdownload' });
  expect(declaredExe.status).toBe(415);
  expect((await sendDocument(token, Buffer.alloc(0))).status).toBe(400);
  expect((await sendDocument('not-a-token', PDF)).status).toBe(401);
  // An unknown request id is not trusted: the document is the crew's own.
  const own = await sendDocument(token, PDF, { query: { requestId: crypto.randomUUID() } });
  expect(own.status).toBe(201);
  expect(own.body.message.requestId).toBeNull();

  const rows = await sql(fx.server.db, 'SELECT COUNT(*) AS n FROM "evidence" WHERE "inspectionId" = ?', [inspection.id]);
  expect(Number(rows[0].n)).toBe(1);
  expect((await history(inspection.id)).messages).toHaveLength(1);
});

test('a document request or message about an ended inspection is refused', async () => {
  const { inspection, token, surveyor } = await session();
  ok(await surveyor.c.request('inspection.end', {}));
  expect(['INSPECTION_ENDED', 'LINK_REVOKED']).toContain((await sendDocument(token, PDF)).body.error.code);
  expect(codeOf(await surveyor.c.request('chat.send', { text: 'late' }))).toBe('INSPECTION_ENDED');
  expect((await history(inspection.id)).messages).toEqual([]);
});

test('messages and documents appear in the replay timeline and in the printed report, with sender and SHA-256', async () => {
  const sockets: SignalingClient[] = [];
  try {
    const { crew, token, inspection, recordingId, adminCookie } = await liveCrewRecording(fx.server, sockets);
    ok(await crew.request('chat.send', { text: '压载舱已打开' }));
    const up = await sendDocument(token, PDF, { query: { name: 'class-certificate.pdf' } });
    expect(up.status).toBe(201);

    const tl = await fx.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: adminCookie });
    expect(tl.status).toBe(200);
    expect(tl.body.chat.map((m: any) => [m.kind, m.text, m.senderRole])).toEqual([
      ['text', '压载舱已打开', 'crew'],
      ['document', 'class-certificate.pdf', 'crew'],
    ]);
    expect(tl.body.chat[1].document.sha256).toBe(up.body.evidence.sha256);

    const report = await fx.server.api('GET', `/api/inspections/${inspection.id}/report.html`, { cookie: adminCookie });
    expect(report.status).toBe(200);
    const html = String(report.body);
    expect(html).toContain('消息及文件');
    expect(html).toContain('压载舱已打开');
    expect(html).toContain(up.body.evidence.sha256);
    expect(html).toMatch(/data-testid="report-document"/);
  } finally {
    for (const c of sockets) c.close();
  }
});
