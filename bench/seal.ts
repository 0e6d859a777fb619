// npm run bench:seal — what sealing the evidence costs, in one started test server (its database,
// its embedded store, the server in this process). Three parts, each beside a baseline of the same run:
//   1. Log append: transactions that each insert one position_fix row, as field/position-service.ts
//      does. Baseline: the insert alone in a transaction; sealed: the insert plus its `position`
//      log entry (EvidenceLog.append) in the same transaction. The two kinds alternate, one of each
//      in turn, so both see the same table sizes. Mean µs per transaction and the ratio.
//   2. Signing: Ed25519 signatures of a checkpoint's bytes (checkpointBytes) beside SHA-256 of the
//      same bytes; and Sealer.checkpoint() (read the head, sign, insert) beside the bare insert
//      transaction of part 1.
//   3. Package export of a long inspection: BENCH_MINUTES of 10 s segments on two tracks (video
//      ~1 Mbit/s, audio ~32 kbit/s; random bytes), registered through the real catalog (each a
//      `segment` log entry) and uploaded by the upload queue to the embedded store; then
//      GET /api/inspections/:id/package read to the end. Export time (the report PDF rendered by
//      Chromium included; time to first byte printed apart), MB/s and the process's peak RSS growth
//      (sampled every 20 ms: server and this client share the process). Baseline: every segment
//      object read straight from the store in order (ObjectStore.getRange), before and after the
//      export; the ratio is to their mean.
// Nothing here asserts a time: it prints figures.
//   BENCH_APPENDS (2000)  BENCH_MINUTES (60)  BENCH_VIDEO_KB (1250)  BENCH_AUDIO_KB (40)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { SEAL_VERSION, checkpointBytes, type CheckpointCore } from '@cloudship/shared';
import { PositionFixEntity } from '../server/src/field/entities';
import type { Segment } from '../server/src/recording/entities';
import type { CatalogTrack } from '../server/src/recording/segment-catalog';
import { startTestServer, ADMIN, type TestServer } from '../test/helpers/test-server';
import { until } from '../test/helpers/recording';

const APPENDS = Number(process.env.BENCH_APPENDS ?? 2000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 60);
const VIDEO_KB = Number(process.env.BENCH_VIDEO_KB ?? 1250);
const AUDIO_KB = Number(process.env.BENCH_AUDIO_KB ?? 40);
const SEGMENT_SECONDS = 10;
const SIGNATURES = 10_000;
const CHECKPOINTS = 200;
const WARMUP = 50;
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

// ---------------------------------------------------------------------------------------------
// 1. Log append

function fixRow(inspectionId: string, participantId: string) {
  return {
    id: crypto.randomUUID(),
    inspectionId,
    participantId,
    lat: 35.4 + Math.random() / 100,
    lon: 116.58 + Math.random() / 100,
    accuracy: 8 + Math.random() * 10,
    capturedAt: new Date(Date.now() - 1000),
    receivedAt: new Date(),
  };
}

async function appendCost(server: TestServer, inspectionId: string) {
  const participantId = crypto.randomUUID();
  const bare = (m: EntityManager) => m.insert(PositionFixEntity, fixRow(inspectionId, participantId));
  const sealed = async (m: EntityManager) => {
    const row = fixRow(inspectionId, participantId);
    await m.insert(PositionFixEntity, row);
    const { id, lat, lon, accuracy, capturedAt, receivedAt } = row;
    await server.seal.log.append(
      m,
      inspectionId,
      'position',
      { fixId: id, participantId, lat, lon, accuracy, capturedAt },
      { at: receivedAt },
    );
  };
  const once = async (fn: (m: EntityManager) => Promise<unknown>) => {
    const t0 = performance.now();
    await server.db.transaction(async (m) => void (await fn(m)));
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP; i++) {
    await once(bare);
    await once(sealed);
  }
  let bareMs = 0;
  let sealedMs = 0;
  for (let i = 0; i < APPENDS; i++) {
    bareMs += await once(bare);
    sealedMs += await once(sealed);
  }
  const head = await server.seal.log.head(inspectionId);
  return { bare: bareMs / APPENDS, sealed: sealedMs / APPENDS, entries: head.count };
}

// ---------------------------------------------------------------------------------------------
// 2. Signing

