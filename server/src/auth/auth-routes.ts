// REST routes of staff sign-in and accounts: login, logout, who am I, password change, and the
// admin's accounts: list, create, edit (display name, role), disable, enable, reset the password.
import express from 'express';
import { changePasswordSchema, createAccountSchema, loginSchema, parseInput, updateAccountSchema } from '@cloudship/shared';
import { toAccountView, type AccountService } from './account-service';
import { SESSION_COOKIE } from './session-cookie';
import { sessionToken, staffRoute } from './staff-route';
import { clientIp, type LoginThrottle } from './throttle';

export interface AuthRouteDeps {
  accounts: AccountService;
  secureCookies: boolean;
  /** Wrong passwords per username and per IP (429 with Retry-After while locked). */
  loginThrottle: LoginThrottle;
}

export function authRouter(deps: AuthRouteDeps): express.Router {
  const router = express.Router();
  const authed = staffRoute(deps.accounts);
  const authedFirst = staffRoute(deps.accounts, { beforePasswordChange: true });

  router.post('/auth/login', async (req, res) => {
    const body = parseInput(loginSchema, req.body ?? {});
    const { account, token, expiresAt } = await deps.loginThrottle.guard(clientIp(req), body.username, () =>
      deps.accounts.signIn(body.username, body.password),
    );
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, expires: expiresAt, path: '/' });
    res.json({ account: toAccountView(account) });
  });

  router.post('/auth/logout', async (req, res) => {
    const token = sessionToken(req);
    if (token) await deps.accounts.signOut(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.post(
    '/auth/password',
    authedFirst('inspection.read', async (req, res) => {
      const body = parseInput(changePasswordSchema, req.body ?? {});
      const token = sessionToken(req)!;
      await deps.accounts.changePassword(req.account, body.currentPassword, body.newPassword, token);
      res.status(204).end();
    }),
  );

  router.get(
    '/me',
    authedFirst('inspection.read', async (req, res) => {
      res.json({ account: toAccountView(req.account) });
    }),
  );

  router.get(
    '/accounts',
    authed('account.manage', async (_req, res) => {
      res.json({ accounts: (await deps.accounts.list()).map(toAccountView) });
    }),
  );

  router.post(
    '/accounts',
    authed('account.manage', async (req, res) => {
      const account = await deps.accounts.create(parseInput(createAccountSchema, req.body ?? {}));
      res.status(201).json({ account: toAccountView(account) });
    }),
  );

  // An admin edits an account's display name and role. A role change ends the account's sessions
  // and is refused for one's own account, for the last enabled admin, and by the features' rules
  // (inspection/: an account leading open inspections does not become an auditor).
  router.patch(
    '/accounts/:id',
    authed('account.manage', async (req, res) => {
      const body = parseInput(updateAccountSchema, req.body ?? {});
      res.json({ account: toAccountView(await deps.accounts.update(req.account, String(req.params.id), body)) });
    }),
  );

  // An admin disables or re-enables an account, or resets its password (the generated password is
  // answered once; it must be changed at the next sign-in). Each ends the account's sessions.
  router.post(
    '/accounts/:id/disable',
    authed('account.manage', async (req, res) => {
      res.json({ account: toAccountView(await deps.accounts.disable(req.account, String(req.params.id))) });
    }),
  );

  router.post(
    '/accounts/:id/enable',
    authed('account.manage', async (req, res) => {
      res.json({ account: toAccountView(await deps.accounts.enable(req.account, String(req.params.id))) });
    }),
  );

  router.post(
    '/accounts/:id/reset-password',
    authed('account.manage', async (req, res) => {
      const { account, password } = await deps.accounts.resetPassword(req.account, String(req.params.id));
      res.json({ account: toAccountView(account), oneTimePassword: password });
    }),
  );

  // Who can be invited to an inspection (co-surveyors) or assigned to review it (auditors).
  router.get(
    '/staff-directory',
    authed('inspection.members', async (_req, res) => {
      const people = (await deps.accounts.list()).filter((a) => !a.disabledAt && (a.role === 'surveyor' || a.role === 'auditor'));
      res.json({ people: people.map((a) => ({ id: a.id, displayName: a.displayName, role: a.role })) });
    }),
  );

  return router;
}
