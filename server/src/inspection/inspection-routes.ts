// REST routes of the inspection itself: list, schedule, details, crew links, end, and what a crew
// link invites to.
import express, { type Request } from 'express';
import QRCode from 'qrcode';
import { createInspectionSchema, parseInput, type CrewLinkView } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { crewToken, staffRoute } from '../auth/staff-route';
import type { InspectionLifecycle } from './inspection-lifecycle';
import type { InspectionService } from './inspection-service';

export interface InspectionRouteDeps {
  accounts: AccountService;
  inspections: InspectionService;
  lifecycle: InspectionLifecycle;
  /** Base URL for crew links (scheme://host:port), derived from the request when not configured. */
  publicUrl: (req: Request) => string;
}

export function inspectionRouter(deps: InspectionRouteDeps): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '32kb' }));
  const authed = staffRoute(deps.accounts);

  router.get(
    '/inspections',
    authed('inspection.read', async (_req, res) => {
      res.json({ inspections: await deps.inspections.list() });
    }),
  );

  router.post(
    '/inspections',
    authed('inspection.create', async (req, res) => {
      const inspection = await deps.lifecycle.schedule(parseInput(createInspectionSchema, req.body ?? {}), req.account);
      const [view] = await deps.inspections.views([inspection]);
      res.status(201).json({ inspection: view });
    }),
  );

  router.get(
    '/inspections/:id',
    authed('inspection.read', async (req, res) => {
      res.json({ inspection: await deps.inspections.detail(String(req.params.id)) });
    }),
  );

  router.post(
    '/inspections/:id/crew-link',
    authed('crewLink.manage', async (req, res) => {
      const { token, expiresAt } = await deps.inspections.createCrewLink(String(req.params.id), req.account);
      const url = `${deps.publicUrl(req)}/join/${token}`;
      const view: CrewLinkView = { url, expiresAt: expiresAt.toISOString(), qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1 }) };
      res.status(201).json(view);
    }),
  );

  router.delete(
    '/inspections/:id/crew-links',
    authed('crewLink.manage', async (req, res) => {
      await deps.inspections.revokeCrewLinks(String(req.params.id));
      res.status(204).end();
    }),
  );

  router.post(
    '/inspections/:id/end',
    authed('inspection.end', async (req, res) => {
      const id = String(req.params.id);
      await deps.lifecycle.end(id);
      res.json({ inspection: await deps.inspections.detail(id) });
    }),
  );

  // The crew page asks what it was invited to, with the token from its URL.
  router.get('/crew/invitation', async (req, res) => {
    const cred = await deps.inspections.resolveCrewToken(crewToken(req));
    res.json(await deps.inspections.invitation(cred));
  });

  return router;
}
