// Credentials of REST requests. The guard of every staff REST route: signed in (session cookie), and the role holds the
// permission (never a role name). Answers are never cached: they depend on who asks.
import type { Request, RequestHandler, Response } from 'express';
import * as cookie from 'cookie';
import { AppError, can, type Permission } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import type { Account } from './entities';
import { SESSION_COOKIE } from './session-cookie';

export type Authed = Request & { account: Account };

export function sessionToken(req: Request): string | undefined {
  return cookie.parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
}

/** The crew link token a phone sends as `Authorization: Crew <token>`; UNAUTHENTICATED without one. */
export function crewToken(req: Request): string {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Crew ')) throw new AppError('UNAUTHENTICATED', 'Missing crew link token.');
  return header.slice(5).trim();
}

/**
 * `beforePasswordChange`: the route also serves an account that must first change a generated
 * password (who am I, change password); every other route refuses it with PASSWORD_CHANGE_REQUIRED.
 */
export function staffRoute(accounts: AccountService, options: { beforePasswordChange?: boolean } = {}) {
  return (permission: Permission, handler: (req: Authed, res: Response) => Promise<void>): RequestHandler =>
    async (req, res) => {
      const account = await accounts.authenticate(sessionToken(req));
      if (!account) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
      if (account.mustChangePassword && !options.beforePasswordChange) {
        throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Change the password you were given before anything else.');
      }
      if (!can(account.role, permission)) throw new AppError('FORBIDDEN', 'Your role may not do this.');
      (req as Authed).account = account;
      res.set('Cache-Control', 'no-store');
      await handler(req as Authed, res);
    };
}
