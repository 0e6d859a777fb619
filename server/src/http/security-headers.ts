// Response headers for every answer (helmet): the Content-Security-Policy the application pages
// (console, crew page, replay; bundled by Vite into module scripts and style sheets, no inline
// script or <style>, element styles set only through the CSSOM) satisfy, frame protection,
// nosniff, no referrer, and HSTS when serving HTTPS. The pages the server renders itself (the crew
// link's error page, the printable report) replace the policy with their own (lib/csp.ts).
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { OriginPolicy } from '../auth/same-origin';

/**
 * The WebSocket origins of the server itself (ws://host:port, wss:// when HTTPS) for connect-src:
 * CSP 3 browsers match them with 'self' already, older Safari does not.
 */
function webSocketOrigins(origins: OriginPolicy, req: IncomingMessage): string {
  const own = origins.ownOrigins(req.headers).map((o) => o.replace(/^http/, 'ws'));
  return own.length ? [...new Set(own)].join(' ') : "'self'";
}

export const APP_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // QR codes are SVG data: URLs; stills may be shown from blob: URLs.
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

export function securityHeaders(options: { https: boolean; origins: OriginPolicy }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        ...APP_CSP_DIRECTIVES,
        connectSrc: ["'self'", (req) => webSocketOrigins(options.origins, req)],
        // Over plain HTTP (tests, loopback) upgrading would break every subresource.
        upgradeInsecureRequests: options.https ? [] : null,
      },
    },
    // HSTS only makes sense (and is only honoured) over HTTPS.
    strictTransportSecurity: options.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Stills and media are fetched by our own pages only.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  }) as RequestHandler;
}