async function signingCost(server: TestServer, inspectionId: string) {
  const head = await server.seal.log.head(inspectionId);
  const core: CheckpointCore = {
    v: SEAL_VERSION,
    kind: 'checkpoint',
    inspectionId,
    count: head.count,
    head: head.head,
    at: new Date().toISOString(),
    final: false,
  };
  const bytes = checkpointBytes(core);
  const sha = () => crypto.createHash('sha256').update(bytes).digest();
  const sign = () => server.seal.key.sign(bytes);
  for (let i = 0; i < 500; i++) {
    sha();
    sign();
  }
  let t0 = performance.now();
  for (let i = 0; i < SIGNATURES; i++) sha();
  const shaMs = (performance.now() - t0) / SIGNATURES;
  t0 = performance.now();
  for (let i = 0; i < SIGNATURES; i++) sign();
  const signMs = (performance.now() - t0) / SIGNATURES;

  for (let i = 0; i < 10; i++) await server.seal.sealer.checkpoint(inspectionId, { final: false });
  t0 = performance.now();
  for (let i = 0; i < CHECKPOINTS; i++) await server.seal.sealer.checkpoint(inspectionId, { final: false });
  const checkpointMs = (performance.now() - t0) / CHECKPOINTS;
  return { bytes: bytes.length, shaMs, signMs, checkpointMs };
}

// ---------------------------------------------------------------------------------------------
// 3. Package export

