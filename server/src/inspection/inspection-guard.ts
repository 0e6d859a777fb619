// The guard of every staff REST route about one inspection: signed in, the role holds the
// permission, and the account's relation to the inspection allows it there (InspectionAccess).
// Routes read the checked inspection and relation from the request instead of loading it again.
import type { RequestHandler, Response } from 'express';
import type { Permission, Relation } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { staffRoute, type Authed } from '../auth/staff-route';
import type { Inspection } from './entities';
import type { InspectionAccess } from './inspection-access';

export type InspectionRequest = Authed & { inspection: Inspection; relation: Relation };

export function inspectionRoute(accounts: AccountService, access: InspectionAccess) {
  const authed = staffRoute(accounts);
  return (permission: Permission, handler: (req: InspectionRequest, res: Response) => Promise<void>, param = 'id'): RequestHandler =>
    authed(permission, async (req, res) => {
      const { inspection, relation } = await access.assert(req.account, String(req.params[param]), permission);
      const scoped = req as InspectionRequest;
      scoped.inspection = inspection;
      scoped.relation = relation;
      await handler(scoped, res);
    });
}
