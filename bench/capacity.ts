// npm run bench:capacity [-- --max=120 --step=5 --soak-minutes=0 --worker-bin=PATH]
//
// How many live inspections one worker core carries. Three runs over the same streams, stepping
// the load up until loss > 1% or the worker core saturates:
//   ours  - the application (startServer: its worker pool, rooms, watchdogs, metrics, database)
//           with the reference sessions built on the routers of its rooms;
//   bare  - a minimal script: mediasoup.createWorker + createRouter, same sessions;
//   relay - bench/capacity/rtptool.c relay: per forwarded packet AES-128-CTR + HMAC-SHA1 with
//           OpenSSL, the physical reference for "forward and encrypt".
// The worker (or relay) is pinned to core 0; generators, sinks and Node to core 1.
// Then a join storm (20 surveyors joining two inspections within 1 s through the real signaling)
// and optionally a soak at 80% of capacity. See README, Benchmarks.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as mediasoup from 'mediasoup';
import type { Router, Worker } from 'mediasoup/types';
import { ADMIN, startTestServer, type TestServer } from '../test/helpers/test-server';
import type { PeerConsumer, PeerProducer } from '../server/src/session/peer';
import type { Room } from '../server/src/session/room';
import { buildSession, relayInputs, CONSUMERS_PER_SESSION, type BenchSession } from './capacity/sessions';
import { summary } from './stats';
import { buildRtptool, cpuSeconds, LOAD_CORE, pin, prepareMedia, rssMb, rtptool, sinkTotals, waitMs, WORKER_CORE } from './capacity/tools';

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const MAX = arg('max', 120);
const STEP = arg('step', 5);
const SETTLE_MS = arg('settle-ms', 3000);
const MEASURE_MS = arg('measure-ms', 5000);
const SOAK_MIN = arg('soak-minutes', 0);
/** Sessions of the first step (then STEP more per step): start near the region of interest. */
const START = arg('start', STEP);
/** Which runs, in order, e.g. --only=ours,bare,ours,bare to compare two closely. */
const ONLY = (process.argv.find((a) => a.startsWith('--only='))?.split('=')[1] ?? 'ours,bare,relay').split(',');
const JOIN_STORM = !process.argv.includes('--no-join-storm');
/** Join storms per setting (off, on, off, on, ...) after one warm-up storm that is not counted. */
const STORM_ROUNDS = arg('storm-rounds', 3);
/** The bare run's worker binary (bench:worker-build compares builds); default: node_modules'. */
const WORKER_BIN = process.argv.find((a) => a.startsWith('--worker-bin='))?.split('=')[1];

interface Row {
  sessions: number;
  workerCpu: number; // fraction of one core
  usPerPacket: number;
  forwardedPps: number;
  loss: number;
  nodeCpu: number;
  loopP99Ms: number;
  workerRssMb: number;
  nodeRssMb: number;
}

interface Target {
  label: string;
  /** pid whose CPU is the forwarding cost (worker or relay); relay runs one per step */
  cpuPids(): number[];
  addSessions(count: number, sinkPorts: number[][]): Promise<string[][]>;
  close(): Promise<void>;
}

async function mediasoupTarget(
  label: string,
  worker: Worker,
  routerFor: (i: number) => Promise<Router>,
  close: () => Promise<void>,
  adopt: (session: BenchSession) => Promise<void> = async () => undefined,
): Promise<Target> {
  pin(worker.pid, WORKER_CORE);
  const sessions: BenchSession[] = [];
  return {
    label,
    cpuPids: () => [worker.pid],
    async addSessions(count, sinkPorts) {
      const streams: string[][] = [];
      for (let i = 0; i < count; i++) {
        const s = await buildSession(await routerFor(sessions.length), sinkPorts[i]!);
        await adopt(s);
        sessions.push(s);
        streams.push(s.streams);
      }
      return streams;
    },
    async close() {
      sessions.forEach((s) => s.close());
      await close();
    },
  };
}

