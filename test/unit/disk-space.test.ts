// The staging disk's guard on its own (server/src/storage/disk-space.ts): an injected statfs plays
// the disk, so a full disk is simulated without filling one; timers are jest's fake ones, so the
// periodic re-check is driven by the clock, not by sleeps. The reclaim rule runs on real files in a
// temporary directory whose "free space" is computed from what is in it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/src/config/config';
import { Logger, setLogLevel } from '../../server/src/logging/logger';
import { DiskGuard, type DiskState, type DiskStats, type ReclaimPolicy } from '../../server/src/storage/disk-space';

setLogLevel('silent');

const MiB = 1024 * 1024;
const BSIZE = 4096;

/** A disk of `total` bytes with `free` bytes left (settable), as statfs describes it. */
class FakeDisk {
  free: number;
  ffree = 100_000;
  fail: Error | null = null;
  calls = 0;

  constructor(
    free: number,
    readonly total = 100_000 * MiB,
  ) {
    this.free = free;
  }

  readonly statfs = (): Promise<DiskStats> => {
    this.calls++;
    if (this.fail) return Promise.reject(this.fail);
    return Promise.resolve({
      bsize: BSIZE,
      blocks: Math.floor(this.total / BSIZE),
      bavail: Math.floor(this.free / BSIZE),
      files: 1_000_000,
      ffree: this.ffree,
    });
  };
}

