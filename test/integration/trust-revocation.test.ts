// Revocation is immediate: every way a credential ends closes the live sockets opened with it within
// 2 s, after telling them why (`session.revoked { reason }`): the crew links withdrawn, a link
// expiring, the inspection ended (its crew, joined or only connected), signing out, a password
// change (the other sessions), a staff session expiring. Staff sockets of an ended inspection stay
// (the surveyor who ended it waits for the answer) but every request they send is refused.
import { startFixture, useFixture, type Fixture } from '../helpers/fixtures';
import { codeOf, type SignalingClient } from '../helpers/signaling-client';

const fx = useFixture();

/** The event must arrive within 2 s of the REST call (the helper's timeout, no measuring). */
const WITHIN_2S = { timeoutMs: 2_000 };

function closed(c: SignalingClient): Promise<void> {
  return new Promise((resolve) => (c.socket.disconnected ? resolve() : c.socket.once('disconnect', () => resolve())));
}

test('withdrawing the crew links: the crew gets session.revoked link-revoked and is disconnected', async () => {
  const s = await fx.account('surveyor', 'tr-revoke');
  const { inspection, token } = await fx.inspectionWithLink(s.cookie);
  const crew = await fx.joinAsCrew(token);
  const gone = closed(crew.c);
  expect((await fx.server.api('DELETE', `/api/inspections/${inspection.id}/crew-links`, { cookie: s.cookie })).status).toBe(204);
  expect(await crew.c.next('session.revoked', undefined, WITHIN_2S)).toEqual({ reason: 'link-revoked' });
  await gone;
});

test('ending the inspection: every crew socket, joined or only connected, gets session.revoked inspection-ended and is disconnected', async () => {
  const s = await fx.account('surveyor', 'tr-end');
  const { inspection, token } = await fx.inspectionWithLink(s.cookie);
  const { token: spare } = await fx.server.crewLink(s.cookie, inspection.id);
  const surveyor = await fx.joinAsStaff(inspection.id, s.cookie);
  const joined = await fx.joinAsCrew(token);
  const connected = await fx.connect({ crewToken: spare }); // opened the link, never joined
  const gone = Promise.all([closed(joined.c), closed(connected)]);
  expect((await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: s.cookie })).status).toBe(200);
  expect(await joined.c.next('inspection.ended', undefined, WITHIN_2S)).toEqual({ reason: 'inspection-ended' });
  expect(await joined.c.next('session.revoked', undefined, WITHIN_2S)).toEqual({ reason: 'inspection-ended' });
  expect(await connected.next('session.revoked', undefined, WITHIN_2S)).toEqual({ reason: 'inspection-ended' });
  await gone;
  // The surveyor's socket stays, but nothing it asks is done any more.
  expect(await surveyor.c.next('inspection.ended', undefined, WITHIN_2S)).toEqual({ reason: 'inspection-ended' });
  for (const name of ['recording.start', 'recording.stop', 'evidence.capture', 'room.getCapabilities'] as const) {
    expect(codeOf(await surveyor.c.request(name, {}))).toBe('INSPECTION_ENDED');
  }
});

test('signing out: that session’s socket gets session.revoked signed-out and is disconnected; another session’s stays', async () => {
  const s = await fx.account('surveyor', 'tr-logout');
  const { inspection } = await fx.inspectionWithLink(s.cookie);
  const other = await fx.server.signIn(s.username, s.password);
  const here = await fx.joinAsStaff(inspection.id, s.cookie);
  const there = await fx.connect({ inspectionId: inspection.id }, other);
  const gone = closed(here.c);
  expect((await fx.server.api('POST', '/api/auth/logout', { cookie: s.cookie })).status).toBe(204);
  expect(await here.c.next('session.revoked', undefined, WITHIN_2S)).toEqual({ reason: 'signed-out' });
  await gone;
  expect(codeOf(await there.request('room.getCapabilities', {}))).toBe('OK');
});

test('changing the password: the other sessions’ sockets get session.revoked password-changed; this session’s stays', async () => {
  const s = await fx.account('surveyor', 'tr-password');
  const { inspection } = await fx.inspectionWithLink(s.cookie);
  const other = await fx.server.signIn(s.username, s.password);
  const there = await fx.joinAsStaff(inspection.id, other);
  const here = await fx.connect({ inspectionId: inspection.id }, s.cookie);
  const gone = closed(there.c);
  const changed = await fx.server.api('POST', '/api/auth/password', {
    cookie: s.cookie,
    body: { currentPassword: s.password, newPassword: 'a-new-password-789' },
  });
  expect(changed.status).toBe(204);
  expect(await there.c.next('session.revoked', undefined, WITHIN_2S)).toEqual({ reason: 'password-changed' });
  await gone;
  expect(codeOf(await here.request('room.getCapabilities', {}))).toBe('OK');
});

describe('credentials that run out while connected', () => {
  let short: Fixture;
  beforeAll(async () => {
    // 0.0005 h = 1.8 s for crew links; 0.001 h = 3.6 s for staff sessions.
    short = await startFixture({ CREW_LINK_TTL_HOURS: '0.0005', SESSION_TTL_HOURS: '0.001' });
  });
  afterAll(() => short.stop());

  test('a crew link expiring: session.revoked link-expired, then disconnected', async () => {
    const admin = await short.server.signIn('admin', 'admin-password-for-tests');
    const { token } = await short.inspectionWithLink(admin);
    const crew = await short.joinAsCrew(token);
    const gone = closed(crew.c);
    expect(await crew.c.next('session.revoked', undefined, { timeoutMs: 5_000 })).toEqual({ reason: 'link-expired' });
    await gone;
  });

  test('a staff session expiring: session.revoked session-expired, then disconnected', async () => {
    const admin = await short.server.signIn('admin', 'admin-password-for-tests');
    const inspection = await short.server.createInspection(admin);
    const staff = await short.connect({ inspectionId: inspection.id }, admin);
    const gone = closed(staff);
    expect(await staff.next('session.revoked', undefined, { timeoutMs: 6_000 })).toEqual({ reason: 'session-expired' });
    await gone;
  });
});
