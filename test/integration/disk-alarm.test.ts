// A full staging disk is loud (issue 12): the real server with its recording staging directory on a
// real 20 MB tmpfs (mounted here, as root, like the network namespaces of the browser tests),
// filled with a real file until the kernel answers ENOSPC. /metrics, /healthz and the admin storage
// view must say so, liveness must stay 200, and the guard's 1 s re-check must see the room coming
// back. Thresholds: low below 12 MB free, full below 6 MB.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DiskState } from '../../server/src/storage/disk-space';
import { liveCrewRecording, useFixture } from '../helpers/fixtures';
import { allWritten, publishPlain, syntheticClip, until } from '../helpers/recording';
import type { SignalingClient } from '../helpers/signaling-client';
import type { TestServer } from '../helpers/test-server';

const MiB = 1024 * 1024;
const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-disk-'));
const staging = path.join(recordingsDir, 'staging');
fs.mkdirSync(staging);
let mounted = false;

function unmount(): void {
  if (!mounted) return;
  try {
    execFileSync('umount', [staging], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', staging], { stdio: 'pipe' }); // something still holds it: detach
  }
  mounted = false;
}
process.once('exit', () => {
  try {
    unmount();
  } catch {
    // best effort: the test's own afterAll normally did it
  }
});

// Before the fixture's beforeAll (hooks run in the order they are registered): the server starts
// with its staging directory on the tmpfs.
beforeAll(() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m,mode=0755', 'tmpfs', staging], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`this test mounts a tmpfs and needs root (CAP_SYS_ADMIN): ${(e as Error).message}`, { cause: e });
  }
  mounted = true;
});
const fx = useFixture({
  env: { RECORDINGS_DIR: recordingsDir, RECORDING_DISK_LOW_MB: '12', RECORDING_DISK_MIN_FREE_MB: '6' },
});
afterAll(async () => {
  await fx.stop(); // idempotent: the fixture's own afterAll finds it stopped
  unmount();
  fs.rmSync(recordingsDir, { recursive: true, force: true });
});

let server: TestServer;
let adminCookie: string;
beforeAll(async () => {
  server = fx.server;
  adminCookie = await fx.adminCookie();
});

/** The value of an unlabelled gauge on /metrics. */
async function gauge(name: string): Promise<number> {
  const r = await server.api('GET', '/metrics');
  expect(r.status).toBe(200);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(String(r.body));
  if (!m) throw new Error(`${name} is not on /metrics`);
  return Number(m[1]);
}

