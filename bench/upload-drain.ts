// npm run bench:upload-drain — how soon the upload backlog is empty once the object store is back.
// For 1 and for 10 sessions of 3 minutes (3 tracks each: VP8 ~1 Mbit/s and two Opus ~48 kbit/s,
// cut at the configured segment length, RECORDING_SEGMENT_SECONDS, default 10 s), recorded while
// the store was down: the real UploadQueue and ObjectStore against the embedded store (s3rver),
// stopped for the outage and started again on the same port. Next to it, in the same run, the same
// uploads with the store never down (baseline), and the ratio.
//
// The outage is short in wall time: its 3 minutes go by on the queue's own clock (the `now`
// option), one poll (500 ms) per step, with the segments staged as they would close; a scan that
// finds an upload due makes a real attempt against the stopped store, so the backoffs grow as in a
// real outage. After the return the queue's clock stands still: whatever empties the backlog then
// is not a backoff running out. The first scan after the return is fired at once; in service it
// comes with the next poll (at most 500 ms later), which is not in the figure.
//   BENCH_SESSIONS (1,10)  BENCH_OUTAGE_SECONDS (180)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/src/config/config';
import { setLogLevel } from '../server/src/logging/logger';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore } from '../server/src/storage/embedded-store';
import { ObjectStore } from '../server/src/storage/object-store';
import { UploadQueue, type UploadItem, type UploadSource } from '../server/src/storage/upload-queue';

setLogLevel('error');

const SESSIONS = (process.env.BENCH_SESSIONS ?? '1,10').split(',').map(Number);
const OUTAGE_S = Number(process.env.BENCH_OUTAGE_SECONDS ?? 180);
const POLL_MS = 500; // the queue's default poll
const TRACKS = [
  { name: 'camera', bitsPerSecond: 1_000_000 },
  { name: 'crew-mic', bitsPerSecond: 48_000 },
  { name: 'surveyor-mic', bitsPerSecond: 48_000 },
];

interface Row extends UploadItem {
  state: 'pending' | 'uploading' | 'uploaded' | 'failed';
  nextAttemptAt: number;
}

/** The segment table's part in the queue, in a Map (what SegmentUploadSource does in SQLite). */
class MapSource implements UploadSource {
  readonly name = 'segment';
  readonly rows = new Map<string, Row>();
  constructor(readonly stagingDir: string) {}

  stage(key: string, bytes: Buffer, now: number): void {
    const id = crypto.randomUUID();
    fs.writeFileSync(path.join(this.stagingDir, `${id}.webm`), bytes);
    this.rows.set(id, {
      id,
      objectKey: key,
      localPath: `${id}.webm`,
      sizeBytes: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      contentType: 'video/webm',
      attempts: 0,
      state: 'pending',
      nextAttemptAt: now,
    });
  }

  waiting(): number {
    let n = 0;
    for (const r of this.rows.values()) if (r.state !== 'uploaded') n++;
    return n;
  }

  async due(limit: number, now: Date): Promise<UploadItem[]> {
    return [...this.rows.values()]
      .filter((r) => (r.state === 'pending' || r.state === 'failed') && r.nextAttemptAt <= now.getTime())
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit);
  }
  async markUploading(id: string): Promise<void> {
    this.rows.get(id)!.state = 'uploading';
  }
  async markUploaded(id: string, attempts: number): Promise<void> {
    Object.assign(this.rows.get(id)!, { state: 'uploaded', attempts, localPath: null });
  }
  async markFailed(id: string, attempts: number, _error: string, nextAttemptAt: Date): Promise<void> {
    Object.assign(this.rows.get(id)!, { state: 'failed', attempts, nextAttemptAt: nextAttemptAt.getTime() });
  }
  async resetInterrupted(): Promise<{ interrupted: number; waiting: number }> {
    return { interrupted: 0, waiting: this.waiting() };
  }
  async retryNow(now: Date): Promise<number> {
    let n = 0;
    for (const r of this.rows.values())
      if (r.state === 'failed' && r.nextAttemptAt > now.getTime()) {
        r.nextAttemptAt = now.getTime();
        n++;
      }
    return n;
  }
}

/** The segments of `sessions` sessions closing at `t` seconds into the recording (every segmentSeconds). */
function closingAt(t: number, sessions: number, segmentSeconds: number): Array<{ key: string; bytes: number }> {
  if (t <= 0 || t % segmentSeconds !== 0) return [];
  const out: Array<{ key: string; bytes: number }> = [];
  for (let s = 0; s < sessions; s++)
    for (const track of TRACKS)
      out.push({
        key: `s${s}-${track.name}/${String(t / segmentSeconds).padStart(5, '0')}.webm`,
        bytes: (track.bitsPerSecond / 8) * segmentSeconds,
      });
  return out;
}

/** Distinct bytes of a given size (random once per size, numbered). */
const pools = new Map<number, Buffer>();
let serial = 0;
function bytesOf(size: number): Buffer {
  if (!pools.has(size)) pools.set(size, crypto.randomBytes(size));
  const b = Buffer.from(pools.get(size)!);
  b.writeUInt32BE(serial++, 0);
  return b;
}

interface Env {
  tmp: string;
  storeDir: string;
  port: number;
  target: ObjectStore;
  retryMaxMs: number;
}

async function drained(queue: UploadQueue, source: MapSource): Promise<void> {
  // idle(): each upload that ends starts the next due one. A second round only if an upload failed.
  await queue.idle();
  // The clock stands still: an upload that failed would never be due again. Say so, not hang.
  for (let left = source.waiting(); left > 0;) {
    await queue.kick();
    await queue.idle();
    if (source.waiting() === left) throw new Error(`${left} uploads failed with the store up`);
    left = source.waiting();
  }
}

