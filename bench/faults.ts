// npm run bench:faults [-- fault ...]: the recording under faults, each injected once into a live
// session (surveyor in desktop Chromium, crew phone in Chromium in its own network namespace,
// recording on), and what the recording held afterwards. The first row is a session without a
// fault, measured the same way in the same run: the baseline the others are read against.
//
//   none          no fault
//   recorder      the crew camera's ffmpeg killed (SIGKILL)
//   disk          the object store down and the staging disk (a tmpfs) filled until ENOSPC, 15 s
//   network       the crew's network cut for CUT_SECONDS (default 90, past the 60 s grace)
//   worker        the mediasoup worker killed (SIGKILL)
//   server        the server killed (SIGKILL) and started again 5 s later on the same data
//   store         the object store down for STORE_DOWN_SECONDS (default 180)
//   layers        the crew camera switched to walk-through and back (two simulcast layer switches)
//
// For each: per logical track, the span of its media (first segment start to last segment end),
// the seconds recorded, the seconds missing, the gaps stored with their causes, and what the
// surveyor's console and the crew's phone showed. Needs root (ip netns, tc, mount).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Browser } from 'puppeteer-core';
import type { RecordingTimelineView, ReplayInspectionView } from '@cloudship/shared';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore, type EmbeddedStore } from '../server/src/storage/embedded-store';
import { androidPage, desktopPage, launchBrowser, setSessionCookie, waitForStat } from '../test/helpers/browser';
import { createNetNs, launchBrowserInNetNs } from '../test/helpers/netns';
import { ADMIN, testServerEnv } from '../test/helpers/test-server';
import { until } from '../test/helpers/recording';
import { freePort } from '../test/helpers/ports';

const ROOT = path.resolve(__dirname, '..');
const CUT_S = Number(process.env.CUT_SECONDS ?? 90);
const STORE_DOWN_S = Number(process.env.STORE_DOWN_SECONDS ?? 180);
/** Seconds of undisturbed session before and after each fault. */
const SETTLE_S = 10;
const FAULTS = ['none', 'recorder', 'disk', 'network', 'worker', 'server', 'store', 'layers'] as const;
type Fault = (typeof FAULTS)[number];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted)
  if (!(FAULTS as readonly string[]).includes(w)) throw new Error(`unknown fault "${w}"; one of ${FAULTS.join(', ')}`);
const faults: Fault[] = ['none', ...FAULTS.filter((f) => f !== 'none' && (wanted.length === 0 || wanted.includes(f)))];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);


/** Processes under `root` (children, theirs, ...) whose command name is `comm`. */
function descendantsNamed(root: number, comm: string): number[] {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      name.set(Number(p), /\((.*)\)/.exec(stat)?.[1] ?? '');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...name].filter(([pid, n]) => n === comm && under(pid)).map(([pid]) => pid);
}

interface Row {
  fault: Fault;
  lanes: Array<{ lane: string; span: number; recorded: number; missing: number }>;
  gaps: string[];
  unexplained: number;
  seen: string[];
  segments: number;
  uploaded: number;
}

