// The origin rule, for both edges: a browser request that says where it comes from (Origin, or
// without one Referer) must come from the server's own origin. "Own" is scheme://host[:port] of the
// request's Host header (the scheme is the server's: HTTPS or not), and the origin of PUBLIC_URL
// when that is set (behind a proxy that rewrites Host). Requests that name no origin at all (curl,
// scripts, tests) are not browser cross-site requests and pass.
//
// `Origin: null`: the Fetch standard has a browser send it for a same-origin POST whose referrer
// policy is no-referrer (our pages' policy; Chromium sends the origin anyway for fetch()), but a
// sandboxed or no-referrer attacker page sends it too. It passes only with the browser's own
// `Sec-Fetch-Site: same-origin`, which no page can forge.
//
// Used by socket.io's allowRequest (signaling/) and, for cookie-authenticated state-changing REST
// requests, by crossSiteGuard() below (mounted in app.ts).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import * as cookie from 'cookie';
import { AppError } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { SESSION_COOKIE } from './session-cookie';

const logger = new Logger('same-origin');

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function originOf(url: string): string | null {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

export class OriginPolicy {
  private readonly publicOrigin: string | null;

  constructor(
    private readonly https: boolean,
    publicUrl: string | null,
  ) {
    this.publicOrigin = publicUrl ? originOf(publicUrl) : null;
  }

  /** The origins a request to this server may come from. */
  ownOrigins(headers: IncomingHttpHeaders): string[] {
    const own: string[] = [];
    if (this.publicOrigin) own.push(this.publicOrigin);
    const host = headers.host;
    // A Host that is not host[:port] (an injected path or credentials) names no origin of ours.
    if (host && /^[A-Za-z0-9.\-_[\]:]+$/.test(host)) {
      const o = originOf(`${this.https ? 'https' : 'http'}://${host}`);
      if (o) own.push(o);
    }
    return own;
  }

  /**
   * The origin the browser says the request comes from: Origin, or the origin of Referer when
   * Origin is absent; undefined when neither is sent, 'null' for an opaque origin.
   */
  private static claimed(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    if (origin !== undefined) return originOf(origin) ?? 'null';
    const referer = headers.referer;
    if (referer !== undefined) return originOf(referer) ?? 'null';
    return undefined;
  }

  /** True unless the request names an origin that is not ours. */
  allows(headers: IncomingHttpHeaders): boolean {
    const claimed = OriginPolicy.claimed(headers);
    if (claimed === undefined) return true;
    if (claimed === 'null') return headers['sec-fetch-site'] === 'same-origin';
    return this.ownOrigins(headers).includes(claimed);
  }

  /** socket.io's `allowRequest`: the handshake (and upgrade) of a foreign page is refused. */
  allowRequest(): (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void {
    return (req, callback) => {
      if (this.allows(req.headers)) return callback(null, true);
      logger.info('allowRequest() | cross-site handshake refused', { origin: String(req.headers.origin ?? '').slice(0, 200) });
      callback('Cross-site request refused', false);
    };
  }

  /**
   * Express middleware for /api: a state-changing request (POST, PUT, PATCH, DELETE) that carries
   * the session cookie and names a foreign origin is FORBIDDEN before any route sees it. Crew
   * routes (`Authorization: Crew`) and requests without the cookie are not cookie-authenticated.
   */
  crossSiteGuard(): RequestHandler {
    return (req, _res, next) => {
      if (!STATE_CHANGING.has(req.method)) return next();
      if ((req.headers.authorization ?? '').startsWith('Crew ')) return next();
      if (cookie.parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE] === undefined) return next();
      if (this.allows(req.headers)) return next();
      logger.info('crossSiteGuard() | cross-site request refused', {
        method: req.method,
        path: req.path.slice(0, 200),
        origin: String(req.headers.origin ?? req.headers.referer ?? '').slice(0, 200),
      });
      next(new AppError('FORBIDDEN', 'Cross-site request refused'));
    };
  }
}
