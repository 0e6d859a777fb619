// npm run bench:worker-build [-- --flavours=release,lto,native,pgo --rounds=3 --sessions=40]
//
// What the way the worker is built does to its cost per forwarded packet. Each flavour of
// scripts/mediasoup-worker.mjs (WORKER_FLAVOURS: release, link-time optimisation, -march=native,
// profile-guided) is built into the cache (or taken from it), then bench:capacity's bare run
// (mediasoup.createWorker + the reference sessions, no application code) is measured with each
// binary at the same load, the flavours taking turns round after round, so a change in the
// machine's load touches them all alike. The figure is the worker's CPU time per forwarded packet
// (pinned to one core), next to the release build's in the same run: a ratio.
//
// The profile-guided flavour is trained on that same bare load, at a different session count
// (TRAIN_SESSIONS), with the instrumented worker.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { summary } from './stats';

const root = path.resolve(__dirname, '..');
// The set-up script is an ES module; this file runs as CommonJS.
const setUp = import('../scripts/mediasoup-worker.mjs');
const option = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const FLAVOURS = option('flavours', 'release,lto,native,pgo').split(',');
const ROUNDS = Number(option('rounds', '3'));
const SESSIONS = Number(option('sessions', '40'));
const TRAIN_SESSIONS = 30;
const TRAIN_MS = 20_000;

interface Measured {
  usPerPacket: number;
  workerCpu: number;
  loss: number;
}

/** One bare run of bench:capacity at a fixed session count with the given worker binary. */
function bareRun(workerBin: string, sessions: number, measureMs = 5000): Promise<Measured> {
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    path.join(__dirname, 'capacity.ts'),
    '--only=bare',
    `--start=${sessions}`,
    `--max=${sessions}`,
    `--measure-ms=${measureMs}`,
    '--no-join-storm',
    `--worker-bin=${workerBin}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      // "bare  40  cpu%  us/pkt  fwd pps  loss% ..." (bench/capacity.ts printRow)
      const row = out.split('\n').find((l) => /^bare\s+\d+\s/.test(l));
      if (code !== 0 || !row) return reject(new Error(`bench:capacity (bare, ${workerBin}) exited with ${code}:\n${out}`));
      const [, , cpu, us, , loss] = row.trim().split(/\s+/);
      resolve({ usPerPacket: Number(us), workerCpu: Number(cpu) / 100, loss: Number(loss) / 100 });
    });
  });
}

/** Resolves when no process runs the binary any more (the worker writes its profile as it exits). */
async function exited(bin: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  const running = () =>
    fs.readdirSync('/proc').some((pid) => {
      try {
        return /^\d+$/.test(pid) && fs.readlinkSync(`/proc/${pid}/exe`) === bin;
      } catch {
        return false;
      }
    });
  while (running()) {
    if (Date.now() - started > timeoutMs) throw new Error(`the instrumented worker ${bin} did not exit`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const training = {
  id: `bench:capacity bare, ${TRAIN_SESSIONS} sessions, ${TRAIN_MS / 1000} s`,
  async run(bin: string) {
    await bareRun(bin, TRAIN_SESSIONS, TRAIN_MS);
    await exited(bin);
  },
};

async function main(): Promise<void> {
  const { DEFAULT_FLAVOUR, WORKER_FLAVOURS, workerOfFlavour } = await setUp;
  const unknown = FLAVOURS.filter((f) => !(f in WORKER_FLAVOURS));
  if (unknown.length) throw new Error(`--flavours: unknown ${unknown.join(', ')} (flavours: ${Object.keys(WORKER_FLAVOURS).join(', ')})`);
  if (!FLAVOURS.includes('release')) FLAVOURS.unshift('release');
  const bins: Record<string, string> = {};
  for (const flavour of FLAVOURS) {
    const started = Date.now();
    bins[flavour] = await workerOfFlavour(root, flavour, WORKER_FLAVOURS[flavour]!.pgo ? training : null);
    process.stdout.write(`${flavour}: ${bins[flavour]} (${Math.round((Date.now() - started) / 1000)} s to build or find)\n`);
  }
  const results: Record<string, Measured[]> = Object.fromEntries(FLAVOURS.map((f) => [f, []]));
  process.stdout.write(`\n${SESSIONS} sessions of bench:capacity's bare run per measurement, ${ROUNDS} rounds\n`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const flavour of FLAVOURS) {
      const m = await bareRun(bins[flavour]!, SESSIONS);
      results[flavour]!.push(m);
      process.stdout.write(
        `  round ${round} ${flavour.padEnd(8)} ${m.usPerPacket.toFixed(2)} us/pkt, worker core ${(m.workerCpu * 100).toFixed(1)}%, loss ${(m.loss * 100).toFixed(2)}%\n`,
      );
    }
  }
  const median = (f: string) => summary(results[f]!.map((m) => m.usPerPacket)).median;
  const base = median('release');
  process.stdout.write(`\nworker CPU per forwarded packet, median of ${ROUNDS} (the bootstrap builds: ${DEFAULT_FLAVOUR})\n`);
  for (const flavour of FLAVOURS) {
    const s = summary(results[flavour]!.map((m) => m.usPerPacket));
    const size = fs.statSync(bins[flavour]!).size / 1048576;
    process.stdout.write(
      `  ${flavour.padEnd(8)} ${s.median.toFixed(2)} us (${s.min.toFixed(2)}-${s.max.toFixed(2)}), ratio to release ${(s.median / base).toFixed(3)}, ` +
        `binary ${size.toFixed(1)} MB  ${WORKER_FLAVOURS[flavour]!.about}\n`,
    );
  }
  process.stdout.write(`\n(ratio below 1: cheaper than the release build; under 0.95 is worth its build time)\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
