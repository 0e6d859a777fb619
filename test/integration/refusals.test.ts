// Bad input gets a clear, coded answer and changes nothing else: forged/expired/revoked links,
// wrong roles, malformed and out-of-order signaling, oversized payloads.
import fs from 'node:fs';
import path from 'node:path';
import { CrewTokenSigner } from '../../server/src/auth/crew-tokens';
import { ADMIN, type TestServer } from '../helpers/test-server';
import { codeOf as errorCode, connectError, FAKE_DTLS, ok as data, opusParameters, vp8Parameters } from '../helpers/signaling-client';
import { useFixture, type Fixture } from '../helpers/fixtures';
import { sql } from '../helpers/sql';

const fx = useFixture();
let server: TestServer;
let adminCookie: string;
let surveyorCookie: string;
let auditorCookie: string;

beforeAll(async () => {
  server = fx.server;
  adminCookie = await fx.adminCookie();
  surveyorCookie = (await fx.account('surveyor', 'surveyor1')).cookie;
  auditorCookie = (await fx.account('auditor', 'auditor1')).cookie;
});

/** A signaling client, closed after the test. */
const client: Fixture['connect'] = (...args) => fx.connect(...args);

describe('crew links', () => {
  test('a forged link is refused with 401 on the page and UNAUTHENTICATED on the socket', async () => {
    const { token } = await fx.inspectionWithLink(surveyorCookie);
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400_000 })).toString('base64url');
    for (const forged of [`${otherPayload}.${signature}`, `${payload}.AAAA${signature!.slice(4)}`, 'not-a-token', `${payload}`]) {
      const page = await server.api('GET', `/join/${encodeURIComponent(forged)}`);
      expect(page.status).toBe(401);
      expect(page.body).toContain('data-code="UNAUTHENTICATED"');
      expect(await connectError(server.url, { crewToken: forged })).toBe('UNAUTHENTICATED');
    }
    const invitation = await server.api('GET', '/api/crew/invitation', { headers: { authorization: `Crew ${otherPayload}.${signature}` } });
    expect(invitation.status).toBe(401);
  });

  test('an expired link is refused with 410 and LINK_EXPIRED', async () => {
    const { token } = await fx.inspectionWithLink(surveyorCookie);
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    // Same secret, same link, but an expiry in the past: exactly what an old link looks like.
    const secret = Buffer.from(fs.readFileSync(path.join(server.dataDir, 'secret.key'), 'utf8'), 'hex');
    const expired = new CrewTokenSigner(secret).sign({ ...claims, e: Date.now() - 1000 });
    const page = await server.api('GET', `/join/${expired}`);
    expect(page.status).toBe(410);
    expect(page.body).toContain('data-code="LINK_EXPIRED"');
    expect(await connectError(server.url, { crewToken: expired })).toBe('LINK_EXPIRED');
  });

  test('a revoked link is refused with 410 and LINK_REVOKED, and a crew already connected is closed and cannot come back', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const crew = await client({ crewToken: token });
    data(await crew.request('room.getCapabilities', {}));
    expect((await server.api('DELETE', `/api/inspections/${inspection.id}/crew-links`, { cookie: surveyorCookie })).status).toBe(204);
    // The connection does not outlive its link (revocation.test.ts covers every credential).
    expect(await crew.next('session.revoked', undefined, { timeoutMs: 2_000 })).toEqual({ reason: 'link-revoked' });
    expect((await server.api('GET', `/join/${token}`)).status).toBe(410);
    expect(await connectError(server.url, { crewToken: token })).toBe('LINK_REVOKED');
    const detail = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    expect(detail.body.inspection.participants).toEqual([]);
  });
});

