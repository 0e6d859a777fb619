// REST API: sign-in, accounts, inspections, crew links.
import express, { type Request } from 'express';
import QRCode from 'qrcode';
import {
  createAccountSchema,
  changePasswordSchema,
  createInspectionSchema,
  loginSchema,
  type CrewLinkView,
} from '@cloudship/shared';
import { toAccountView, type AccountService } from '../auth/account-service';
import type { InspectionService } from '../inspections/inspection-service';
import { parseBody } from './errors';
import { SESSION_COOKIE } from './session-cookie';
import { crewToken, sessionToken, staffRoute } from './staff-route';

export interface ApiDeps {
  accounts: AccountService;
  inspections: InspectionService;
  endInspection(inspectionId: string): Promise<void>;
  /** Base URL for crew links (scheme://host:port), derived from the request when not configured. */
  publicUrl(req: Request): string;
  secureCookies: boolean;
}

export function apiRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '32kb' }));
  // API answers depend on cookies and tokens in headers: never let a browser cache them.
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const authed = staffRoute(deps.accounts);

  router.post('/auth/login', async (req, res) => {
    const body = parseBody(loginSchema, req.body);
    const { account, token, expiresAt } = await deps.accounts.signIn(body.username, body.password);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, expires: expiresAt, path: '/' });
    res.json({ account: toAccountView(account) });
  });

  router.post('/auth/logout', async (req, res) => {
    const token = sessionToken(req);
    if (token) await deps.accounts.signOut(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.post('/auth/password', authed('inspection.read', async (req, res) => {
    const body = parseBody(changePasswordSchema, req.body);
    const token = sessionToken(req)!;
    await deps.accounts.changePassword(req.account, body.currentPassword, body.newPassword, token);
    res.status(204).end();
  }));

  router.get('/me', authed('inspection.read', async (req, res) => {
    res.json({ account: toAccountView(req.account) });
  }));

  router.get('/accounts', authed('account.manage', async (_req, res) => {
    res.json({ accounts: (await deps.accounts.list()).map(toAccountView) });
  }));

  router.post('/accounts', authed('account.manage', async (req, res) => {
    const account = await deps.accounts.create(parseBody(createAccountSchema, req.body));
    res.status(201).json({ account: toAccountView(account) });
  }));

  router.get('/inspections', authed('inspection.read', async (_req, res) => {
    res.json({ inspections: await deps.inspections.list() });
  }));

  router.post('/inspections', authed('inspection.create', async (req, res) => {
    const inspection = await deps.inspections.create(parseBody(createInspectionSchema, req.body), req.account);
    const [view] = await deps.inspections.views([inspection]);
    res.status(201).json({ inspection: view });
  }));

  router.get('/inspections/:id', authed('inspection.read', async (req, res) => {
    res.json({ inspection: await deps.inspections.detail(String(req.params.id)) });
  }));

  router.post('/inspections/:id/crew-link', authed('crewLink.manage', async (req, res) => {
    const { token, expiresAt } = await deps.inspections.createCrewLink(String(req.params.id), req.account);
    const url = `${deps.publicUrl(req)}/join/${token}`;
    const view: CrewLinkView = { url, expiresAt: expiresAt.toISOString(), qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1 }) };
    res.status(201).json(view);
  }));

  router.delete('/inspections/:id/crew-links', authed('crewLink.manage', async (req, res) => {
    await deps.inspections.revokeCrewLinks(String(req.params.id));
    res.status(204).end();
  }));

  router.post('/inspections/:id/end', authed('inspection.end', async (req, res) => {
    const id = String(req.params.id);
    await deps.endInspection(id);
    res.json({ inspection: await deps.inspections.detail(id) });
  }));

  // The crew page asks what it was invited to, with the token from its URL.
  router.get('/crew/invitation', async (req, res) => {
    const cred = await deps.inspections.resolveCrewToken(crewToken(req));
    res.json(await deps.inspections.invitation(cred));
  });

  return router;
}
