// A live connection lives no longer than its credential: withdrawing the crew links, a link
// expiring, signing out, changing or resetting a password and disabling an account each close the
// affected sockets within 2 s, telling them why (`session.revoked`), and leave the others alone.
import { startFixture, useFixture, type Fixture } from '../helpers/fixtures';
import type { SignalingClient } from '../helpers/signaling-client';

const fx = useFixture();

const WITHIN = { timeoutMs: 2_000 };

function closed(c: SignalingClient): Promise<void> {
  return new Promise((resolve) => (c.socket.disconnected ? resolve() : c.socket.once('disconnect', () => resolve())));
}

async function login(username: string, password: string): Promise<string> {
  return fx.server.signIn(username, password);
}

test('withdrawing the crew links closes the joined crew phone at once', async () => {
  const s = await fx.account('surveyor', 'rv-revoke');
  const { inspection, token } = await fx.inspectionWithLink(s.cookie);
  const crew = await fx.joinAsCrew(token);
  const surveyor = await fx.joinAsStaff(inspection.id, s.cookie);
  const gone = closed(crew.c);
  expect((await fx.server.api('DELETE', `/api/inspections/${inspection.id}/crew-links`, { cookie: s.cookie })).status).toBe(204);
  expect(await crew.c.next('session.revoked', undefined, WITHIN)).toEqual({ reason: 'link-revoked' });
  await gone;
  // The surveyor's own connection is untouched.
  const caps = await surveyor.c.request('room.getCapabilities', {});
  expect(caps.ok).toBe(true);
});

test('signing out closes that session’s sockets; a password change closes the other sessions’ ones', async () => {
  const s = await fx.account('surveyor', 'rv-staff');
  const { inspection } = await fx.inspectionWithLink(s.cookie);
  const other = await login(s.username, s.password);
  // Connected, not joined: one account joins a room once (a second join takes the seat over).
  const here = { c: await fx.connect({ inspectionId: inspection.id }, s.cookie) };
  const there = { c: await fx.connect({ inspectionId: inspection.id }, other) };
  const thereGone = closed(there.c);
  const changed = await fx.server.api('POST', '/api/auth/password', {
    cookie: s.cookie,
    body: { currentPassword: s.password, newPassword: 'another-password-456' },
  });
  expect(changed.status).toBe(204);
  expect(await there.c.next('session.revoked', undefined, WITHIN)).toEqual({ reason: 'password-changed' });
  await thereGone;
  expect((await here.c.request('room.getCapabilities', {})).ok).toBe(true);

  const hereGone = closed(here.c);
  expect((await fx.server.api('POST', '/api/auth/logout', { cookie: s.cookie })).status).toBe(204);
  expect(await here.c.next('session.revoked', undefined, WITHIN)).toEqual({ reason: 'signed-out' });
  await hereGone;
});

test('disabling an account closes its sockets', async () => {
  const admin = await fx.adminCookie();
  const s = await fx.account('surveyor', 'rv-disabled');
  const { inspection } = await fx.inspectionWithLink(s.cookie);
  const joined = await fx.joinAsStaff(inspection.id, s.cookie);
  expect((await fx.server.api('POST', `/api/accounts/${s.id}/disable`, { cookie: admin })).status).toBe(200);
  expect(await joined.c.next('session.revoked', undefined, WITHIN)).toEqual({ reason: 'account-disabled' });
});

describe('a link that expires while connected', () => {
  let short: Fixture;
  beforeAll(async () => {
    // 0.0005 h = 1.8 s.
    short = await startFixture({ CREW_LINK_TTL_HOURS: '0.0005' });
  });
  afterAll(() => short.stop());

  test('closes the crew phone when it expires, saying so', async () => {
    const s = await short.account('surveyor', 'rv-expiry');
    const { token } = await short.inspectionWithLink(s.cookie);
    const crew = await short.joinAsCrew(token);
    expect(await crew.c.next('session.revoked', undefined, { timeoutMs: 5_000 })).toEqual({ reason: 'link-expired' });
    await closed(crew.c);
  });
});
