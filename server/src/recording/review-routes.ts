// REST for the auditor's review of one inspection, and the list of its recordings. Every route goes through inspectionRoute: an
// auditor not assigned to the inspection gets 404 (its id is not confirmed) before any body is
// read; the surveyors whose work it is may read the review (403 when they try to write it).
import express from 'express';
import { parseInput, reviewCommentSchema, reviewStatusSchema } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import type { ReplayService } from './replay-service';
import type { ReviewService } from './review-service';

export function reviewRouter(deps: {
  accounts: AccountService;
  access: InspectionAccess;
  review: ReviewService;
  replay: Pick<ReplayService, 'recordingsOf'>;
}): express.Router {
  const router = express.Router();
  const scoped = inspectionRoute(deps.accounts, deps.access);

  router.get(
    '/inspections/:id/recordings',
    scoped('recording.replay', async (req, res) => {
      res.json({ recordings: await deps.replay.recordingsOf(req.inspection.id) });
    }),
  );

  router.get(
    '/inspections/:id/review',
    scoped('inspection.read', async (req, res) => {
      res.json(await deps.review.view(req.inspection.id));
    }),
  );

  router.post(
    '/inspections/:id/review/comments',
    scoped('review.write', async (req, res) => {
      const body = parseInput(reviewCommentSchema, req.body ?? {});
      res.status(201).json({ entry: await deps.review.comment(req.account, req.inspection.id, body) });
    }),
  );

  router.post(
    '/inspections/:id/review/status',
    scoped('review.write', async (req, res) => {
      const body = parseInput(reviewStatusSchema, req.body ?? {});
      res.status(201).json({ entry: await deps.review.setStatus(req.account, req.inspection.id, body) });
    }),
  );

  return router;
}
