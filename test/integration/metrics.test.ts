// /metrics and load-based placement of new sessions on workers (real server, two real workers).
import type { TestServer } from '../helpers/test-server';
import { ok, opusParameters, vp8Parameters } from '../helpers/signaling-client';
import { connectTransports, useFixture } from '../helpers/fixtures';
import { metricsHandler } from '../../server/src/metrics/metrics-route';
import { MetricsRegistry } from '../../server/src/metrics/metrics';

// The clients stay connected for the whole file: the /metrics test counts the first test's media.
const fx = useFixture({ env: { MEDIASOUP_WORKERS: '2' }, clients: 'per-file' });
let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = fx.server;
  cookie = (await fx.account('surveyor', 'metrics1')).cookie;
});

async function joinAndProduce(auth: Record<string, unknown>, withCookie?: string, video = false) {
  const { c } = await fx.join(auth, 'x', withCookie);
  const { send } = await connectTransports(c, 'send');
  ok(
    await c.request('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: opusParameters(Math.floor(Math.random() * 1e8)),
      source: 'microphone',
    }),
  );
  if (video)
    ok(
      await c.request('produce', {
        transportId: send.id,
        kind: 'video',
        rtpParameters: vp8Parameters(Math.floor(Math.random() * 1e8)),
        source: 'camera',
      }),
    );
  await connectTransports(c, 'recv');
  return c;
}

test('a new session goes to the least loaded worker, not the next in turn', async () => {
  const a = await server.createInspection(cookie);
  const b = await server.createInspection(cookie);
  const c = await server.createInspection(cookie);
  // A: a busy session (surveyor + crew, audio and video both ways) on the first worker.
  await joinAndProduce({ inspectionId: a.id }, cookie);
  const { token } = await server.crewLink(cookie, a.id);
  await joinAndProduce({ crewToken: token }, undefined, true);
  // B: an empty room, which lands on the other worker.
  await server.rooms.getOrCreate(b.id);
  const workerA = server.rooms.get(a.id)!.worker;
  const workerB = server.rooms.get(b.id)!.worker;
  expect(workerB).not.toBe(workerA);
  // C: round-robin would come back to A's worker; by load it joins the idle one.
  await server.rooms.getOrCreate(c.id);
  expect(server.rooms.get(c.id)!.worker).toBe(workerB);
});

test('GET /metrics exposes sessions, participants, media objects and per-worker CPU and memory', async () => {
  const r = await server.api('GET', '/metrics');
  expect(r.status).toBe(200);
  const text = String(r.body);
  const value = (re: RegExp) => Number(re.exec(text)?.[1]);
  expect(value(/^cloudship_sessions (\d+)$/m)).toBe(server.rooms.all().length);
  expect(value(/^cloudship_participants\{role="crew"\} (\d+)$/m)).toBe(1);
  expect(value(/^cloudship_producers (\d+)$/m)).toBe(3);
  expect(value(/^cloudship_consumers (\d+)$/m)).toBe(3);
  const pids = server.pool.list().map((w) => w.pid);
  for (const pid of pids) {
    expect(value(new RegExp(`^cloudship_worker_rss_bytes\\{pid="${pid}"\\} (\\d+)$`, 'm'))).toBeGreaterThan(1_000_000);
    expect(value(new RegExp(`^cloudship_worker_cpu_seconds_total\\{pid="${pid}"\\} ([\\d.]+)$`, 'm'))).toBeGreaterThan(0);
  }
  expect(text).toMatch(/^# TYPE cloudship_worker_cpu_seconds_total counter$/m);
  // The recording backlog: the audio producers above are being recorded, by state of their segments.
  expect(text).toMatch(/^# TYPE cloudship_recording_segments gauge$/m);
});

describe('metrics access', () => {
  function call(handler: ReturnType<typeof metricsHandler>, remoteAddress: string, authorization?: string) {
    return new Promise<number>((resolve) => {
      const res: any = {
        statusCode: 200,
        status(code: number) {
          this.statusCode = code;
          return this;
        },
        type() {
          return this;
        },
        send() {
          resolve(this.statusCode);
          return this;
        },
      };
      void handler({ headers: { authorization }, socket: { remoteAddress } } as any, res, () => undefined);
    });
  }
  const registry = new MetricsRegistry();

  test('a remote scrape without the token is refused; loopback and the right token are served', async () => {
    const handler = metricsHandler(registry, 'a-long-metrics-token');
    expect(await call(handler, '10.1.2.3')).toBe(403);
    expect(await call(handler, '10.1.2.3', 'Bearer wrong-token-wrong-token')).toBe(403);
    expect(await call(handler, '10.1.2.3', 'Bearer a-long-metrics-token')).toBe(200);
    expect(await call(handler, '127.0.0.1')).toBe(200);
    expect(await call(handler, '::ffff:127.0.0.1')).toBe(200);
  });

  test('without a configured token, only loopback is served', async () => {
    const handler = metricsHandler(registry, null);
    expect(await call(handler, '192.168.1.20', 'Bearer anything-at-all-here')).toBe(403);
    expect(await call(handler, '::1')).toBe(200);
  });
});
