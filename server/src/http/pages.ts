// Static pages. The crew link (/join/<token>) is checked before the page is served: a forged,
// expired, revoked or finished link gets a short bilingual explanation with 401/410 instead, and
// too many link opens from one address within the window get it with 429 and Retry-After.
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { HTTP_STATUS, toWireError, type ErrorCode } from '@cloudship/shared';
import { TooManyRequests, type Throttles } from '../auth/throttle';
import type { InspectionService } from '../inspection/inspection-service';
import { renderedPageCsp } from '../lib/csp';

const EXPLANATIONS: Partial<Record<ErrorCode, [zh: string, en: string]>> = {
  UNAUTHENTICATED: ['此检验链接无效。请向验船师索取新的链接。', 'This inspection link is not valid. Ask the surveyor for a new one.'],
  LINK_EXPIRED: ['此检验链接已过期。请向验船师索取新的链接。', 'This inspection link has expired. Ask the surveyor for a new one.'],
  LINK_REVOKED: ['此检验链接已被验船师撤回。', 'This inspection link was withdrawn by the surveyor.'],
  INSPECTION_ENDED: ['本次检验已结束，感谢配合。', 'This inspection has ended. Thank you.'],
  NOT_FOUND: ['找不到此检验。', 'This inspection does not exist.'],
  TOO_MANY_REQUESTS: ['尝试次数过多，请稍后再打开此链接。', 'Too many attempts: open the link again in a little while.'],
};

const LINK_ERROR_CSS =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#123}h1{font-size:1.3rem}p{font-size:1.1rem;line-height:1.5}';

/** The error page's own policy: its one inline style sheet (by hash), nothing else. */
export const LINK_ERROR_PAGE_CSP = renderedPageCsp({ styles: [LINK_ERROR_CSS] });

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function linkErrorPage(code: ErrorCode): string {
  const [zh, en] = EXPLANATIONS[code] ?? ['无法打开此链接。', 'This link cannot be opened.'];
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>云船检 Cloud Ship Inspection</title><style>${LINK_ERROR_CSS}</style></head>
<body><h1>云船检 · Cloud Ship Inspection</h1><p data-testid="link-error" data-code="${code}">${escape(zh)}</p><p lang="en">${escape(en)}</p></body></html>`;
}

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
      const { code } = toWireError(e);
      if (e instanceof TooManyRequests && e.retryAfterSeconds !== null) res.set('Retry-After', String(e.retryAfterSeconds));
      res
        .status(HTTP_STATUS[code])
        .set({ 'Content-Security-Policy': LINK_ERROR_PAGE_CSP, 'Cache-Control': 'no-store' })
        .type('html')
        .send(linkErrorPage(code));
    }
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