async function main(): Promise<void> {
  const ns = createNetNs();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-faults-'));
  const dataDir = path.join(tmp, 'data');
  const recordingsDir = path.join(tmp, 'recordings');
  const staging = path.join(recordingsDir, 'staging');
  const storeDir = path.join(tmp, 'store');
  fs.mkdirSync(staging, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m,mode=0755', 'tmpfs', staging]);
  let store: EmbeddedStore | null = await startEmbeddedStore(storeDir);
  const storePort = store.port;
  const port = await freePort(ns.hostIp);
  const origin = `http://${ns.hostIp}:${port}`;
  const env = {
    ...process.env,
    ...testServerEnv(dataDir),
    HOST: ns.hostIp,
    PORT: String(port),
    RTC_EXTRA_LISTEN_IPS: ns.hostIp,
    RECORDINGS_DIR: recordingsDir,
    RECORDING_SEGMENT_SECONDS: '4',
    RECORDING_DISK_LOW_MB: '24',
    RECORDING_DISK_MIN_FREE_MB: '12',
    S3_ENDPOINT: store.endpoint,
    S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
  let server: ChildProcess | null = null;
  const startServerChild = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/server-child.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout });
      rl.on('line', (l) => {
        if (l.startsWith('READY ')) resolve();
        else if (process.env.BENCH_LOG_LEVEL) console.log(l);
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
    });
    return child;
  };
  const browsers: Browser[] = [];
  const rows: Row[] = [];
  try {
    server = await startServerChild();
    const api = async (method: string, p: string, cookie?: string, body?: unknown) => {
      const res = await fetch(`${origin}${p}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    };
    const signIn = async (username: string, password: string) =>
      (await api('POST', '/api/auth/login', undefined, { username, password })).headers.get('set-cookie')!.split(';')[0]!;
    const admin = await signIn(ADMIN.username, ADMIN.password);
    await api('POST', '/api/accounts', admin, { username: 'wang', displayName: 'Wang', password: 'wang-password-123', role: 'surveyor' });
    const cookie = await signIn('wang', 'wang-password-123');
    const [surveyorBrowser, crewBrowser] = await Promise.all([
      launchBrowser([`--unsafely-treat-insecure-origin-as-secure=${origin}`]),
      launchBrowserInNetNs(ns, origin),
    ]);
    browsers.push(surveyorBrowser, crewBrowser);
    const health = async () => (await api('GET', '/healthz')).body as { recording: { uploadBacklog: number | null; disk: string } };

    for (const fault of faults) {
      log(`fault: ${fault}`);
      const inspection = (
        await api('POST', '/api/inspections', cookie, {
          vesselName: `鲁济宁货 ${fault}`,
          registrationNumber: 'JN-2026-0042',
          kind: 'periodic',
          place: '济宁港',
          scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
        })
      ).body.inspection as { id: string };
      const crewUrl = (await api('POST', `/api/inspections/${inspection.id}/crew-link`, cookie)).body.url as string;
      const surveyor = await desktopPage(surveyorBrowser);
      await setSessionCookie(surveyor, cookie, origin);
      await surveyor.goto(`${origin}/#/inspections/${inspection.id}`, { waitUntil: 'networkidle0' });
      await surveyor.click('[data-testid=join-live]');
      const crew = await androidPage(crewBrowser);
      await crew.goto(crewUrl, { waitUntil: 'networkidle0' });
      await crew.click('[data-testid=crew-join]');
      await crew.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
      await waitForStat(surveyor, 'video', 'framesDecoded', 10, 30_000);
      // What the console and the phone show, sampled every 250 ms through the whole session
      // (each distinct text with how long it was shown).
      const seen = new Map<string, number>();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const [who, page] of [
            ['console', surveyor],
            ['phone', crew],
          ] as const) {
            const s = await page
              .evaluate(() => {
                const rec = document.querySelector<HTMLElement>('[data-testid=recording-indicator]');
                const conn = document.querySelector<HTMLElement>('[data-testid=connection-state]');
                return `${rec?.textContent?.trim() ?? '-'} / ${conn?.textContent?.trim() ?? '-'}`;
              })
              .catch(() => null);
            if (s) seen.set(`${who}: ${s}`, (seen.get(`${who}: ${s}`) ?? 0) + 0.25);
          }
          await sleep(250);
        }
      })();
      await sleep(SETTLE_S * 1000);

      if (fault === 'recorder') {
        const pid = descendantsNamed(server.pid!, 'ffmpeg').find((p) => {
          try {
            return fs.readFileSync(path.join(fs.readlinkSync(`/proc/${p}/cwd`), 'input.sdp'), 'utf8').includes('m=video');
          } catch {
            return false;
          }
        });
        if (!pid) throw new Error('no camera recorder found');
        process.kill(pid, 'SIGKILL');
      } else if (fault === 'disk') {
        await store.close();
        store = null;
        const filler = path.join(staging, 'filler');
        const fd = fs.openSync(filler, 'w');
        const chunk = Buffer.alloc(1024 * 1024);
        try {
          for (;;) fs.writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        } finally {
          fs.closeSync(fd);
        }
        await until(async () => (await health()).recording.disk === 'full', 'the server to see the disk full', 20_000, 250);
        await sleep(15_000);
        fs.rmSync(filler);
        store = await startEmbeddedStore(storeDir, { port: storePort });
      } else if (fault === 'network') {
        ns.cut();
        await sleep(CUT_S * 1000);
        ns.restore();
      } else if (fault === 'worker') {
        const [pid] = descendantsNamed(server.pid!, 'mediasoup-worke'); // comm is cut at 15 characters
        if (!pid) throw new Error('no mediasoup worker found');
        process.kill(pid, 'SIGKILL');
      } else if (fault === 'server') {
        server.kill('SIGKILL');
        await new Promise((r) => server!.once('exit', r));
        await sleep(5_000);
        server = await startServerChild();
      } else if (fault === 'store') {
        await store.close();
        store = null;
        await sleep(STORE_DOWN_S * 1000);
        store = await startEmbeddedStore(storeDir, { port: storePort });
      } else if (fault === 'layers') {
        const [crewPeer] = (await surveyor.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('[data-testid=peer-state][data-role=crew]'), (e) => e.dataset.peerId),
        )) as string[];
        for (const profile of ['walk-through', 'auto']) {
          await surveyor.evaluate(
            (peerId, p) => (window as any).cloudship.session.request('video.setProfile', { peerId, profile: p }),
            crewPeer!,
            profile,
          );
          await sleep(8_000);
        }
      }
      if (fault !== 'none' && fault !== 'layers') {
        // Back to normal: both sides connected, the surveyor decoding the crew video again.
        await crew.waitForSelector('[data-testid=crew-live]', { timeout: 90_000 }).catch(() => undefined);
        await surveyor
          .waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]', { timeout: 90_000 })
          .catch(() => log('  the crew did not come back on the console within 90 s'));
        const backlogDrain = Date.now();
        if (fault === 'store' || fault === 'disk') {
          await until(async () => (await health()).recording.uploadBacklog === 0, 'the upload backlog to drain', 300_000, 250);
          seen.set(`upload backlog empty ${((Date.now() - backlogDrain) / 1000).toFixed(1)} s after the store returned`, 0);
        }
      }
      await sleep(SETTLE_S * 1000);
      sampling = false;
      await sampler;
      await api('POST', `/api/inspections/${inspection.id}/end`, cookie);
      await surveyor.close();
      await crew.close();
      await until(async () => (await health()).recording.uploadBacklog === 0, 'every segment uploaded', 300_000, 250);
      rows.push(await analyse(fault, inspection.id, cookie, api, seen));
      const r = rows.at(-1)!;
      log(
        `  ${r.lanes.map((l) => `${l.lane} ${l.recorded.toFixed(1)}/${l.span.toFixed(1)} s`).join('; ')}; gaps: ${r.gaps.join(', ') || '-'}`,
      );
    }
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((r) => server!.once('exit', r));
    await store?.close();
    try {
      execFileSync('umount', ['-l', staging]);
    } catch {
      // not mounted
    }
    ns.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  print(rows);
}