const guards: DiskGuard[] = [];
afterEach(async () => {
  for (const g of guards.splice(0)) await g.close();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** low-water mark 2048 MiB, stop mark 512 MiB, as the defaults. */
function guard(disk: FakeDisk, extra: Partial<ConstructorParameters<typeof DiskGuard>[0]> = {}): DiskGuard {
  const g = new DiskGuard({ dir: os.tmpdir(), lowBytes: 2048 * MiB, minFreeBytes: 512 * MiB, statfs: disk.statfs, ...extra });
  guards.push(g);
  return g;
}

function changes(g: DiskGuard): Array<[DiskState, number, DiskState]> {
  const seen: Array<[DiskState, number, DiskState]> = [];
  g.on('change', (state, free, previous) => void seen.push([state, free, previous]));
  return seen;
}

describe('thresholds', () => {
  test('ok at and above the low-water mark, low below it, full below the stop mark', async () => {
    const disk = new FakeDisk(2048 * MiB);
    const g = guard(disk, { hysteresisBytes: 0 });
    expect(await g.check()).toBe('ok');
    expect(g.freeBytes).toBe(2048 * MiB);
    expect(g.status.freeFraction).toBeCloseTo(2048 / 100_000, 6);
    disk.free = 2048 * MiB - BSIZE;
    expect(await g.check()).toBe('low');
    disk.free = 512 * MiB;
    expect(await g.check()).toBe('low');
    disk.free = 512 * MiB - BSIZE;
    expect(await g.check()).toBe('full');
    disk.free = 0;
    expect(await g.check()).toBe('full');
    expect(g.state).toBe('full');
  });

  test('leaving a state upwards needs the hysteresis on top of the threshold (no flapping at a threshold)', () => {
    const g = guard(new FakeDisk(0), { hysteresisBytes: 16 * MiB });
    expect(g.classify(512 * MiB, 'full')).toBe('full');
    expect(g.classify(512 * MiB + 16 * MiB, 'full')).toBe('low');
    expect(g.classify(512 * MiB, 'low')).toBe('low');
    expect(g.classify(2048 * MiB, 'low')).toBe('low');
    expect(g.classify(2048 * MiB + 16 * MiB, 'low')).toBe('ok');
    expect(g.classify(2048 * MiB + 16 * MiB, 'full')).toBe('ok');
    // Going down needs no margin.
    expect(g.classify(2048 * MiB - 1, 'ok')).toBe('low');
    expect(g.classify(512 * MiB - 1, 'low')).toBe('full');
    // The default: a tenth of the stop mark, at most 32 MiB.
    expect(g.hysteresisBytes).toBe(16 * MiB);
    expect(guard(new FakeDisk(0)).hysteresisBytes).toBe(32 * MiB);
    expect(guard(new FakeDisk(0), { lowBytes: 20 * MiB, minFreeBytes: 10 * MiB }).hysteresisBytes).toBe(Math.floor((10 * MiB) / 10));
  });

  test('no free inode is full, whatever the bytes', async () => {
    const disk = new FakeDisk(50_000 * MiB);
    const g = guard(disk);
    expect(await g.check()).toBe('ok');
    disk.ffree = 10;
    expect(await g.check()).toBe('full');
  });

  test('a disk that cannot be asked is full, with the error; ok again once it answers', async () => {
    const disk = new FakeDisk(50_000 * MiB);
    const g = guard(disk);
    const seen = changes(g);
    disk.fail = Object.assign(new Error('EIO: i/o error, statfs'), { code: 'EIO' });
    expect(await g.check()).toBe('full');
    expect(g.status).toMatchObject({ state: 'full', freeBytes: 0, error: 'EIO: i/o error, statfs' });
    disk.fail = null;
    expect(await g.check()).toBe('ok');
    expect(g.status.error).toBeNull();
    expect(seen.map((c) => c[0])).toEqual(['full', 'ok']);
  });

  test('thresholds are checked when the guard is made', () => {
    const statfs = new FakeDisk(0).statfs;
    expect(() => new DiskGuard({ dir: os.tmpdir(), lowBytes: MiB, minFreeBytes: 2 * MiB, statfs })).toThrow(RangeError);
    expect(() => new DiskGuard({ dir: os.tmpdir(), lowBytes: NaN, minFreeBytes: 0, statfs })).toThrow(RangeError);
  });
});

describe('transitions, events and the log', () => {
  test("one 'change' per change of state (state, free bytes, previous); none while it stays", async () => {
    const disk = new FakeDisk(10_000 * MiB);
    const g = guard(disk, { hysteresisBytes: 0 });
    const seen = changes(g);
    expect(await g.check()).toBe('ok');
    expect(seen).toEqual([]);
    disk.free = 1000 * MiB;
    await g.check();
    await g.check();
    disk.free = 100 * MiB;
    await g.check();
    await g.check();
    disk.free = 1000 * MiB;
    await g.check();
    disk.free = 3000 * MiB;
    await g.check();
    await g.check();
    expect(seen).toEqual([
      ['low', 1000 * MiB, 'ok'],
      ['full', 100 * MiB, 'low'],
      ['low', 1000 * MiB, 'full'],
      ['ok', 3000 * MiB, 'low'],
    ]);
  });

  test('ERROR once on entering full, WARN on entering low, INFO back to ok', async () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const info = jest.spyOn(Logger.prototype, 'info');
    const disk = new FakeDisk(10_000 * MiB);
    const g = guard(disk);
    await g.check();
    disk.free = 100 * MiB;
    for (let i = 0; i < 5; i++) await g.check();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatch(/ok -> full/);
    expect(error.mock.calls[0]![1]).toMatchObject({ freeBytes: 100 * MiB, minFreeMb: 512 });
    disk.free = 1000 * MiB;
    await g.check();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/full -> low/);
    disk.free = 10_000 * MiB;
    await g.check();
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]![0]).toMatch(/low -> ok/);
    expect(error).toHaveBeenCalledTimes(1);
  });

  test('a listener that throws does not break the guard', async () => {
    const disk = new FakeDisk(100 * MiB);
    const g = guard(disk);
    g.on('change', () => {
      throw new Error('listener bug');
    });
    const seen = changes(g);
    expect(await g.check()).toBe('full');
    expect(seen.map((c) => c[0])).toEqual(['full']);
  });

  test('a check asked while one runs gets a statfs of its own after it, shared by every caller meanwhile', async () => {
    const disk = new FakeDisk(10_000 * MiB);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const g = guard(disk, {
      statfs: async () => {
        calls++;
        const seen = disk.statfs(); // what the disk holds when asked
        if (calls === 1) await gate;
        return seen;
      },
    });
    const first = g.check();
    // The disk fills while the first statfs is out (a recorder hit ENOSPC and asks).
    disk.free = 100 * MiB;
    const later = [g.check(), g.check(), g.check()];
    release();
    expect(await first).toBe('ok');
    expect(await Promise.all(later)).toEqual(['full', 'full', 'full']);
    expect(calls).toBe(2);
  });
});

