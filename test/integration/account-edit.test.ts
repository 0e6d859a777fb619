// Admins edit accounts: the display name and the role (PATCH /api/accounts/:id). A role change
// ends the account's sessions and sockets; nobody changes their own role or disables themselves;
// two admins demoting or disabling each other at once leave one admin; an account leading open
// inspections does not become an auditor, and an auditor's assignments end with its role.
// Usernames follow one rule (USERNAME_RULE) and a taken one, in any case, is a 409 saying so.
import { USERNAME_RULE } from '@cloudship/shared';
import { AuditAssignmentEntity } from '../../server/src/inspection/entities';
import { useFixture } from '../helpers/fixtures';
import type { SignalingClient } from '../helpers/signaling-client';

const fx = useFixture();

const WITHIN = { timeoutMs: 2_000 };

function closed(c: SignalingClient): Promise<void> {
  return new Promise((resolve) => (c.socket.disconnected ? resolve() : c.socket.once('disconnect', () => resolve())));
}

async function patch(cookie: string, id: string, body: unknown) {
  return fx.server.api('PATCH', `/api/accounts/${id}`, { cookie, body });
}

async function me(cookie: string) {
  return fx.server.api('GET', '/api/me', { cookie });
}

describe('editing an account', () => {
  test('a new display name is shown at once and the sessions go on', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'ed-name');
    const r = await patch(admin, s.id, { displayName: '  王验船师  ' });
    expect(r.status).toBe(200);
    expect(r.body.account).toMatchObject({ id: s.id, displayName: '王验船师', role: 'surveyor' });
    const still = await me(s.cookie);
    expect(still.status).toBe(200);
    expect(still.body.account.displayName).toBe('王验船师');
  });

  test('a role change ends the sessions and closes the sockets; the account signs in with its new role', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'ed-role');
    const { inspection } = await fx.inspectionWithLink(s.cookie);
    const joined = await fx.joinAsStaff(inspection.id, s.cookie);
    const gone = closed(joined.c);
    const r = await patch(admin, s.id, { role: 'admin' });
    expect(r.status).toBe(200);
    expect(r.body.account.role).toBe('admin');
    expect(await joined.c.next('session.revoked', undefined, WITHIN)).toEqual({ reason: 'role-changed' });
    await gone;
    expect((await me(s.cookie)).status).toBe(401);
    const again = await fx.server.signIn(s.username, s.password);
    expect((await me(again)).body.account.role).toBe('admin');
    // As an admin it now manages accounts.
    expect((await fx.server.api('GET', '/api/accounts', { cookie: again })).status).toBe(200);
  });

  test('the same role, or only the name, ends no session', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('auditor', 'ed-same');
    expect((await patch(admin, s.id, { role: 'auditor', displayName: 'Same Role' })).status).toBe(200);
    expect((await me(s.cookie)).status).toBe(200);
  });

  test('bad edits are refused with the field named and change nothing', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'ed-bad');
    for (const [body, field] of [
      [{}, 'displayName or role'],
      [{ role: 'crew' }, 'role'],
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x'.repeat(81) }, 'displayName'],
      [{ username: 'renamed' }, 'username'],
    ] as const) {
      const r = await patch(admin, s.id, body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(field);
    }
    expect((await patch(admin, '00000000-0000-0000-0000-000000000000', { displayName: 'Nobody' })).status).toBe(404);
    const other = await fx.account('surveyor', 'ed-not-admin');
    expect((await patch(other.cookie, s.id, { role: 'admin' })).status).toBe(403);
    const still = await me(s.cookie);
    expect(still.status).toBe(200);
    expect(still.body.account).toMatchObject({ displayName: 'ed-bad', role: 'surveyor' });
  });
});