/** The store never down: the same uploads staged at once, time until none is left. */
async function baseline(env: Env, run: string, sessions: number, segmentSeconds: number) {
  const staging = fs.mkdtempSync(path.join(env.tmp, 'staging-'));
  const source = new MapSource(staging);
  for (let t = segmentSeconds; t <= OUTAGE_S; t += segmentSeconds)
    for (const seg of closingAt(t, sessions, segmentSeconds)) source.stage(`recordings/bench-${run}/${seg.key}`, bytesOf(seg.bytes), 0);
  const queue = new UploadQueue(env.target, { retryMaxMs: env.retryMaxMs, pollMs: 3_600_000, now: () => 0 });
  await queue.addSource(source);
  const t0 = performance.now();
  await queue.start();
  await drained(queue, source);
  const ms = performance.now() - t0;
  await queue.close();
  fs.rmSync(staging, { recursive: true, force: true });
  return { uploads: source.rows.size, ms };
}

/** The store stops, the sessions record for OUTAGE_S on the queue's clock, the store comes back. */
async function outage(env: Env, run: string, sessions: number, segmentSeconds: number) {
  const staging = fs.mkdtempSync(path.join(env.tmp, 'staging-'));
  const source = new MapSource(staging);
  let clock = 1_700_000_000_000;
  const queue = new UploadQueue(env.target, { retryMaxMs: env.retryMaxMs, pollMs: 3_600_000, now: () => clock });
  await queue.addSource(source);
  await queue.start();
  // Down: one simulated poll per step; a closing segment kicks the queue as the catalog does.
  const t0 = clock;
  let scans = 0;
  for (let ms = POLL_MS; ms <= OUTAGE_S * 1000; ms += POLL_MS) {
    clock = t0 + ms;
    if (ms % 1000 === 0)
      for (const seg of closingAt(ms / 1000, sessions, segmentSeconds))
        source.stage(`recordings/bench-${run}/${seg.key}`, bytesOf(seg.bytes), clock);
    await queue.kick();
    await queue.idle();
    scans++;
  }
  const rows = [...source.rows.values()];
  const atReturn = {
    uploads: rows.length,
    failed: rows.filter((r) => r.state === 'failed').length,
    maxAttempts: Math.max(...rows.map((r) => r.attempts)),
    attempts: rows.reduce((n, r) => n + r.attempts, 0),
    // What the old rule waited for: the last item's backoff running out.
    lastDueS: (Math.max(...rows.map((r) => r.nextAttemptAt)) - clock) / 1000,
  };
  // Back on the same port; the next poll (fired at once here) finds it.
  const store = await startEmbeddedStore(env.storeDir, { port: env.port });
  const r0 = performance.now();
  clock += POLL_MS;
  const frozen = clock;
  await queue.kick();
  await drained(queue, source);
  const ms = performance.now() - r0;
  if (clock !== frozen) throw new Error('the queue clock moved after the return');
  await queue.close();
  fs.rmSync(staging, { recursive: true, force: true });
  return { ...atReturn, scans, ms, store };
}

async function main(): Promise<void> {
  const config = loadConfig({ DATA_DIR: os.tmpdir(), RECORDING_SEGMENT_SECONDS: process.env.RECORDING_SEGMENT_SECONDS });
  const segmentSeconds = config.recording.segmentSeconds;
  const retryMaxMs = config.recording.uploadRetryMaxMs;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-upload-drain-'));
  const storeDir = path.join(tmp, 'store');
  let store = await startEmbeddedStore(storeDir);
  const target = new ObjectStore({ endpoint: store.endpoint, region: 'us-east-1', bucket: 'bench-drain', ...EMBEDDED_CREDENTIALS });
  await target.ensureBucket();
  const env: Env = { tmp, storeDir, port: store.port, target, retryMaxMs };
  const lines = [
    `bench:upload-drain  sessions of ${OUTAGE_S} s, ${TRACKS.length} tracks (VP8 ~1 Mbit/s + 2 x Opus ~48 kbit/s), ${segmentSeconds} s segments, retry max ${retryMaxMs / 1000} s, concurrency 2, ${os.cpus().length} cores`,
    `  outage: the embedded store stopped, then started again on port ${store.port}; its ${OUTAGE_S} s pass on the queue's clock (now option),`,
    `  one poll (${POLL_MS} ms) per step, real attempts against the stopped store (backoff growth simulated on that clock);`,
    `  after the return the clock stands still and the first scan is fired at once (in service: the next poll, <= ${POLL_MS} ms)`,
  ];
  try {
    // Warm-up, not reported: the first uploads of a process pay for the SDK's and s3rver's start.
    await baseline(env, 'warmup', 1, segmentSeconds);
    for (const n of SESSIONS) {
      const base = await baseline(env, `base-${n}`, n, segmentSeconds);
      await store.close();
      const down = await outage(env, `outage-${n}`, n, segmentSeconds);
      store = down.store;
      const mb = (TRACKS.reduce((b, t) => b + t.bitsPerSecond / 8, 0) * OUTAGE_S * n) / 1e6;
      lines.push(
        `  ${String(n).padStart(2)} session(s), ${base.uploads} uploads (${mb.toFixed(1)} MB):`,
        `     store never down:             ${(base.ms / 1000).toFixed(2)} s to an empty backlog`,
        `     store back after the outage:  ${(down.ms / 1000).toFixed(2)} s to an empty backlog   ratio ${(down.ms / base.ms).toFixed(2)}x`,
        `     at the return: ${down.failed} failed after ${down.attempts} attempts in ${down.scans} polls (at most ${down.maxAttempts} per upload);` +
          ` by their backoff alone the last was due ${down.lastDueS.toFixed(1)} s later`,
      );
    }
  } finally {
    target.close();
    await store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
