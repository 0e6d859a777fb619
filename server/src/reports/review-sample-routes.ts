// REST routes of the review samples (admins: review.sample). POST draws and records one; GET lists
// the latest and opens one with a page of its inspections.
import express from 'express';
import { AppError, drawSampleSchema, parseInput } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { staffRoute } from '../auth/staff-route';
import type { ReviewSampleService } from './review-sample-service';

export function reviewSampleRouter(deps: { accounts: AccountService; samples: ReviewSampleService }): express.Router {
  const router = express.Router();
  const authed = staffRoute(deps.accounts);

  router.post(
    '/review-samples',
    authed('review.sample', async (req, res) => {
      const body = parseInput(drawSampleSchema, req.body ?? {});
      res.status(201).json({ sample: await deps.samples.draw(req.account, body) });
    }),
  );

  router.get(
    '/review-samples',
    authed('review.sample', async (_req, res) => {
      res.json({ samples: await deps.samples.list() });
    }),
  );

  router.get(
    '/review-samples/:id',
    authed('review.sample', async (req, res) => {
      const raw = req.query.offset;
      const offset = raw === undefined ? 0 : Number(raw);
      if (typeof raw !== 'undefined' && (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw))) {
        throw new AppError('BAD_REQUEST', 'offset: a whole number from 0');
      }
      res.json(await deps.samples.get(String(req.params.id), offset));
    }),
  );

  return router;
}
