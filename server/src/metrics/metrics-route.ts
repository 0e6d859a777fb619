// GET /metrics: open to loopback (a Prometheus agent on the same host), otherwise only with
// `Authorization: Bearer <METRICS_TOKEN>`; without a token configured, remote scrapes get 403.
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { MetricsRegistry } from './metrics';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function metricsHandler(registry: MetricsRegistry, token: string | null): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    const authorized = expected && given.length === expected.length && crypto.timingSafeEqual(given, expected);
    if (!authorized && !LOOPBACK.test(req.socket.remoteAddress ?? '')) {
      res.status(403).type('text/plain').send('metrics: loopback only, or set METRICS_TOKEN and send it as a bearer token\n');
      return;
    }
    res.type('text/plain; version=0.0.4').send(await registry.render());
  };
}
