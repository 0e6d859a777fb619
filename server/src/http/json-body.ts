// JSON request bodies of the API, parsed once, in front of every router. A parser inside a router
// mounted at /api runs for every request that passes through that router, so also for the routes
// of the routers mounted after it: the sign-in router's 32 kB parser refused every annotated still
// whose flattened JPEG (base64, up to 4 MB) was larger, with 413, before its route was reached.
import express, { type RequestHandler } from 'express';

/** A route that takes a larger body than the default (method, path below /api, limit in bytes). */
export interface LargeBody {
  method: 'POST' | 'PUT' | 'PATCH';
  path: RegExp;
  limit: number;
}

export const DEFAULT_JSON_LIMIT = 64 * 1024;

export function jsonBodies(large: readonly LargeBody[]): RequestHandler {
  const normal = express.json({ limit: DEFAULT_JSON_LIMIT });
  const parsers = large.map((l) => ({ ...l, parse: express.json({ limit: l.limit }) }));
  return (req, res, next) => {
    const route = parsers.find((p) => p.method === req.method && p.path.test(req.path));
    (route?.parse ?? normal)(req, res, next);
  };
}