async function analyse(
  fault: Fault,
  inspectionId: string,
  cookie: string,
  api: (m: string, p: string, c?: string) => Promise<{ body: any }>,
  seen: Map<string, number>,
): Promise<Row> {
  const list = (await api('GET', '/api/replay/inspections', cookie)).body.inspections as ReplayInspectionView[];
  const recordings = list.find((i) => i.id === inspectionId)?.recordings ?? [];
  const seenFor = [...seen].map(([what, s]) => (s > 0 ? `${what} (${s.toFixed(1)} s)` : what));
  const row: Row = { fault, lanes: [], gaps: [], unexplained: 0, seen: seenFor, segments: 0, uploaded: 0 };
  for (const rec of recordings) {
    // The recording's last segments are registered a moment after the end: wait for them all.
    const timeline = async () => (await api('GET', `/api/recordings/${rec.id}/timeline`, cookie)).body as RecordingTimelineView;
    const tl = await until(
      async () => {
        const t = await timeline();
        return t.tracks.every((x) => x.segments.every((s) => s.uploadState === 'uploaded')) ? t : null;
      },
      'every segment of the recording uploaded',
      120_000,
      500,
    ).catch(timeline);
    for (const t of tl.tracks) {
      const segs = t.segments;
      row.segments += segs.length;
      row.uploaded += segs.filter((s) => s.uploadState === 'uploaded').length;
      const span = segs.length ? (Date.parse(segs.at(-1)!.endAt) - Date.parse(segs[0]!.startAt)) / 1000 : 0;
      const recorded = segs.reduce((n, s) => n + s.durationMs, 0) / 1000;
      const lane = `${recordings.length > 1 ? `rec ${recordings.indexOf(rec) + 1} ` : ''}${t.role} ${t.source}`;
      row.lanes.push({ lane, span, recorded, missing: Math.max(0, span - recorded) });
    }
    for (const g of tl.gaps) {
      const s = (Date.parse(g.to) - Date.parse(g.from)) / 1000;
      if (g.cause === 'unexplained') row.unexplained += s;
      row.gaps.push(`${g.role} ${g.source} ${g.cause} ${s.toFixed(1)} s`);
    }
  }
  if (recordings.length > 1) row.gaps.push(`${recordings.length} recordings`);
  return row;
}

function print(rows: Row[]): void {
  console.log('\n| fault | track: recorded / span (missing), s | gaps stored | segments uploaded | what the console and phone showed |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const lanes = r.lanes.map((l) => `${l.lane}: ${l.recorded.toFixed(1)} / ${l.span.toFixed(1)} (${l.missing.toFixed(1)})`).join('<br>');
    const seen = r.seen.join('<br>');
    console.log(`| ${r.fault} | ${lanes} | ${r.gaps.join('<br>') || '—'} | ${r.uploaded}/${r.segments} | ${seen} |`);
  }
  const base = rows.find((r) => r.fault === 'none');
  if (base) {
    const ratio = (r: Row) =>
      r.lanes.reduce((n, l) => n + l.recorded, 0) /
      Math.max(
        1e-9,
        r.lanes.reduce((n, l) => n + l.span, 0),
      );
    console.log(`\nrecorded / span over all tracks, against the fault-free baseline (${ratio(base).toFixed(3)}):`);
    for (const r of rows) console.log(`  ${r.fault.padEnd(9)} ${ratio(r).toFixed(3)}  (x${(ratio(r) / ratio(base)).toFixed(3)})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
