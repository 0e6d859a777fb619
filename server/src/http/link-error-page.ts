// The crew link's error page: a short bilingual explanation, rendered by the server (no script,
// its one inline style allowed by hash), for every way a link opened on a phone can fail: forged,
// cut short, mistyped, unknown, expired, withdrawn, finished, throttled. Never JSON: whoever sees
// it opened a link, not an API.
import type { Response } from 'express';
import { HTTP_STATUS, toWireError, type ErrorCode } from '@cloudship/shared';
import { TooManyRequests } from '../auth/throttle';
import { renderedPageCsp } from '../lib/csp';

const EXPLANATIONS: Partial<Record<ErrorCode, [zh: string, en: string]>> = {
  UNAUTHENTICATED: ['此检验链接无效。请向验船师索取新的链接。', 'This inspection link is not valid. Ask the surveyor for a new one.'],
  BAD_REQUEST: [
    '此检验链接不完整或有误。请打开消息中的完整链接，或向验船师索取新的链接。',
    'This inspection link is incomplete or mistyped. Open the whole link from the message, or ask the surveyor for a new one.',
  ],
  LINK_EXPIRED: ['此检验链接已过期。请向验船师索取新的链接。', 'This inspection link has expired. Ask the surveyor for a new one.'],
  LINK_REVOKED: ['此检验链接已被验船师撤回。', 'This inspection link was withdrawn by the surveyor.'],
  INSPECTION_ENDED: ['本次检验已结束，感谢配合。', 'This inspection has ended. Thank you.'],
  NOT_FOUND: [
    '找不到此检验链接。请核对链接是否完整，或向验船师索取新的链接。',
    'There is no inspection at this link. Check that the whole link was opened, or ask the surveyor for a new one.',
  ],
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

/**
 * Paths that are, or could be, a crew link cut short: `/j`, `/j/…`, `/jo`, `/joi`, `/join/…` (the
 * phone page itself, `/join`, is not one). Their errors are answered with the page, not JSON.
 */
export function isCrewLinkPath(path: string): boolean {
  return /^\/(j|jo|joi)\/?$/i.test(path) || /^\/(j|join)\/./i.test(path);
}

/** Answers `error` (anything thrown) with the page, its status and, when throttled, Retry-After. */
export function sendLinkErrorPage(res: Response, error: unknown): void {
  const { code } = toWireError(error);
  if (error instanceof TooManyRequests && error.retryAfterSeconds !== null) res.set('Retry-After', String(error.retryAfterSeconds));
  res
    .status(HTTP_STATUS[code])
    .set({ 'Content-Security-Policy': LINK_ERROR_PAGE_CSP, 'Cache-Control': 'no-store' })
    .type('html')
    .send(linkErrorPage(code));
}