describe('periodic checks (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));

  test('every 1 s while not ok: back to ok within a second of the space returning', async () => {
    const disk = new FakeDisk(100 * MiB);
    const g = guard(disk);
    const seen = changes(g);
    expect(await g.start()).toBe('full');
    await jest.advanceTimersByTimeAsync(3000);
    expect(disk.calls).toBe(4); // start + 3 re-checks, one a second
    expect(g.state).toBe('full');
    disk.free = 10_000 * MiB; // uploads caught up, or an operator made room
    await jest.advanceTimersByTimeAsync(999);
    expect(g.state).toBe('full');
    await jest.advanceTimersByTimeAsync(1);
    expect(g.state).toBe('ok');
    expect(seen).toEqual([
      ['full', 100 * MiB, 'ok'],
      ['ok', 10_000 * MiB, 'full'],
    ]);
  });

  test('every 5 s while ok: a disk that fills between two runs is noticed', async () => {
    const disk = new FakeDisk(10_000 * MiB);
    const g = guard(disk);
    expect(await g.start()).toBe('ok');
    disk.free = 1000 * MiB;
    await jest.advanceTimersByTimeAsync(4999);
    expect(g.state).toBe('ok');
    expect(disk.calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(g.state).toBe('low');
    // Now every second.
    disk.free = 100 * MiB;
    await jest.advanceTimersByTimeAsync(1000);
    expect(g.state).toBe('full');
  });

  test('a check on demand restarts the period', async () => {
    const disk = new FakeDisk(10_000 * MiB);
    const g = guard(disk);
    await g.start();
    await jest.advanceTimersByTimeAsync(4000);
    await g.check();
    await jest.advanceTimersByTimeAsync(4999);
    expect(disk.calls).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(disk.calls).toBe(3);
  });

  test('close() stops the checks; the timers never hold the process', async () => {
    const disk = new FakeDisk(100 * MiB);
    const g = guard(disk);
    await g.start();
    expect(jest.getTimerCount()).toBe(1);
    await g.close();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(disk.calls).toBe(1);
    expect(await g.check()).toBe('full'); // closed: the last state, no statfs
    expect(disk.calls).toBe(1);
  });
});