async function oursTarget(): Promise<{ target: Target; server: TestServer }> {
  const server = await startTestServer({ MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'warn' });
  const admin = await server.signIn(ADMIN.username, ADMIN.password);
  const surveyor = await server.accounts.create({
    username: 'capacity',
    displayName: 'capacity',
    password: 'capacity-password',
    role: 'surveyor',
  });
  void admin;
  let current: Room | null = null;
  const target = await mediasoupTarget(
    'ours',
    server.pool.list()[0]!,
    async () => {
      const inspection = await server.lifecycle.schedule(
        { vesselName: 'bench', registrationNumber: 'B', kind: 'periodic', place: 'loopback', scheduledAt: new Date().toISOString() },
        surveyor,
      );
      // The recorders' cost is bench:recording's business; here the session's own recorder
      // consumers stand in for them (bench/capacity/sessions.ts).
      await server.recording.service.stop(inspection.id, null);
      current = await server.rooms.getOrCreate(inspection.id);
      return current.router;
    },
    () => server.stop(),
    // The session's participants become peers of the application's room, so everything the
    // application runs per room and per peer (media watchdog, metrics, ...) runs for them too.
    async (session) => {
      const room = current!;
      for (const p of session.participants) {
        const key = `bench:${crypto.randomUUID()}`;
        const channel = { notify: () => undefined, disconnect: () => undefined };
        const { peer } = await room.join({ key, role: p.role, accountId: null, crewLinkId: null }, channel, {
          displayName: p.role,
          device: 'bench',
          rtpCapabilities: room.router.rtpCapabilities,
        });
        for (const producer of p.producers) await room.adoptProducer(peer, producer as PeerProducer);
        for (const consumer of p.consumers) room.adoptConsumer(peer, consumer as PeerConsumer);
      }
    },
  );
  return { target, server };
}

async function bareTarget(): Promise<Target> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn', ...(WORKER_BIN ? { workerBin: WORKER_BIN } : {}) });
  const codecs = [
    { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
  ];
  return mediasoupTarget(
    'bare',
    worker,
    () => worker.createRouter({ mediaCodecs: codecs }),
    async () => worker.close(),
  );
}

function relayTarget(): Target {
  const relays: number[] = [];
  const procs: Array<{ kill(): void }> = [];
  const key = crypto.randomBytes(16).toString('hex');
  return {
    label: 'relay',
    cpuPids: () => relays,
    async addSessions(count, sinkPorts) {
      const inputs = sinkPorts.slice(0, count).flatMap((ports) => relayInputs(ports));
      const r = await rtptool(['relay', key, ...inputs], WORKER_CORE, true);
      relays.push(r.proc.pid!);
      procs.push(r.proc);
      const streams: string[][] = [];
      for (let i = 0; i < count; i++) {
        const p = r.ports.slice(i * 5, i * 5 + 5);
        streams.push([
          `v:${p[0]}:${7000 + i}`,
          `a:${p[1]}:${8000 + i}`,
          `a:${p[2]}:${9000 + i}`,
          `a:${p[3]}:${10000 + i}`,
          `a:${p[4]}:${11000 + i}`,
        ]);
      }
      return streams;
    },
    async close() {
      procs.forEach((p) => p.kill());
    },
  };
}

async function stepUp(
  target: Target,
  media: { video: string; audio: string },
  nodePid: number | null,
  maxSessions = MAX,
  stopAtSaturation = true,
) {
  const sinks: Array<{ lines: string[]; kill(): void }> = [];
  const gens: Array<{ kill(): void }> = [];
  const rows: Row[] = [];
  let sessions = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  try {
    while (sessions < maxSessions) {
      const add = Math.min(sessions === 0 ? START : STEP, maxSessions - sessions);
      const sink = await rtptool(['sink', String(add * 5)], LOAD_CORE, true);
      sinks.push({ lines: sink.lines, kill: () => sink.proc.kill() });
      const ports = Array.from({ length: add }, (_, i) => sink.ports.slice(i * 5, i * 5 + 5));
      const streams = await target.addSessions(add, ports);
      const gen = await rtptool(['gen', media.video, media.audio, '127.0.0.1', ...streams.flat()], LOAD_CORE, false);
      gens.push({ kill: () => gen.proc.kill() });
      sessions += add;
      await waitMs(SETTLE_MS);

      const totals = () =>
        sinks.map((s) => sinkTotals(s.lines)).reduce((a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]], [0, 0, 0, 0]);
      const cpu = () => target.cpuPids().reduce((n, pid) => n + cpuSeconds(pid), 0);
      const [r0, e0] = totals();
      const c0 = cpu();
      const n0 = process.cpuUsage();
      loop.reset();
      const t0 = Date.now();
      await waitMs(MEASURE_MS);
      const seconds = (Date.now() - t0) / 1000;
      const [r1, e1] = totals();
      const c1 = cpu();
      const n1 = process.cpuUsage(n0);
      const forwarded = r1 - r0;
      const row: Row = {
        sessions,
        workerCpu: (c1 - c0) / seconds,
        usPerPacket: forwarded ? ((c1 - c0) * 1e6) / forwarded : 0,
        forwardedPps: forwarded / seconds,
        loss: e1 - e0 > 0 ? Math.max(0, 1 - forwarded / (e1 - e0)) : 0,
        nodeCpu: nodePid === null ? 0 : (n1.user + n1.system) / 1e6 / seconds,
        loopP99Ms: nodePid === null ? 0 : loop.percentile(99) / 1e6,
        workerRssMb: target.cpuPids().reduce((n, pid) => n + rssMb(pid), 0),
        nodeRssMb: nodePid === null ? 0 : process.memoryUsage.rss() / 1048576,
      };
      rows.push(row);
      printRow(target.label, row);
      if (stopAtSaturation && (row.loss > 0.01 || row.workerCpu > 0.95)) break;
    }
    return { rows, sinks, stop: () => [...gens, ...sinks].forEach((p) => p.kill()) };
  } catch (e) {
    [...gens, ...sinks].forEach((p) => p.kill());
    throw e;
  } finally {
    loop.disable();
  }
}

