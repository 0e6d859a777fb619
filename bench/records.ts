// npm run bench:records — the records at provincial scale, on SQLite and on PostgreSQL (one run
// each): a database filled with 1,000,000 concluded inspections across 200 surveyors and 5 years
// (test/helpers/seed-records.ts: bulk inserts, a realistic mix), then the real server in a process
// of its own on it, asked over HTTP. Prints, next to the row count, p50/p95 of:
//   the dashboard for a year, for a month, for one surveyor's year;
//   the first and a deep page of the inspection list (a cursor 200 pages down), a search by
//   registration number;
//   and the full CSV export's time and the server's peak memory growth while it streams.
// Baseline in the same run: GET /api/me (a signed-in request that reads one row); each figure's
// ratio to it says what the records cost beyond a request.
//   BENCH_ROWS (1000000)  BENCH_DATABASES (sqlite,postgres)  BENCH_REPEATS (30)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../server/src/config/config';
import { setLogLevel } from '../server/src/logging/logger';
import { openDatabase } from '../server/src/persistence/data-source';
import { AUTH_ENTITIES } from '../server/src/auth/entities';
import { INSPECTION_ENTITIES } from '../server/src/inspection/entities';
import { INSPECTION_RECORD_ENTITIES } from '../server/src/inspection-record/entities';
import { startPostgres, type PostgresCluster } from '../test/helpers/postgres';
import { seedRecords } from '../test/helpers/seed-records';
import { ADMIN, testServerEnv } from '../test/helpers/test-server';
import { summary } from './stats';

setLogLevel('error');
const ROOT = path.resolve(__dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 30);
const END = new Date('2026-11-30T00:00:00Z');
/** The throw-away cluster's memory settings for the bench (the tests run on the defaults). */
const PG_SETTINGS = ['shared_buffers=1GB', 'effective_cache_size=4GB', 'work_mem=32MB', 'maintenance_work_mem=256MB'];
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServerChild(env: Record<string, string>): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/server-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('READY ') && resolve(line.slice(6)));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return {
    url,
    pid: child.pid!,
    // SIGTERM, then SIGKILL after 5 s: the bench's server keeps nothing worth a graceful stop.
    stop: () =>
      new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

/** Resident memory of a process (kB), from /proc. */
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function timed(url: string, cookie: string): Promise<{ ms: number; body: any }> {
  const t0 = performance.now();
  const r = await fetch(url, { headers: { cookie } });
  const body = await r.json();
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
  return { ms: performance.now() - t0, body };
}

async function samples(url: string, cookie: string): Promise<number[]> {
  await timed(url, cookie); // warm
  const out: number[] = [];
  for (let i = 0; i < REPEATS; i++) out.push((await timed(url, cookie)).ms);
  return out;
}

async function runOn(kind: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-records-${kind}-`));
  let cluster: PostgresCluster | null = null;
  const env = testServerEnv(dataDir);
  delete env.DATABASE_URL;
  delete env.DATABASE_SCHEMA;
  if (kind === 'postgres') {
    // Memory as a production server would give it (Debian's defaults are sized for a laptop).
    cluster = await startPostgres(PG_SETTINGS);
    env.DATABASE_URL = cluster.url;
  } else if (kind !== 'sqlite') throw new Error(`unknown database ${kind}: sqlite or postgres`);
  try {
    // Seed through the same migrations, before the server starts.
    const config = loadConfig(env);
    const db = await openDatabase(config.database, [...AUTH_ENTITIES, ...INSPECTION_ENTITIES, ...INSPECTION_RECORD_ENTITIES]);
    const t0 = performance.now();
    let stored = 0;
    let reported = 0;
    await seedRecords(db, {
      inspections: ROWS,
      surveyors: 200,
      years: 5,
      end: END,
      seed: 2026,
      batch: 10_000,
      onBatch: (rows) => {
        stored += rows.length;
        if (stored - reported >= ROWS / 10) {
          reported = stored;
          log(`${kind}: ${stored.toLocaleString('en-US')} inspections stored`);
        }
      },
    });
    await db.query('ANALYZE');
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM "inspection_record" WHERE "concludedAt" IS NOT NULL');
    const surveyor: string = (await db.query('SELECT "surveyorId" FROM "inspection" LIMIT 1'))[0].surveyorId;
    const registration: string = (await db.query('SELECT "registrationNumber" FROM "inspection" ORDER BY "id" LIMIT 1'))[0]
      .registrationNumber;
    await db.destroy();
    log(
      `${kind}: seeded ${ROWS.toLocaleString('en-US')} inspections (${Number(n).toLocaleString('en-US')} concluded) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    const server = await startServerChild(env);
    try {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const u = (p: string) => `${server.url}${p}`;
      // A cursor 200 pages (10,000 rows) down the list.
      let cursor = '';
      for (let page = 0; page < 200; page++) {
        const r = await timed(u(`/api/inspections?limit=50${cursor ? `&cursor=${cursor}` : ''}`), cookie);
        cursor = r.body.nextCursor;
      }
      const cases: Array<[string, string]> = [
        ['baseline GET /api/me', '/api/me'],
        ['dashboard, one year (2025)', '/api/reports/savings?from=2025-01-01&to=2025-12-31'],
        ['dashboard, one month (2025-06)', '/api/reports/savings?from=2025-06-01&to=2025-06-30'],
        ['dashboard, one surveyor, one year', `/api/reports/savings?from=2025-01-01&to=2025-12-31&surveyorId=${surveyor}`],
        ['dashboard, all five years', '/api/reports/savings'],
        ['list, first page (50)', '/api/inspections?limit=50'],
        ['list, page 201 (by cursor)', `/api/inspections?limit=50&cursor=${cursor}`],
        ['list, search by registration no.', `/api/inspections?q=${encodeURIComponent(registration)}`],
        ['list, search by vessel name part', `/api/inspections?q=${encodeURIComponent('济宁货123')}`],
      ];
      console.log(
        `\n${kind}: ${ROWS.toLocaleString('en-US')} inspections, ${Number(n).toLocaleString('en-US')} concluded, ${REPEATS} requests each`,
      );
      console.log('| request | p50 ms | p95 ms | p95 / baseline p95 |');
      console.log('|---|---|---|---|');
      let base = 1;
      for (const [name, p] of cases) {
        const s = summary(await samples(u(p), cookie));
        if (name.startsWith('baseline')) base = s.p95;
        console.log(`| ${name} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${(s.p95 / base).toFixed(1)} |`);
      }

      // The full CSV: time, bytes, and the server's memory while it streams.
      const before = rssKb(server.pid);
      let peak = before;
      const watch = setInterval(() => (peak = Math.max(peak, rssKb(server.pid))), 50);
      const t1 = performance.now();
      const r = await fetch(u('/api/reports/savings.csv'), { headers: { cookie } });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines += 1;
      }
      const csvS = (performance.now() - t1) / 1000;
      clearInterval(watch);
      console.log(
        `\nCSV, every counted inspection: ${(lines - 1).toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${csvS.toFixed(1)} s; ` +
          `server memory ${(before / 1024).toFixed(0)} MB before, peak +${((peak - before) / 1024).toFixed(0)} MB while streaming\n`,
      );
    } finally {
      await server.stop();
    }
  } finally {
    await cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const kind of DATABASES) await runOn(kind);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