test('the periodic timer is unref’d (real timers)', async () => {
  const g = guard(new FakeDisk(10_000 * MiB));
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  await g.start();
  expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  expect((g as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
});

describe('making room below the low-water mark', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-guard-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A disk of `capacity` bytes holding exactly the files under `dir`. */
  function diskOfFiles(capacity: number): () => Promise<DiskStats> {
    return async () => {
      let used = 0;
      for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (f.isFile()) used += fs.statSync(path.join(f.parentPath, f.name)).size;
      }
      return { bsize: 1, blocks: capacity, bavail: Math.max(0, capacity - used) };
    };
  }

  /** Writes `rel` with `mib` MiB, its mtime `age` seconds ago. */
  function file(rel: string, mib: number, age: number): string {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, Buffer.alloc(mib * MiB));
    const t = new Date(Date.now() - age * 1000);
    fs.utimesSync(f, t, t);
    return f;
  }

  /** A policy over two sets: what the store confirmed, and what still waits for it. */
  function policy(uploaded: string[], pending: string[]): ReclaimPolicy & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      uploadedFiles: () => Promise.resolve(uploaded),
      isPending: (rel) => {
        asked.push(rel);
        return Promise.resolve(pending.includes(rel));
      },
    };
  }

  test('deletes the oldest uploaded files, only until the low-water mark is reached again', async () => {
    // 20 MiB disk: low below 8 MiB free, full below 2 MiB.
    const a = file('t1/seg-00000.webm', 3, 300);
    const b = file('t1/seg-00001.webm', 3, 200);
    const c = file('t2/seg-00000.webm', 3, 100);
    const live = file('t2/seg-00001.webm', 3, 0);
    const g = guard(new FakeDisk(0), {
      dir,
      lowBytes: 8 * MiB,
      minFreeBytes: 2 * MiB,
      hysteresisBytes: 0,
      statfs: diskOfFiles(20 * MiB),
      reclaim: policy(['t2/seg-00000.webm', 't1/seg-00001.webm', 't1/seg-00000.webm'], []),
    });
    // 12 MiB used, 8 MiB free: ok, nothing deleted.
    expect(await g.check()).toBe('ok');
    const d = file('t3/seg-00000.webm', 2, 50);
    // 14 MiB used, 6 free: low; deleting the oldest (a, 3 MiB) gives 9 free: enough.
    expect(await g.check()).toBe('ok');
    expect([a, b, c, live, d].map((f) => fs.existsSync(f))).toEqual([false, true, true, true, true]);
  });

  test('pending files are never deleted, even listed as uploaded and with the disk full', async () => {
    const old = file('t1/seg-00000.webm', 6, 500); // pending: its upload failed, retried later
    const up = file('t1/seg-00001.webm', 2, 400); // uploaded
    const unlisted = file('t1/seg-00002.webm', 8, 300); // ffmpeg writing it: nobody lists it
    const p = policy(['t1/seg-00000.webm', 't1/seg-00001.webm', '../outside.webm'], ['t1/seg-00000.webm']);
    fs.writeFileSync(path.join(path.dirname(dir), 'outside.webm'), 'x');
    try {
      const g = guard(new FakeDisk(0), {
        dir,
        lowBytes: 8 * MiB,
        minFreeBytes: 5 * MiB,
        hysteresisBytes: 0,
        statfs: diskOfFiles(20 * MiB),
        reclaim: p,
      });
      // 16 used, 4 free: full; only `up` may go (6 free: still low).
      expect(await g.check()).toBe('low');
      expect(fs.existsSync(old)).toBe(true);
      expect(fs.existsSync(up)).toBe(false);
      expect(fs.existsSync(unlisted)).toBe(true);
      expect(fs.existsSync(path.join(path.dirname(dir), 'outside.webm'))).toBe(true);
      expect(p.asked).toEqual(['t1/seg-00000.webm', 't1/seg-00001.webm']);
      // Checked again and again while low: still kept.
      for (let i = 0; i < 3; i++) expect(await g.check()).toBe('low');
      expect(fs.existsSync(old)).toBe(true);
    } finally {
      fs.rmSync(path.join(path.dirname(dir), 'outside.webm'), { force: true });
    }
  });

  test('nothing is listed (the recording staging today): nothing is deleted, the state says so', async () => {
    const f = file('t1/seg-00000.webm', 18, 100);
    const p = policy([], []);
    const g = guard(new FakeDisk(0), {
      dir,
      lowBytes: 8 * MiB,
      minFreeBytes: 4 * MiB,
      statfs: diskOfFiles(20 * MiB),
      reclaim: p,
    });
    expect(await g.check()).toBe('full');
    expect(fs.existsSync(f)).toBe(true);
    expect(p.asked).toEqual([]);
  });

  test('a staging directory that was removed is made again (real statfs)', async () => {
    const gone = path.join(dir, 'staging');
    const g = guard(new FakeDisk(0), { dir: gone, lowBytes: 0, minFreeBytes: 0, statfs: undefined });
    expect(await g.check()).toBe('ok');
    expect(fs.existsSync(gone)).toBe(true);
    expect(g.freeBytes).toBeGreaterThan(0);
    expect(g.status.totalBytes).toBeGreaterThanOrEqual(g.freeBytes);
  });
});

describe('configuration', () => {
  test('RECORDING_DISK_LOW_MB and RECORDING_DISK_MIN_FREE_MB: defaults 2048 and 512', () => {
    expect(loadConfig({}).recording).toMatchObject({ diskLowMb: 2048, diskMinFreeMb: 512 });
    expect(loadConfig({ RECORDING_DISK_LOW_MB: '100', RECORDING_DISK_MIN_FREE_MB: '100' }).recording).toMatchObject({
      diskLowMb: 100,
      diskMinFreeMb: 100,
    });
  });

  test.each([
    [{ RECORDING_DISK_LOW_MB: '100', RECORDING_DISK_MIN_FREE_MB: '200' }, /RECORDING_DISK_MIN_FREE_MB must not exceed/],
    [{ RECORDING_DISK_MIN_FREE_MB: '0' }, /RECORDING_DISK_MIN_FREE_MB/],
    [{ RECORDING_DISK_LOW_MB: '1.5' }, /RECORDING_DISK_LOW_MB/],
    [{ RECORDING_DISK_LOW_MB: 'lots' }, /RECORDING_DISK_LOW_MB/],
  ])('%j is refused with its name', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
