// The server heartbeat (server/src/persistence/heartbeat.ts): the running server rewrites one row
// every 2 s, and after a crash the participant rows the dead server left open end at its last beat
// (inspection/participant-log.ts closeDangling), not at the restart, which came 7 s later in a
// fault run.
//
// (1) The real thing: a server in its own process, a crew participant joined over signaling, the
//     process killed with SIGKILL, a new server on the same data directory.
// (2) The rules, on rows written into the database between two runs: the last beat, never before
//     the stay began, and the restart time when there is no beat at all.
// (3) It beats every 2 s while the server runs and not after close().
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { DataSource } from 'typeorm';
import { ParticipantSessionEntity, INSPECTION_ENTITIES, type ParticipantSession } from '../../server/src/inspection/entities';
import { openDatabase } from '../../server/src/persistence/data-source';
import { HEARTBEAT_INTERVAL_MS, lastHeartbeat, ServerHeartbeatEntity } from '../../server/src/persistence/heartbeat';
import { requestJoin } from '../helpers/fixtures';
import { until } from '../helpers/recording';
import { connect, type SignalingClient } from '../helpers/signaling-client';
import { ADMIN, startTestServer, testDatabase, testServerEnv, type TestServer } from '../helpers/test-server';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
let child: ChildProcess | null = null;
let crew: SignalingClient | null = null;
const servers: TestServer[] = [];

afterAll(async () => {
  crew?.close();
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heartbeat-'));
  dirs.push(dir);
  return dir;
}

async function startOn(dataDir: string): Promise<TestServer> {
  const server = await startTestServer({ DATA_DIR: dataDir });
  servers.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
}

/** The database of a stopped server, opened on its own (no server, no heartbeat). */
async function withDatabase<T>(dataDir: string, use: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await openDatabase(testDatabase(dataDir), INSPECTION_ENTITIES);
  try {
    return await use(db);
  } finally {
    await db.destroy();
  }
}

const row = (db: DataSource, id: string) => db.getRepository(ParticipantSessionEntity).findOneByOrFail({ id });

async function json(url: string, method: string, body?: unknown, cookie?: string) {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null), cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! };
}

test('a server killed with SIGKILL: after the restart, its open participant row ends at its last heartbeat, not at the restart', async () => {
  const dataDir = newDataDir();
  child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/server-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...testServerEnv(dataDir) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let url: string | null = null;
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('READY ')) url = line.slice(6);
  });
  const base = await until(() => url, 'the server child listening', 60_000);

  const { cookie } = await json(`${base}/api/auth/login`, 'POST', { username: ADMIN.username, password: ADMIN.password });
  const created = await json(
    `${base}/api/inspections`,
    'POST',
    {
      vesselName: '鲁济宁货1234',
      registrationNumber: 'JN-HB',
      kind: 'periodic',
      place: 'Jining',
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    },
    cookie,
  );
  expect(created.status).toBe(201);
  const link = await json(`${base}/api/inspections/${created.body.inspection.id}/crew-link`, 'POST', undefined, cookie);
  crew = await connect(base, { crewToken: link.body.url.split('/join/')[1] });
  const { participantId } = await requestJoin(crew, 'Li');

  // The dead server's last beat must come after the join for the row to end at it: wait for one
  // (reading the file beside the running server; SQLite in WAL mode allows it).
  const lastBeat = await withDatabase(dataDir, async (db) => {
    const { joinedAt } = await row(db, participantId);
    return until(
      async () => {
        const beat = await lastHeartbeat(db);
        return beat && beat > joinedAt ? beat : null;
      },
      'a heartbeat after the join',
      10_000,
    );
  });
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  crew.close();

  const before = await withDatabase(dataDir, async (db) => ({ beat: await lastHeartbeat(db), row: await row(db, participantId) }));
  expect(before.row.leftAt).toBeNull();
  // The server stays down for 3 s: the scenario, so that the restart time cannot pass for the beat.
  await new Promise((r) => setTimeout(r, 3_000));
  const restartAt = Date.now();
  const server = await startOn(dataDir);

  const after = await row(server.db, participantId);
  expect(after.leaveReason).toBe('server-restart');
  expect(after.leftAt!.getTime()).toBe(before.beat!.getTime());
  expect(before.beat!.getTime()).toBeGreaterThanOrEqual(lastBeat.getTime());
  // Within one beat of the death (plus the time a beat takes to be written), well before the restart.
  const beforeDeathMs = killedAt - after.leftAt!.getTime();
  console.log(`row ended ${beforeDeathMs} ms before the kill, ${restartAt - after.leftAt!.getTime()} ms before the restart`);
  expect(beforeDeathMs).toBeGreaterThanOrEqual(0);
  expect(beforeDeathMs).toBeLessThanOrEqual(HEARTBEAT_INTERVAL_MS + 500);
  expect(restartAt - after.leftAt!.getTime()).toBeGreaterThanOrEqual(3_000);
  // And the new run beats.
  expect((await lastHeartbeat(server.db))!.getTime()).toBeGreaterThanOrEqual(restartAt);
  await stop(server);
});

