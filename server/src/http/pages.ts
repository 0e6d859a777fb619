// Static pages. The crew link (/join/<token>, or its short form /j/<code>) is checked before the
// page is served: a forged, expired, revoked or finished link gets a short bilingual explanation
// with 401/410 instead, a short link cut short or mistyped 400, an unknown one 404, and too many
// link opens from one address within the window 429 and Retry-After (link-error-page.ts).
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { AppError } from '@cloudship/shared';
import type { Throttles } from '../auth/throttle';
import type { InspectionService } from '../inspection/inspection-service';
import { isCrewLinkPath, sendLinkErrorPage } from './link-error-page';

export function pagesRouter(clientDist: string, inspections: InspectionService, throttles: Throttles): express.Router {
  const router = express.Router();
  const page = (name: string) => path.join(clientDist, name);
  if (!fs.existsSync(page('index.html'))) throw new Error(`client pages not built: ${clientDist} (run npm start, which builds them)`);

  // The crew page moves its token out of the address bar (it keeps it in the tab's sessionStorage);
  // a reload asks for /join, which is the page itself and reveals nothing.
  router.get('/join', (_req, res) => {
    res.set('Cache-Control', 'no-store').sendFile(page('join.html'));
  });

  router.get('/join/:token', async (req, res) => {
    try {
      await throttles.crewLinkOpen(req);
      await inspections.resolveCrewToken(String(req.params.token));
      res.set('Cache-Control', 'no-store').sendFile(page('join.html'));
    } catch (e) {
      sendLinkErrorPage(res, e);
    }
  });

  // The short link: its code names a link row, checked as its signed token is; the phone then
  // goes on to the signed link, whose page moves the token out of the address bar at once.
  router.get('/j/:code', async (req, res) => {
    try {
      await throttles.crewLinkOpen(req);
      const { token } = await inspections.resolveCrewCode(String(req.params.code));
      res.set('Cache-Control', 'no-store').redirect(302, `/join/${token}`);
    } catch (e) {
      sendLinkErrorPage(res, e);
    }
  });

  // Anything else shaped like a crew link cut short (`/j`, `/jo`, `/join/a/b`): the same page.
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isCrewLinkPath(req.path)) return next();
    sendLinkErrorPage(res, new AppError('NOT_FOUND', 'No inspection link here.'));
  });
  router.use(
    express.static(clientDist, {
      index: 'index.html',
      maxAge: '1h',
      setHeaders: (res, p) => {
        if (p.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  return router;
}