async function produceRecording(server: TestServer, inspectionId: string) {
  const { catalog } = server.recording;
  const perTrack = Math.round((MINUTES * 60) / SEGMENT_SECONDS);
  const recording = await catalog.openRecording(inspectionId, null);
  const startedAt = new Date(Date.now() - MINUTES * 60_000);
  const participant = { id: crypto.randomUUID(), role: 'crew' as const, displayName: 'bench crew', identityKey: 'crew:bench' };
  const lanes: Array<{ track: CatalogTrack; bytes: Buffer }> = [];
  for (const [kind, source, codec, kb] of [
    ['video', 'camera', 'video/VP8', VIDEO_KB],
    ['audio', 'microphone', 'audio/opus', AUDIO_KB],
  ] as const) {
    const id = crypto.randomUUID();
    const dir = path.join(recording.id, id);
    fs.mkdirSync(path.join(catalog.stagingDir, dir), { recursive: true });
    const track = await catalog.openTrack({ id, recording, participant, kind, source, codec, startedAt, dir });
    lanes.push({ track, bytes: crypto.randomBytes(Math.round(kb * 1000)) });
  }
  const t0 = performance.now();
  for (let i = 0; i < perTrack; i++) {
    for (const { track, bytes } of lanes) {
      crypto.randomFillSync(bytes, 0, 64); // each segment its own hash
      const name = `seg-${String(i).padStart(5, '0')}.webm`;
      await fs.promises.writeFile(path.join(catalog.stagingDir, track.dir, name), bytes);
      await catalog.register(track, name, i * SEGMENT_SECONDS, (i + 1) * SEGMENT_SECONDS);
    }
    if ((i + 1) % 60 === 0) log(`  ${i + 1}/${perTrack} segments per track registered`);
  }
  const registeredS = (performance.now() - t0) / 1000;
  const total = perTrack * lanes.length;
  await until(
    async () => (await catalog.segments.countBy({ recordingId: recording.id, uploadState: 'uploaded' })) === total,
    'every segment in the store',
    60 * 60_000,
    250,
  );
  const uploadedS = (performance.now() - t0) / 1000;
  for (const { track } of lanes) await catalog.closeTrack(track);
  await catalog.finishRecording(recording.id, null, 'bench');
  const segments = (await catalog.segments.find({ where: { recordingId: recording.id } })).sort(
    (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.trackKey.localeCompare(b.trackKey),
  );
  return { segments, registeredS, uploadedS };
}

async function readStore(server: TestServer, segments: Segment[]) {
  const t0 = performance.now();
  let bytes = 0;
  for (const s of segments) {
    const body = await server.recording.store.getRange(s.objectKey, 0, s.sizeBytes - 1);
    for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
  }
  return { s: (performance.now() - t0) / 1000, bytes };
}

async function exportPackage(server: TestServer, inspectionId: string, cookie: string) {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const t0 = performance.now();
    const r = await fetch(`${server.url}/api/inspections/${inspectionId}/package`, { headers: { cookie } });
    if (r.status !== 200) throw new Error(`package: ${r.status} ${(await r.text()).slice(0, 300)}`);
    const headersS = (performance.now() - t0) / 1000;
    let firstByteS = 0;
    let bytes = 0;
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteS = (performance.now() - t0) / 1000;
      bytes += chunk.length;
    }
    const s = (performance.now() - t0) / 1000;
    return { s, headersS, firstByteS, bytes, rssBeforeMb: rss0 / 1e6, peakGrowthMb: (peak - rss0) / 1e6 };
  } finally {
    clearInterval(watch);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const server = await startTestServer({ LOG_LEVEL: 'error' });
  const database = String(server.db.options.type);
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), Node ${process.version}, ${database}`;
  try {
    const cookie = await server.signIn(ADMIN.username, ADMIN.password);

    log(`1. log append: ${APPENDS} + ${APPENDS} transactions`);
    const a = await server.createInspection(cookie, { vesselName: 'bench-seal-append' });
    const append = await appendCost(server, a.id);
    console.log(
      [
        `  insert alone (baseline): ${us(append.bare)} per transaction`,
        `  insert + log append:     ${us(append.sealed)} per transaction, ${ratio(append.sealed, append.bare)} the baseline (+${us(append.sealed - append.bare)})`,
        `  the log has ${append.entries} entries`,
      ].join('\n'),
    );

    log(`2. signing: ${SIGNATURES} each, ${CHECKPOINTS} checkpoints`);
    const sig = await signingCost(server, a.id);
    console.log(
      [
        `  SHA-256 of ${sig.bytes} checkpoint bytes (baseline): ${us(sig.shaMs)}`,
        `  Ed25519 signature of them:        ${us(sig.signMs)}, ${ratio(sig.signMs, sig.shaMs)} the baseline`,
        `  Sealer.checkpoint():              ${us(sig.checkpointMs)}, ${ratio(sig.checkpointMs, append.bare)} a bare insert transaction`,
      ].join('\n'),
    );

    log(`3. package export: ${MINUTES} min, ${SEGMENT_SECONDS} s segments, video ${VIDEO_KB} kB + audio ${AUDIO_KB} kB each`);
    const b = await server.createInspection(cookie, { vesselName: 'bench-seal-package' });
    const rec = await produceRecording(server, b.id);
    const segBytes = rec.segments.reduce((n, s) => n + s.sizeBytes, 0);
    log(
      `  ${rec.segments.length} segments registered in ${rec.registeredS.toFixed(1)} s, all in the store after ${rec.uploadedS.toFixed(1)} s`,
    );
    const base1 = await readStore(server, rec.segments);
    log(`  store read (baseline, before): ${base1.s.toFixed(2)} s`);
    const exp = await exportPackage(server, b.id, cookie);
    log(`  export: ${exp.s.toFixed(2)} s`);
    const base2 = await readStore(server, rec.segments);
    log(`  store read (baseline, after): ${base2.s.toFixed(2)} s`);
    if (base1.bytes !== segBytes || base2.bytes !== segBytes)
      throw new Error(`store read ${base1.bytes}/${base2.bytes} of ${segBytes} bytes`);
    const baseS = (base1.s + base2.s) / 2;
    const streamS = exp.s - exp.firstByteS;
    console.log(
      [
        `  segments: ${rec.segments.length} (${rec.segments.length / 2} per track), ${mb(segBytes)} MB; package ${mb(exp.bytes)} MB`,
        `  export: ${exp.s.toFixed(2)} s, ${(exp.bytes / 1e6 / exp.s).toFixed(1)} MB/s; first byte after ${exp.firstByteS.toFixed(2)} s (headers ${exp.headersS.toFixed(2)} s: report PDF, report entry, final checkpoint)`,
        `  streaming after the first byte: ${streamS.toFixed(2)} s, ${(exp.bytes / 1e6 / streamS).toFixed(1)} MB/s`,
        `  store read (baseline): ${base1.s.toFixed(2)} s before, ${base2.s.toFixed(2)} s after, mean ${baseS.toFixed(2)} s, ${(segBytes / 1e6 / baseS).toFixed(1)} MB/s`,
        `  export / baseline: ${ratio(exp.s, baseS)}; streaming part / baseline: ${ratio(streamS, baseS)}`,
        `  process RSS ${exp.rssBeforeMb.toFixed(0)} MB before the export, peak growth +${exp.peakGrowthMb.toFixed(1)} MB during it`,
      ].join('\n'),
    );

    const summary = [
      '',
      `bench:seal  ${machine}`,
      '| measured | figure | baseline (same run) | ratio |',
      '|---|---|---|---|',
      `| position fix + \`position\` log entry, one transaction (${APPENDS}) | ${us(append.sealed)} | the insert alone: ${us(append.bare)} | ${ratio(append.sealed, append.bare)} |`,
      `| Ed25519 signature of a checkpoint (${sig.bytes} bytes, ${SIGNATURES}) | ${us(sig.signMs)} | SHA-256 of the same bytes: ${us(sig.shaMs)} | ${ratio(sig.signMs, sig.shaMs)} |`,
      `| Sealer.checkpoint(): read head, sign, insert (${CHECKPOINTS}) | ${us(sig.checkpointMs)} | bare insert transaction: ${us(append.bare)} | ${ratio(sig.checkpointMs, append.bare)} |`,
      `| evidence package, ${MINUTES} min (${rec.segments.length} segments, ${mb(exp.bytes)} MB ZIP) | ${exp.s.toFixed(1)} s, ${(exp.bytes / 1e6 / exp.s).toFixed(0)} MB/s; first byte after ${exp.firstByteS.toFixed(1)} s (report PDF) | the segments read from the store: ${baseS.toFixed(1)} s | ${ratio(exp.s, baseS)} (streaming part ${ratio(streamS, baseS)}) |`,
      `| memory while exporting | peak RSS +${exp.peakGrowthMb.toFixed(0)} MB (server and client in one process) | | |`,
      '',
    ];
    console.log(summary.join('\n'));
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