describe('roles', () => {
  test('a socket without credentials, or an auditor, cannot touch a room', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    expect(await connectError(server.url, { inspectionId: inspection.id })).toBe('UNAUTHENTICATED');
    expect(await connectError(server.url, {})).toBe('UNAUTHENTICATED');
    expect(await connectError(server.url, { inspectionId: inspection.id }, auditorCookie)).toBe('FORBIDDEN');
    expect(await connectError(server.url, { inspectionId: 'no-such-inspection' }, surveyorCookie)).toBe('NOT_FOUND');
    expect(server.rooms.get(inspection.id)).toBeUndefined();
  });

  test('a crew member cannot end the inspection, and the session goes on', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const { c: crew } = await fx.joinAsCrew(token, 'Crew');
    expect(errorCode(await crew.request('inspection.end', {}))).toBe('FORBIDDEN');
    const r = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    expect(r.body.inspection.status).toBe('live');
  });

  test('the REST API refuses the wrong roles and the signed-out', async () => {
    expect((await server.api('GET', '/api/inspections')).status).toBe(401);
    const created = await server.api('POST', '/api/inspections', {
      cookie: auditorCookie,
      body: { vesselName: 'X', registrationNumber: 'Y', kind: 'periodic', place: 'Z', scheduledAt: new Date().toISOString() },
    });
    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe('FORBIDDEN');
    const account = await server.api('POST', '/api/accounts', {
      cookie: surveyorCookie,
      body: { username: 'mallory', displayName: 'M', password: 'long-enough-pw', role: 'admin' },
    });
    expect(account.status).toBe(403);
    expect((await server.api('GET', '/api/inspections', { cookie: auditorCookie })).status).toBe(200);
  });

  test('a wrong password is refused without saying which part was wrong', async () => {
    const wrongPw = await server.api('POST', '/api/auth/login', { body: { username: ADMIN.username, password: 'nope' } });
    const noUser = await server.api('POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope' } });
    expect(wrongPw.status).toBe(401);
    expect(noUser.status).toBe(401);
    expect(wrongPw.body.error.message).toBe(noUser.body.error.message);
    expect(wrongPw.headers.get('set-cookie')).toBeNull();
  });

  test('passwords are stored as scrypt hashes, never as given', async () => {
    const rows: Array<{ passwordHash: string }> = await sql(server.db, 'SELECT "passwordHash" FROM "account"');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]+$/); // OWASP: N = 2^17, r = 8, p = 1
    expect(rows.some((r) => r.passwordHash.includes(ADMIN.password))).toBe(false);
  });
});