/** The guard's next change of state, by its event; fails after `ms`. */
function nextChange(ms: number): Promise<{ state: DiskState; freeBytes: number; afterMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no disk state change within ${ms} ms`)), ms);
    server.recording.disk.once('change', (state, freeBytes) => {
      clearTimeout(timer);
      resolve({ state, freeBytes, afterMs: Date.now() - t0 });
    });
  });
}

/** Writes `filler` in 1 MiB chunks until the kernel says ENOSPC; returns the bytes written. */
function fillUntilEnospc(filler: string): number {
  const fd = fs.openSync(filler, 'w');
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, Buffer.alloc(MiB, 1));
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

test('a staging disk with room: ok everywhere', async () => {
  expect(server.recording.disk.state).toBe('ok');
  const health = await server.api('GET', '/healthz');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ ok: true, workers: 1, recording: { disk: 'ok', uploadBacklog: 0 } });
  expect(health.body.recording.freeBytes).toBeGreaterThan(12 * MiB);
  expect(health.body.recording.freeBytes).toBeLessThanOrEqual(20 * MiB);
  expect(await gauge('cloudship_recording_disk_state')).toBe(0);
  expect(await gauge('cloudship_recording_disk_free_bytes')).toBe(health.body.recording.freeBytes);
  const storage = await server.api('GET', '/api/admin/storage', { cookie: adminCookie });
  expect(storage.status).toBe(200);
  expect(storage.body.disk).toEqual({ state: 'ok', freeBytes: health.body.recording.freeBytes, lowMb: 12, minFreeMb: 6 });
  expect(storage.body.recordings).toEqual([]);
});

test('filled until ENOSPC: full on /healthz (liveness still 200), /metrics and the admin storage view; back to ok within ~1 s of room', async () => {
  const filler = path.join(staging, 'filler.bin');
  expect(fillUntilEnospc(filler)).toBeGreaterThan(15 * MiB);
  // What a recorder does when a write fails with ENOSPC.
  expect(await server.recording.disk.check()).toBe('full');

  const health = await server.api('GET', '/healthz');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ ok: true, workers: 1, recording: { disk: 'full', uploadBacklog: 0 } });
  expect(health.body.recording.freeBytes).toBeLessThan(6 * MiB);
  expect(await gauge('cloudship_recording_disk_state')).toBe(2);
  expect(await gauge('cloudship_recording_disk_free_bytes')).toBe(health.body.recording.freeBytes);
  const storage = await server.api('GET', '/api/admin/storage', { cookie: adminCookie });
  expect(storage.status).toBe(200);
  expect(storage.body.disk).toEqual({ state: 'full', freeBytes: health.body.recording.freeBytes, lowMb: 12, minFreeMb: 6 });
  // Not an admin: no storage view.
  const surveyor = await fx.account('surveyor', 'disk-surveyor');
  expect((await server.api('GET', '/api/admin/storage', { cookie: surveyor.cookie })).status).toBe(403);

  // An operator makes some room (8 MB free): low, seen by the guard's own re-check.
  const low = nextChange(3000);
  fs.truncateSync(filler, 12 * MiB);
  const seenLow = await low;
  expect(seenLow.state).toBe('low');
  expect(seenLow.afterMs).toBeLessThan(2500);
  expect(await gauge('cloudship_recording_disk_state')).toBe(1);
  expect((await server.api('GET', '/healthz')).body.recording.disk).toBe('low');

  // All the room back.
  const ok = nextChange(3000);
  fs.rmSync(filler);
  const seenOk = await ok;
  expect(seenOk.state).toBe('ok');
  expect(seenOk.freeBytes).toBeGreaterThan(19 * MiB);
  expect(seenOk.afterMs).toBeLessThan(2500);
  expect(await gauge('cloudship_recording_disk_state')).toBe(0);
  const after = await server.api('GET', '/healthz');
  expect(after.status).toBe(200);
  expect(after.body.recording).toMatchObject({ disk: 'ok' });
  expect((await server.api('GET', '/api/admin/storage', { cookie: adminCookie })).body.disk.state).toBe('ok');
});

test('recording while the staging disk fills: every track pauses as disk-full, resumes by itself within 5 s of room, one disk-full gap each', async () => {
  const sockets: SignalingClient[] = [];
  try {
    const { crew, room, peer, recordingId, inspection } = await liveCrewRecording(server, sockets);
    const publisher = await publishPlain(room, peer);
    await crew.next('recording.state', allWritten, { timeoutMs: 30_000 });
    const sending = publisher.send(syntheticClip(30), 20, true).done;
    await until(async () => (await server.recording.catalog.segments.countBy({ recordingId })) >= 2, 'segments before the disk fills');

    const filler = path.join(staging, 'filler.bin');
    const paused = crew.next(
      'recording.state',
      (e) => e.recording && e.tracks.length === 2 && e.tracks.every((t) => t.state === 'disk-full'),
      {
        timeoutMs: 20_000,
      },
    );
    fillUntilEnospc(filler);
    await paused;
    for (const e of crew.events) e.taken = true; // only states told after the room came back count
    fs.rmSync(filler);
    const freedAt = Date.now();
    await crew.next('recording.state', allWritten, { timeoutMs: 10_000 });
    const resumedAfterMs = Date.now() - freedAt;
    console.log(`recording resumed ${resumedAfterMs} ms after the room came back`);
    expect(resumedAfterMs).toBeLessThan(5_000);
    expect(await sending).toBe(0);
    await server.recording.service.stop(inspection.id, null);
    publisher.close();

    const gaps = await server.recording.catalog.gaps.findBy({ recordingId });
    expect(gaps.map((g) => [g.source, g.cause]).sort()).toEqual([
      ['camera', 'disk-full'],
      ['microphone', 'disk-full'],
    ]);
    expect(gaps.every((g) => g.endedAt !== null && g.endedAt > g.startedAt)).toBe(true);
    const segments = await until(
      async () => {
        const all = await server.recording.catalog.segments.findBy({ recordingId });
        return all.every((x) => x.uploadState === 'uploaded') ? all : null;
      },
      'every segment uploaded',
      60_000,
    );
    // Media on both sides of the gap, in one lane per track.
    for (const g of gaps) {
      const mine = segments.filter((x) => x.trackKey === g.trackKey);
      expect(mine.some((x) => x.endedAt <= g.startedAt)).toBe(true);
      expect(mine.some((x) => x.startedAt >= g.endedAt!)).toBe(true);
    }
  } finally {
    for (const c of sockets) c.close();
  }
});
