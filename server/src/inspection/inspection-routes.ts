// REST routes of the inspection itself: list, schedule, details, crew links, end, and what a crew
// link invites to.
import express, { type Request } from 'express';
import QRCode from 'qrcode';
import {
  z,
  assignAuditorSchema,
  createInspectionSchema,
  endInspectionSchema,
  inspectionListQuerySchema,
  parseInput,
  type CrewLinkView,
} from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { crewToken, staffRoute } from '../auth/staff-route';
import type { InspectionAccess } from './inspection-access';
import { inspectionRoute } from './inspection-guard';
import type { InspectionLifecycle } from './inspection-lifecycle';
import type { InspectionList } from './inspection-list';
import type { InspectionService } from './inspection-service';

export interface InspectionRouteDeps {
  accounts: AccountService;
  inspections: InspectionService;
  list: InspectionList;
  lifecycle: InspectionLifecycle;
  access: InspectionAccess;
  /** Base URL for crew links (scheme://host:port), derived from the request when not configured. */
  publicUrl: (req: Request) => string;
  /** PUBLIC_URL is set: crew links do not depend on how the console was opened. */
  publicUrlConfigured: boolean;
}

const crewLinkRequestSchema = z.object({ additional: z.boolean().optional() }).strict();

export function inspectionRouter(deps: InspectionRouteDeps): express.Router {
  const router = express.Router();
  const authed = staffRoute(deps.accounts);
  const scoped = inspectionRoute(deps.accounts, deps.access);

  router.get(
    '/inspections',
    authed('inspection.read', async (req, res) => {
      const page = await deps.list.page(req.account, parseInput(inspectionListQuerySchema, req.query ?? {}), 'listed');
      res.json({ inspections: await deps.inspections.views(page.rows), nextCursor: page.nextCursor });
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
    scoped('inspection.read', async (req, res) => {
      res.json({ inspection: await deps.inspections.detail(req.inspection.id) });
    }),
  );

  // The lead surveyor (or an admin) invites surveyors to work on the inspection with them.
  router.post(
    '/inspections/:id/co-surveyors',
    scoped('inspection.members', async (req, res) => {
      const { accountId } = parseInput(assignAuditorSchema, req.body ?? {});
      await deps.access.addCoSurveyor(req.account, req.inspection.id, accountId);
      res.status(201).json({ members: await deps.access.members(req.inspection) });
    }),
  );

  router.delete(
    '/inspections/:id/co-surveyors/:accountId',
    scoped('inspection.members', async (req, res) => {
      await deps.access.removeCoSurveyor(req.account, req.inspection.id, String(req.params.accountId));
      res.json({ members: await deps.access.members(req.inspection) });
    }),
  );

  // The inspection's crew link: the current one again (200) or, when there is none, a new one
  // (201). `additional: true` always makes one more (another phone: one seat per link).
  router.post(
    '/inspections/:id/crew-link',
    scoped('crewLink.manage', async (req, res) => {
      const { additional } = parseInput(crewLinkRequestSchema, req.body ?? {});
      const id = req.inspection.id;
      const link = additional
        ? await deps.inspections.createCrewLink(id, req.account)
        : await deps.inspections.currentCrewLink(id, req.account);
      const base = deps.publicUrl(req);
      const shortUrl = `${base}/j/${link.code}`;
      const view: CrewLinkView = {
        url: `${base}/join/${link.token}`,
        shortUrl,
        code: link.code,
        expiresAt: link.expiresAt.toISOString(),
        qrSvg: await QRCode.toString(shortUrl, { type: 'svg', margin: 1 }),
        publicUrlConfigured: deps.publicUrlConfigured,
        created: link.created,
      };
      res.status(link.created ? 201 : 200).json(view);
    }),
  );

  router.delete(
    '/inspections/:id/crew-links',
    scoped('crewLink.manage', async (req, res) => {
      await deps.inspections.revokeCrewLinks(String(req.params.id));
      res.status(204).end();
    }),
  );

  router.post(
    '/inspections/:id/end',
    scoped('inspection.end', async (req, res) => {
      const id = req.inspection.id;
      await deps.lifecycle.end(id, parseInput(endInspectionSchema, req.body ?? {}));
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