test('rows left open end at the last beat, never before they began, and at the restart when there is no beat', async () => {
  const dataDir = newDataDir();
  const first = await startOn(dataDir);
  const inspection = await first.createInspection(await first.signIn(ADMIN.username, ADMIN.password));
  await stop(first);

  // What a dead server could have left: a beat a minute ago, a stay from before it and one that
  // began after it (joined in the last 2 s of the run).
  const now = Date.now();
  const beatAt = new Date(now - 60_000);
  const stay = (id: string, joinedAt: Date): ParticipantSession => ({
    id,
    inspectionId: inspection.id,
    role: 'crew',
    accountId: null,
    crewLinkId: null,
    displayName: id,
    device: 'jest',
    joinedAt,
    leftAt: null,
    leaveReason: null,
  });
  const early = stay('00000000-0000-4000-8000-000000000001', new Date(now - 120_000));
  const late = stay('00000000-0000-4000-8000-000000000002', new Date(now - 59_000));
  await withDatabase(dataDir, async (db) => {
    await db.getRepository(ParticipantSessionEntity).save([early, late]);
    await db.getRepository(ServerHeartbeatEntity).save({ id: 1, beatAt });
  });
  const second = await startOn(dataDir);
  expect((await row(second.db, early.id)).leftAt).toEqual(beatAt);
  expect((await row(second.db, late.id)).leftAt).toEqual(late.joinedAt);
  await stop(second);

  // A database without any beat (written before the heartbeat existed): the restart time.
  const orphan = stay('00000000-0000-4000-8000-000000000003', new Date(now - 30_000));
  await withDatabase(dataDir, async (db) => {
    await db.getRepository(ParticipantSessionEntity).save(orphan);
    await db.getRepository(ServerHeartbeatEntity).clear();
  });
  const restartAt = Date.now();
  const third = await startOn(dataDir);
  const ended = await row(third.db, orphan.id);
  expect(ended.leaveReason).toBe('server-restart');
  expect(ended.leftAt!.getTime()).toBeGreaterThanOrEqual(restartAt);
  expect(ended.leftAt!.getTime()).toBeLessThanOrEqual(Date.now());
  await stop(third);
});

test('the server beats every 2 s while it runs, and not after close()', async () => {
  const dataDir = newDataDir();
  const server = await startOn(dataDir);
  const first = (await lastHeartbeat(server.db))!;
  const next = await until(
    async () => {
      const beat = await lastHeartbeat(server.db);
      return beat && beat > first ? beat : null;
    },
    'the next beat',
    HEARTBEAT_INTERVAL_MS * 3,
    50,
  );
  const gap = next.getTime() - first.getTime();
  expect(gap).toBeGreaterThanOrEqual(HEARTBEAT_INTERVAL_MS - 100);
  expect(gap).toBeLessThanOrEqual(HEARTBEAT_INTERVAL_MS + 500);
  await stop(server);

  const atClose = await withDatabase(dataDir, lastHeartbeat);
  // Longer than a beat: one would have been written by now.
  await new Promise((r) => setTimeout(r, HEARTBEAT_INTERVAL_MS * 1.5));
  expect(await withDatabase(dataDir, lastHeartbeat)).toEqual(atClose);
});
