// npm run bench:recording — cost of recording. K sessions, each a crew participant sending a
// synthetic ~1 Mbit/s VP8 + Opus stream (a pre-encoded clip sent with -c copy, so the sender costs
// next to nothing) through PlainTransport producers. Phase 1: recording switched off (baseline).
// Phase 2: the same sessions recorded. Prints CPU per recorded track (recorder ffmpeg processes
// from /proc + the extra mediasoup worker CPU from getResourceUsage), bytes/s to the store, the
// ratio to the baseline, and the time from "recording stop" to the last segment in the store.
//   BENCH_SESSIONS (3)  BENCH_SECONDS (30)
import fs from 'node:fs';
import os from 'node:os';
import { startTestServer, ADMIN, type TestServer } from '../test/helpers/test-server';
import { connect, type SignalingClient } from '../test/helpers/signaling-client';
import { ffmpegProcessesMentioning, publishPlain, syntheticClip, until, type PlainPublisher } from '../test/helpers/recording';

const K = Number(process.env.BENCH_SESSIONS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const TICK = 100; // USER_HZ (clock ticks per second) on Linux

function procCpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK; // utime + stime
  } catch {
    return 0;
  }
}

async function workerCpuMs(server: TestServer): Promise<number> {
  let sum = 0;
  for (const w of server.pool.list()) {
    const u = await w.getResourceUsage();
    sum += u.ru_utime + u.ru_stime;
  }
  return sum;
}

interface Session {
  inspectionId: string;
  crew: SignalingClient;
  pub: PlainPublisher;
}

async function sessions(server: TestServer, record: boolean): Promise<Session[]> {
  const admin = await server.signIn(ADMIN.username, ADMIN.password);
  const out: Session[] = [];
  for (let i = 0; i < K; i++) {
    const inspection = await server.createInspection(admin, { vesselName: `bench-${record ? 'rec' : 'base'}-${i}` });
    if (!record) await server.recording.service.stop(inspection.id, null); // the surveyor's switch, off before anyone joins
    const { token } = await server.crewLink(admin, inspection.id);
    const crew = await connect(server.url, { crewToken: token });
    const caps = await crew.request('room.getCapabilities', {});
    if (!caps.ok) throw new Error(caps.error.code);
    const j = await crew.request('room.join', {
      displayName: `crew-${i}`,
      device: 'bench',
      rtpCapabilities: caps.data.routerRtpCapabilities,
    });
    if (!j.ok) throw new Error(j.error.code);
    const room = server.rooms.get(inspection.id)!;
    out.push({ inspectionId: inspection.id, crew, pub: await publishPlain(room, room.peers.get(j.data.participantId)!) });
  }
  return out;
}

async function phase(server: TestServer, record: boolean, clip: string) {
  const list = await sessions(server, record);
  if (record)
    await until(async () => (await server.recording.catalog.tracks.countBy({ state: 'recording' })) === 2 * K, 'recorders listening');
  const senders = list.map((s) => s.pub.send(clip, SECONDS + 10, true));
  // Measure a window in the middle of the run, once every stream flows.
  await new Promise((r) => setTimeout(r, 4000));
  const recorders = ffmpegProcessesMentioning(server.dataDir);
  const w0 = await workerCpuMs(server);
  const f0 = recorders.map(procCpuMs);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const wallMs = Date.now() - t0;
  const workerMs = (await workerCpuMs(server)) - w0;
  const ffmpegMs = recorders.map(procCpuMs).reduce((a, b, i) => a + b - f0[i]!, 0);
  let stopToStoreMs = 0;
  if (record) {
    const stoppedAt = Date.now();
    await Promise.all(list.map((s) => server.recording.service.stop(s.inspectionId, null)));
    await until(
      async () => {
        const segs = await server.recording.catalog.segments.find();
        return segs.length > 0 && segs.every((s) => s.uploadState === 'uploaded');
      },
      'all segments in the store',
      120_000,
      50,
    );
    stopToStoreMs = Date.now() - stoppedAt;
  }
  for (const s of list) {
    s.pub.close();
    s.crew.close();
  }
  await Promise.all(senders.map((s) => s.done));
  return { wallMs, workerMs, ffmpegMs, recorders: recorders.length, stopToStoreMs };
}

async function main(): Promise<void> {
  const clip = syntheticClip(60);
  const server = await startTestServer({ LOG_LEVEL: 'error', RECORDING_SEGMENT_SECONDS: '10' });
  try {
    const base = await phase(server, false, clip);
    const rec = await phase(server, true, clip);
    const segs = await server.recording.catalog.segments.find();
    const bytes = segs.reduce((n, s) => n + s.sizeBytes, 0);
    const recordedMs = segs.filter((s) => s.trackKey.endsWith('-camera')).reduce((n, s) => n + s.durationMs, 0) / K;
    const pct = (ms: number, wall: number) => (100 * ms) / wall;
    const tracks = 2 * K;
    const extraWorker = Math.max(0, rec.workerMs - base.workerMs * (rec.wallMs / base.wallMs));
    const perTrack = pct(rec.ffmpegMs + extraWorker, rec.wallMs) / tracks;
    const lines = [
      `bench:recording  ${K} sessions x (VP8 ~1 Mbit/s + Opus), ${SECONDS} s measured, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`,
      `  baseline (not recorded):  worker ${pct(base.workerMs, base.wallMs).toFixed(2)}% of a core`,
      `  recorded:                 worker ${pct(rec.workerMs, rec.wallMs).toFixed(2)}% of a core, ${rec.recorders / 2} recorders (ffmpeg + guard) ${pct(rec.ffmpegMs, rec.wallMs).toFixed(2)}% of a core`,
      `  per recorded track:       ${perTrack.toFixed(2)}% of a core (recorder + extra worker); per session (2 tracks) ${(perTrack * 2).toFixed(2)}%`,
      `  worker CPU ratio recorded/baseline: ${(rec.workerMs / rec.wallMs / (base.workerMs / base.wallMs)).toFixed(2)}x`,
      `  to the store:             ${((bytes * 8) / (recordedMs / 1000) / 1e6 / K).toFixed(2)} Mbit/s per session, ${(bytes / (recordedMs / 1000) / 1024).toFixed(0)} KiB/s for all`,
      `  recording stop -> last segment in the store: ${rec.stopToStoreMs} ms`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