describe('malformed and out-of-order signaling', () => {
  test('each bad request gets its error code; the other participant is unaffected', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    const caps = data(await surveyor.request('room.getCapabilities', {})).routerRtpCapabilities;
    data(await surveyor.request('room.join', { displayName: 'Surveyor', rtpCapabilities: caps }));
    const recv = data(await surveyor.request('transport.create', { direction: 'recv' }));
    data(await surveyor.request('transport.connect', { transportId: recv.id, dtlsParameters: FAKE_DTLS }));

    const crew = await client({ crewToken: token });
    // Before joining: nothing but capabilities and join.
    expect(errorCode(await crew.request('transport.create', { direction: 'send' }))).toBe('INVALID_STATE');
    data(await crew.request('room.join', { displayName: 'Crew', rtpCapabilities: caps }));
    expect(errorCode(await crew.request('room.join', { displayName: 'Crew', rtpCapabilities: caps }))).toBe('INVALID_STATE');

    // Wrong types, unknown fields, unknown requests, missing payloads.
    expect(errorCode(await crew.request('transport.create', { direction: 'sideways' }))).toBe('BAD_REQUEST');
    expect(errorCode(await crew.request('transport.create', { direction: 'send', extra: 1 }))).toBe('BAD_REQUEST');
    expect(errorCode(await crew.request('produce', 'not an object'))).toBe('BAD_REQUEST');
    expect(errorCode(await crew.request('produce', undefined))).toBe('BAD_REQUEST');
    expect(errorCode(await (crew.request as any)('room.destroyEverything', {}))).toBe('BAD_REQUEST');

    // Unknown ids, and someone else's transport.
    expect(errorCode(await crew.request('transport.connect', { transportId: 'nope', dtlsParameters: FAKE_DTLS }))).toBe('NOT_FOUND');
    expect(errorCode(await crew.request('transport.connect', { transportId: recv.id, dtlsParameters: FAKE_DTLS }))).toBe('NOT_FOUND');
    expect(errorCode(await crew.request('consumer.resume', { consumerId: 'nope' }))).toBe('NOT_FOUND');
    expect(errorCode(await crew.request('producer.pause', { producerId: 'nope' }))).toBe('NOT_FOUND');

    // Produce before connect, then malformed RTP parameters (mediasoup's own validation).
    const send = data(await crew.request('transport.create', { direction: 'send' }));
    const video = { transportId: send.id, kind: 'video', rtpParameters: vp8Parameters(5555), source: 'camera' };
    expect(errorCode(await crew.request('produce', video))).toBe('INVALID_STATE');
    data(await crew.request('transport.connect', { transportId: send.id, dtlsParameters: FAKE_DTLS }));
    expect(errorCode(await crew.request('transport.connect', { transportId: send.id, dtlsParameters: FAKE_DTLS }))).toBe('INVALID_STATE');
    expect(errorCode(await crew.request('produce', { ...video, rtpParameters: { codecs: 'garbage' } }))).toBe('BAD_REQUEST');
    expect(errorCode(await crew.request('produce', { ...video, kind: 'audio' }))).toBe('BAD_REQUEST');

    // A huge payload is answered, not fatal.
    const huge = { ...video, rtpParameters: { ...vp8Parameters(5555), padding: 'x'.repeat(200_000) } };
    expect(errorCode(await crew.request('produce', huge))).toBe('PAYLOAD_TOO_LARGE');

    // After all that, the crew can still produce and the surveyor still receives it.
    const produced = data(await crew.request('produce', video));
    await expect(surveyor.next('consumer.new', (c) => c.producerId === produced.producerId)).resolves.toMatchObject({ kind: 'video' });
    expect(errorCode(await crew.request('produce', video))).toBe('INVALID_STATE'); // one camera at a time
    data(await crew.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: opusParameters(6666), source: 'microphone' }));
    expect(crew.socket.connected).toBe(true);
  });

  test('bad REST bodies get field-level messages', async () => {
    const r = await server.api('POST', '/api/inspections', {
      cookie: surveyorCookie,
      body: { vesselName: '', registrationNumber: 'R', kind: 'submarine', place: 'P', scheduledAt: 'tomorrow' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BAD_REQUEST');
    expect(r.body.error.message).toMatch(/vesselName/);
    expect(r.body.error.message).toMatch(/kind/);
    expect(r.body.error.message).toMatch(/scheduledAt/);
    const notJson = await server.api('POST', '/api/inspections', {
      cookie: surveyorCookie,
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const big = await server.api('POST', '/api/auth/login', { body: { username: 'a', password: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    const list = await server.api('GET', '/api/inspections', { cookie: surveyorCookie });
    expect(list.body.inspections.every((i: { vesselName: string }) => i.vesselName !== '')).toBe(true);
  });
});

test('GET /healthz reports the workers', async () => {
  const r = await server.api('GET', '/healthz');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ ok: true, workers: 1 });
});

test('changing a password needs the current one and ends the other sessions', async () => {
  const { cookie } = await server.createAccount(adminCookie, 'surveyor', 'changer');
  const other = await server.signIn('changer', 'changer-password-123');
  const wrong = await server.api('POST', '/api/auth/password', {
    cookie,
    body: { currentPassword: 'nope', newPassword: 'a-new-password-1' },
  });
  expect(wrong.status).toBe(401);
  const short = await server.api('POST', '/api/auth/password', {
    cookie,
    body: { currentPassword: 'changer-password-123', newPassword: 'short' },
  });
  expect(short.status).toBe(400);
  expect((await server.api('GET', '/api/me', { cookie: other })).status).toBe(200);
  const ok = await server.api('POST', '/api/auth/password', {
    cookie,
    body: { currentPassword: 'changer-password-123', newPassword: 'a-new-password-1' },
  });
  expect(ok.status).toBe(204);
  expect((await server.api('GET', '/api/me', { cookie })).status).toBe(200);
  expect((await server.api('GET', '/api/me', { cookie: other })).status).toBe(401);
  await expect(server.signIn('changer', 'changer-password-123')).rejects.toThrow();
  await expect(server.signIn('changer', 'a-new-password-1')).resolves.toMatch(/^csi_session=/);
});

test('only admins list staff accounts, and the list never carries password hashes', async () => {
  const r = await server.api('GET', '/api/accounts', { cookie: adminCookie });
  expect(r.status).toBe(200);
  expect(r.body.accounts.map((a: { username: string }) => a.username)).toEqual(expect.arrayContaining(['admin', 'surveyor1', 'auditor1']));
  expect(JSON.stringify(r.body)).not.toMatch(/scrypt|passwordHash/);
  expect((await server.api('GET', '/api/accounts', { cookie: surveyorCookie })).status).toBe(403);
  expect((await server.api('GET', '/api/accounts')).status).toBe(401);
});