function printHeader(): void {
  process.stdout.write(
    `${'run'.padEnd(6)}${'sessions'.padStart(9)}${'cpu%'.padStart(7)}${'us/pkt'.padStart(8)}${'fwd pps'.padStart(9)}${'loss%'.padStart(8)}${'node%'.padStart(7)}${'loop99'.padStart(8)}${'wRSS'.padStart(7)}${'nRSS'.padStart(7)}\n`,
  );
}

function printRow(label: string, r: Row): void {
  process.stdout.write(
    `${label.padEnd(6)}${String(r.sessions).padStart(9)}${(r.workerCpu * 100).toFixed(1).padStart(7)}${r.usPerPacket.toFixed(2).padStart(8)}${r.forwardedPps.toFixed(0).padStart(9)}${(r.loss * 100).toFixed(2).padStart(8)}${(r.nodeCpu * 100).toFixed(1).padStart(7)}${r.loopP99Ms.toFixed(1).padStart(8)}${r.workerRssMb.toFixed(0).padStart(7)}${r.nodeRssMb.toFixed(0).padStart(7)}\n`,
  );
}

function capacity(rows: Row[]): Row | undefined {
  return [...rows].reverse().find((r) => r.loss <= 0.001 && r.workerCpu < 0.9);
}

/**
 * 20 surveyors join two inspections (10 each: a room holds at most LIMITS.participantsPerRoom)
 * within 1 s, from a separate process (so its work does not count as the server's event-loop
 * delay). Each inspection's lead invites its nine co-surveyors. Run with recording on (the
 * default: every surveyor's microphone starts a recorder) and off (the surveyor's switch), the
 * latter as the baseline. Returns the request round trip's p95.
 */
async function joinStorm(recording: boolean, label = `recording ${recording ? 'on ' : 'off'}`): Promise<number> {
  const server = await startTestServer({ MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'error' });
  try {
    const admin = await server.signIn(ADMIN.username, ADMIN.password);
    const accounts: Array<{ id: string; cookie: string }> = [];
    for (let i = 0; i < 20; i++) accounts.push(await server.createAccount(admin, 'surveyor', `storm${i}`));
    const cookies = accounts.map((a) => a.cookie);
    const inspectionIds: string[] = [];
    for (const lead of [accounts[0]!, accounts[10]!]) {
      const inspection = await server.createInspection(lead.cookie);
      const members = accounts.slice(inspectionIds.length * 10, inspectionIds.length * 10 + 10);
      for (const co of members.slice(1)) {
        await server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, { cookie: lead.cookie, body: { accountId: co.id } });
      }
      if (!recording) {
        await server.db.query(
          'INSERT INTO "recording_setting" ("inspectionId", "enabled", "updatedBy", "updatedAt") VALUES (?, 0, NULL, ?)',
          [inspection.id, new Date().toISOString()],
        );
      }
      inspectionIds.push(inspection.id);
    }
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'capacity', 'join-storm-clients.ts')], {
      env: {
        ...process.env,
        STORM_URL: server.url,
        STORM_INSPECTIONS: JSON.stringify(cookies.map((_, i) => inspectionIds[Math.floor(i / 10)])),
        STORM_COOKIES: JSON.stringify(cookies),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('exit', r));
    loop.disable();
    const result = JSON.parse(out.trim().split('\n').pop()!);
    process.stdout.write(
      `join storm, ${label}: ${result.clients} surveyors in ${result.spreadMs} ms; ` +
        `${result.requests} requests, round trip p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms; ` +
        `server event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; ` +
        `in the rooms: ${inspectionIds.map((id) => server.rooms.get(id)?.peers.size).join(' + ')}\n`,
    );
    // Which request a slow p95 comes from.
    const methods = result.byMethod as Record<string, { p50: number; p95: number; max: number }>;
    process.stdout.write(
      `  per request: ${Object.entries(methods)
        .map(([m, q]) => `${m} ${q.p50.toFixed(1)}/${q.p95.toFixed(1)}/${q.max.toFixed(1)}`)
        .join(', ')} (p50/p95/max ms)\n`,
    );
    return result.p95;
  } finally {
    await server.stop();
  }
}

