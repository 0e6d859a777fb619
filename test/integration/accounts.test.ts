// Staff accounts: a generated password must be changed first, admins disable and re-enable accounts
// and reset passwords (each ends the account's sessions), and password hashes made with older
// scrypt parameters are upgraded at sign-in.
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server';
import { connectError } from '../helpers/signaling-client';
import { useFixture } from '../helpers/fixtures';
import { sql } from '../helpers/sql';

const fx = useFixture();

async function login(server: TestServer, username: string, password: string) {
  const r = await server.api('POST', '/api/auth/login', { body: { username, password } });
  return { ...r, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! };
}

describe('a generated password', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ADMIN_PASSWORD: undefined });
  });
  afterAll(() => server.stop());

  test("the first admin's one-time password opens only the password change, then everything", async () => {
    const otp = server.oneTimeAdminPassword!;
    expect(otp).toMatch(/^[\w-]{10,}$/);
    const first = await login(server, ADMIN.username, otp);
    expect(first.status).toBe(200);
    expect(first.body.account.mustChangePassword).toBe(true);
    const blocked = await server.api('GET', '/api/inspections', { cookie: first.cookie });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await server.api('GET', '/api/me', { cookie: first.cookie })).status).toBe(200);
    const same = await server.api('POST', '/api/auth/password', { cookie: first.cookie, body: { currentPassword: otp, newPassword: otp } });
    expect(same.status).toBe(400);
    const changed = await server.api('POST', '/api/auth/password', {
      cookie: first.cookie,
      body: { currentPassword: otp, newPassword: 'a-password-of-my-own' },
    });
    expect(changed.status).toBe(204);
    expect((await server.api('GET', '/api/inspections', { cookie: first.cookie })).status).toBe(200);
    expect((await server.api('GET', '/api/me', { cookie: first.cookie })).body.account.mustChangePassword).toBe(false);
  });
});

describe('an admin manages accounts', () => {
  test('disabling ends the sessions and refuses sign-in; enabling lets it sign in again', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'dis-surveyor');
    const { inspection } = await fx.inspectionWithLink(s.cookie);
    const disabled = await fx.server.api('POST', `/api/accounts/${s.id}/disable`, { cookie: admin });
    expect(disabled.status).toBe(200);
    expect(disabled.body.account.disabled).toBe(true);
    expect((await fx.server.api('GET', '/api/me', { cookie: s.cookie })).status).toBe(401);
    expect(await connectError(fx.server.url, { inspectionId: inspection.id }, s.cookie)).toBe('UNAUTHENTICATED');
    const refused = await login(fx.server, s.username, s.password);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ACCOUNT_DISABLED');
    // A wrong password is told only that: nothing reveals the account is disabled.
    expect((await login(fx.server, s.username, 'not-the-password')).status).toBe(401);
    expect((await fx.server.api('POST', `/api/accounts/${s.id}/enable`, { cookie: admin })).status).toBe(200);
    expect((await login(fx.server, s.username, s.password)).status).toBe(200);
  });

  test('a reset password ends the sessions, replaces the old one and must be changed first', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'reset-surveyor');
    const reset = await fx.server.api('POST', `/api/accounts/${s.id}/reset-password`, { cookie: admin });
    expect(reset.status).toBe(200);
    const otp: string = reset.body.oneTimePassword;
    expect((await fx.server.api('GET', '/api/me', { cookie: s.cookie })).status).toBe(401);
    expect((await login(fx.server, s.username, s.password)).status).toBe(401);
    const fresh = await login(fx.server, s.username, otp);
    expect(fresh.status).toBe(200);
    expect(fresh.body.account.mustChangePassword).toBe(true);
    expect((await fx.server.api('GET', '/api/inspections', { cookie: fresh.cookie })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  test('bad requests change nothing: own account, unknown id, not an admin', async () => {
    const admin = await fx.adminCookie();
    const me = (await fx.server.api('GET', '/api/me', { cookie: admin })).body.account;
    expect((await fx.server.api('POST', `/api/accounts/${me.id}/disable`, { cookie: admin })).status).toBe(400);
    expect(
      (await fx.server.api('POST', '/api/accounts/00000000-0000-0000-0000-000000000000/reset-password', { cookie: admin })).status,
    ).toBe(404);
    const s = await fx.account('surveyor', 'plain-surveyor');
    expect((await fx.server.api('POST', `/api/accounts/${me.id}/disable`, { cookie: s.cookie })).status).toBe(403);
    expect((await fx.server.api('GET', '/api/me', { cookie: admin })).status).toBe(200);
  });
});

test('a hash made with older scrypt parameters is upgraded at sign-in', async () => {
  const s = await fx.account('surveyor', 'old-hash');
  const crypto = await import('node:crypto');
  const salt = crypto.randomBytes(16);
  const old = crypto.scryptSync(s.password, salt, 32, { N: 16384, r: 8, p: 1 });
  const stored = ['scrypt', 16384, 8, 1, salt.toString('base64url'), old.toString('base64url')].join('$');
  await sql(fx.server.db, 'UPDATE "account" SET "passwordHash" = ? WHERE "id" = ?', [stored, s.id]);
  expect((await login(fx.server, s.username, s.password)).status).toBe(200);
  const [row] = await sql<Array<{ passwordHash: string }>>(fx.server.db, 'SELECT "passwordHash" FROM "account" WHERE "id" = ?', [s.id]);
  expect(row!.passwordHash.split('$').slice(0, 4)).toEqual(['scrypt', '131072', '8', '1']);
  expect((await login(fx.server, s.username, s.password)).status).toBe(200);
});