describe('an admin and their own account', () => {
  test('cannot change their own role or disable themselves, but may rename themselves', async () => {
    const admin = await fx.adminCookie();
    const self = (await me(admin)).body.account;
    for (const role of ['surveyor', 'auditor']) {
      const r = await patch(admin, self.id, { role });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/^role: you cannot change your own role/);
    }
    expect((await fx.server.api('POST', `/api/accounts/${self.id}/disable`, { cookie: admin })).status).toBe(400);
    const renamed = await patch(admin, self.id, { displayName: 'Chief Administrator' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.account.role).toBe('admin');
    expect((await me(admin)).body.account).toMatchObject({ role: 'admin', disabled: false, displayName: 'Chief Administrator' });
  });

  test('two admins demoting each other at once leave one admin, and the other is told why', async () => {
    const admin = await fx.adminCookie();
    const a = await fx.account('admin', 'ed-admin-a');
    const b = await fx.account('admin', 'ed-admin-b');
    const self = (await me(admin)).body.account;
    const results = await Promise.all([patch(a.cookie, b.id, { role: 'surveyor' }), patch(b.cookie, a.id, { role: 'surveyor' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    const refused = results.find((r) => r.status === 403)!;
    expect(refused.body.error.message).toMatch(/no longer an administrator/);
    const accounts = (await fx.server.api('GET', '/api/accounts', { cookie: admin })).body.accounts as Array<{ id: string; role: string }>;
    const roles = [a.id, b.id].map((id) => accounts.find((x) => x.id === id)!.role).sort();
    expect(roles).toEqual(['admin', 'surveyor']);
    expect(accounts.find((x) => x.id === self.id)!.role).toBe('admin');
  });

  test('two admins disabling each other at once leave one enabled', async () => {
    const a = await fx.account('admin', 'ed-admin-c');
    const b = await fx.account('admin', 'ed-admin-d');
    const results = await Promise.all([
      fx.server.api('POST', `/api/accounts/${b.id}/disable`, { cookie: a.cookie }),
      fx.server.api('POST', `/api/accounts/${a.id}/disable`, { cookie: b.cookie }),
    ]);
    // The second finds its admin disabled: its session is gone (401) or it is refused (403).
    expect(results.map((r) => r.status).sort()).toEqual([200, results.find((r) => r.status !== 200)!.status]);
    expect([401, 403]).toContain(results.find((r) => r.status !== 200)!.status);
    const admin = await fx.adminCookie();
    const accounts = (await fx.server.api('GET', '/api/accounts', { cookie: admin })).body.accounts as Array<{
      id: string;
      disabled: boolean;
    }>;
    expect([a.id, b.id].map((id) => accounts.find((x) => x.id === id)!.disabled).sort()).toEqual([false, true]);
  });
});

describe('a role change and the inspections of the account', () => {
  test('a surveyor leading an open inspection is not made an auditor until it has ended', async () => {
    const admin = await fx.adminCookie();
    const s = await fx.account('surveyor', 'ed-lead');
    const { inspection } = await fx.inspectionWithLink(s.cookie);
    const refused = await patch(admin, s.id, { role: 'auditor' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^role: this account works on 1 inspection\(s\) that have not ended/);
    expect((await me(s.cookie)).body.account.role).toBe('surveyor');

    expect(
      (await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: s.cookie, body: { toBeContinued: true } })).status,
    ).toBe(200);
    expect((await patch(admin, s.id, { role: 'auditor' })).status).toBe(200);
    const auditor = await fx.server.signIn(s.username, s.password);
    // It led the inspection: as an auditor it neither reads it nor may be assigned to review it.
    expect((await fx.server.api('GET', `/api/inspections/${inspection.id}`, { cookie: auditor })).status).toBe(404);
    const assign = await fx.server.api('POST', `/api/inspections/${inspection.id}/auditors`, { cookie: admin, body: { accountId: s.id } });
    expect(assign.status).toBe(400);
    expect(assign.body.error.message).toMatch(/worked on the inspection/);
  });

  test('a co-surveyor of an open inspection is not made an auditor either', async () => {
    const admin = await fx.adminCookie();
    const lead = await fx.account('surveyor', 'ed-co-lead');
    const co = await fx.account('surveyor', 'ed-co');
    const { inspection } = await fx.inspectionWithLink(lead.cookie);
    const invited = await fx.server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, {
      cookie: lead.cookie,
      body: { accountId: co.id },
    });
    expect(invited.status).toBeLessThan(300);
    expect((await patch(admin, co.id, { role: 'auditor' })).status).toBe(409);
    // Made an admin instead, it goes on working on it.
    expect((await patch(admin, co.id, { role: 'admin' })).status).toBe(200);
  });

  test('an auditor made a surveyor loses its assignments: they do not come back with the auditor role', async () => {
    const admin = await fx.adminCookie();
    const lead = await fx.account('surveyor', 'ed-au-lead');
    const au = await fx.account('auditor', 'ed-au');
    const { inspection } = await fx.inspectionWithLink(lead.cookie);
    expect(
      (await fx.server.api('POST', `/api/inspections/${inspection.id}/auditors`, { cookie: admin, body: { accountId: au.id } })).status,
    ).toBeLessThan(300);
    expect((await fx.server.api('GET', `/api/inspections/${inspection.id}`, { cookie: au.cookie })).status).toBe(200);
    expect((await patch(admin, au.id, { role: 'surveyor' })).status).toBe(200);
    expect(await fx.server.db.getRepository(AuditAssignmentEntity).countBy({ accountId: au.id })).toBe(0);
    expect((await patch(admin, au.id, { role: 'auditor' })).status).toBe(200);
    const again = await fx.server.signIn(au.username, au.password);
    expect((await fx.server.api('GET', `/api/inspections/${inspection.id}`, { cookie: again })).status).toBe(404);
  });
});

describe('usernames', () => {
  async function create(username: string) {
    const admin = await fx.adminCookie();
    return fx.server.api('POST', '/api/accounts', {
      cookie: admin,
      body: { username, displayName: 'Someone', password: 'a-long-enough-password', role: 'surveyor' },
    });
  }

  test('follow the one rule: 3 to 64 letters, digits, _ . -', async () => {
    expect(USERNAME_RULE).toEqual({ minLength: 3, maxLength: 64, pattern: '[A-Za-z0-9_.\\-]+' });
    for (const bad of ['ab', 'li wei', '李伟', 'a'.repeat(65), 'semi;colon', 'slash/name']) {
      const r = await create(bad);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/^username: /);
    }
    expect((await create('li.wei_2-x')).status).toBe(201);
    expect((await create('x'.repeat(64))).status).toBe(201);
  });

  test('a taken username, in any case, is a 409 that says so', async () => {
    expect((await create('zhang.san')).status).toBe(201);
    for (const again of ['zhang.san', 'Zhang.San', 'ZHANG.SAN']) {
      const r = await create(again);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
      expect(r.body.error.message).toBe(`username: "${again}" is already taken; choose another username.`);
    }
  });

  test('five creations of one username at once make one account and four 409s', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => create('same.time')));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });
});