async function soak(media: { video: string; audio: string }, sessions: number): Promise<void> {
  const { target } = await oursTarget();
  process.stdout.write(`\nsoak: ${sessions} sessions for ${SOAK_MIN} min (ours)\n`);
  const run = await stepUp(target, media, process.pid, sessions, false);
  type Sample = { min: number; workerRss: number; nodeRss: number; nodeHeap: number; silent: number; received: number; expected: number };
  const samples: Sample[] = [];
  // With --expose-gc (npm run bench:capacity sets it) each sample follows a full collection, so
  // the heap figure is live objects only: what a leak would grow.
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    for (let m = 0; m <= SOAK_MIN; m++) {
      gc?.();
      const t = run.sinks.map((s) => sinkTotals(s.lines)).reduce((a, b) => a.map((v, i) => v + b[i]!) as typeof a, [0, 0, 0, 0]);
      const mem = process.memoryUsage();
      const sample = {
        min: m,
        workerRss: rssMb(target.cpuPids()[0]!),
        nodeRss: mem.rss / 1048576,
        nodeHeap: mem.heapUsed / 1048576,
        silent: t[3],
        received: t[0],
        expected: t[1],
      };
      samples.push(sample);
      const prev = samples[samples.length - 2];
      const minuteLoss = prev ? 1 - (t[0] - prev.received) / Math.max(1, t[1] - prev.expected) : 0;
      process.stdout.write(
        `  minute ${m}: worker RSS ${sample.workerRss.toFixed(1)} MB, node RSS ${sample.nodeRss.toFixed(1)} MB, ` +
          `node heap${gc ? ' after GC' : ''} ${sample.nodeHeap.toFixed(1)} MB, silent streams ${sample.silent}, ` +
          `loss this minute ${(minuteLoss * 100).toFixed(3)}%, since start ${((1 - t[0] / Math.max(1, t[1])) * 100).toFixed(3)}%\n`,
      );
      if (m < SOAK_MIN) await waitMs(60_000);
    }
    // Growth after a 5-minute warm-up (heaps grow to their working size first): the least-squares
    // slope over every later sample, relative to their mean, so one sample taken just before or
    // after a collection does not decide the figure.
    const steady = samples.filter((x) => x.min >= Math.min(5, SOAK_MIN - 1));
    const growth = (key: 'workerRss' | 'nodeRss' | 'nodeHeap') => {
      const n = steady.length;
      const mx = steady.reduce((a, x) => a + x.min, 0) / n;
      const my = steady.reduce((a, x) => a + x[key], 0) / n;
      const sxx = steady.reduce((a, x) => a + (x.min - mx) ** 2, 0);
      const slopePerMin = sxx > 0 ? steady.reduce((a, x) => a + (x.min - mx) * (x[key] - my), 0) / sxx : 0;
      return `${(((slopePerMin * 60) / my) * 100).toFixed(2)}%/hour`;
    };
    const last = samples[samples.length - 1]!;
    process.stdout.write(
      `soak result (minutes ${steady[0]!.min}-${last.min}): worker RSS growth ${growth('workerRss')}, node RSS growth ${growth('nodeRss')}, ` +
        `node heap${gc ? ' after GC' : ''} growth ${growth('nodeHeap')}, streams silent at the end: ${last.silent} ` +
        `(target: RSS growth < 2%/hour, every session forwarding)\n`,
    );
  } finally {
    run.stop();
    await target.close();
  }
}

async function main(): Promise<void> {
  buildRtptool();
  const media = await prepareMedia();
  pin(process.pid, LOAD_CORE);
  process.stdout.write(
    `bench:capacity on ${(await import('node:os')).cpus()[0]!.model}, ${(await import('node:os')).cpus().length} cores; worker/relay on core ${WORKER_CORE}, load and Node on core ${LOAD_CORE}\n`,
  );
  process.stdout.write(
    `reference session: crew VP8 720p ~1.5 Mbit/s + Opus, 3 surveyors Opus, recorder; ${CONSUMERS_PER_SESSION} SRTP consumers\n\n`,
  );
  printHeader();
  const results: Record<string, Row[]> = {};
  const makers: Record<string, () => Promise<Target>> = {
    ours: async () => (await oursTarget()).target,
    bare: bareTarget,
    relay: async () => relayTarget(),
  };
  const unknown = ONLY.filter((label) => label && !makers[label]);
  if (unknown.length) throw new Error(`--only: unknown run ${unknown.join(', ')} (runs: ${Object.keys(makers).join(', ')})`);
  for (const label of ONLY.filter(Boolean)) {
    const target = await makers[label]!();
    const run = await stepUp(target, media, target.label === 'relay' ? null : process.pid);
    run.stop();
    await target.close();
    // A label run twice keeps its last run; every row was printed as it was measured.
    results[target.label] = run.rows;
  }
  const cap = Object.fromEntries(Object.entries(results).map(([k, rows]) => [k, capacity(rows)]));
  const at = (label: string, sessions: number) => results[label]!.find((r) => r.sessions === sessions);
  process.stdout.write('\nsummary (capacity = most sessions with loss <= 0.1% and the worker core under 90%)\n');
  for (const [label, row] of Object.entries(cap)) {
    process.stdout.write(
      `  ${label.padEnd(6)} capacity ${row?.sessions ?? 0} sessions (${row ? row.usPerPacket.toFixed(2) : '-'} us per forwarded packet)\n`,
    );
  }
  const common = Math.min(cap.ours?.sessions ?? 0, cap.bare?.sessions ?? 0, cap.relay?.sessions ?? 0);
  if (common > 0 && at('ours', common) && at('bare', common) && at('relay', common)) {
    const o = at('ours', common)!;
    const b = at('bare', common)!;
    const r = at('relay', common)!;
    process.stdout.write(
      `  at ${common} sessions: ours/bare worker CPU ${(o.workerCpu / b.workerCpu).toFixed(3)}x, Node CPU ${(o.nodeCpu / Math.max(1e-6, b.nodeCpu)).toFixed(2)}x ` +
        `(ours Node = ${((o.nodeCpu / o.workerCpu) * 100).toFixed(1)}% of its worker's CPU), worker RSS ${(o.workerRssMb / b.workerRssMb).toFixed(2)}x; ` +
        `efficiency relay/ours ${(r.usPerPacket / o.usPerPacket).toFixed(2)} (relay ${r.usPerPacket.toFixed(2)} us/pkt vs ours ${o.usPerPacket.toFixed(2)})\n`,
    );
  }
  if (JOIN_STORM) {
    process.stdout.write('\n(join storm targets: request p95 <= 100 ms, event-loop delay < 50 ms)\n');
    // The first storm in this process also pays for compiling the server's code paths (the JIT),
    // which once made "recording off", run first, look slower than "on": it is not counted.
    await joinStorm(false, 'warm-up (not counted)');
    const p95: Record<'off' | 'on', number[]> = { off: [], on: [] };
    for (let round = 0; round < STORM_ROUNDS; round++) {
      p95.off.push(await joinStorm(false));
      p95.on.push(await joinStorm(true));
    }
    const med = (xs: number[]) => summary(xs).median.toFixed(1);
    process.stdout.write(
      `join storm, median of ${STORM_ROUNDS} p95s: recording off ${med(p95.off)} ms, on ${med(p95.on)} ms ` +
        `(ratio on/off ${(summary(p95.on).median / summary(p95.off).median).toFixed(2)})\n`,
    );
  }
  // 80% of the measured capacity, or --soak-sessions=N (e.g. 80% of a capacity measured earlier).
  const soakSessions = arg('soak-sessions', cap.ours ? Math.max(STEP, Math.round(cap.ours.sessions * 0.8)) : 0);
  if (SOAK_MIN > 0 && soakSessions > 0) await soak(media, soakSessions);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
