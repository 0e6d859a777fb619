// `npm test` after the set-up: the whole jest suite, one file at a time (the integration and
// browser tests each start a real server, mediasoup worker and Chromium; 2 cores carry one of
// those at a time). Ends with the one line CI reads: `Tests: N passed, M failed`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = path.join(root, 'test', '.tmp', 'jest-results.json');
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.rmSync(resultsFile, { force: true });

// The type check first: jest compiles each file on its own (isolatedModules) and would not notice
// a type error across files. A failing type check counts as one failed test.
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const typeErrors = ['tsconfig.json', 'client/tsconfig.json'].filter(
  (project) => spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' }).status !== 0,
);
if (typeErrors.length) process.stdout.write(`type check failed: ${typeErrors.join(', ')}\n`);

// Jest writes its results and then waits for everything the tests started to end. Something a
// test leaked (a child process, a socket) would keep it waiting for ever; after a minute it is
// stopped and the leak counts as a failure, so CI reports it instead of running out of time.
const EXIT_GRACE_MS = 60_000;
const jest = spawn(
  process.execPath,
  [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  // Its own process group, so that stopping it also stops whatever it left running.
  { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
);
const signalGroup = (signal) => {
  try {
    process.kill(-jest.pid, signal);
  } catch {
    // already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => signalGroup(signal));
let hung = false;
let deadline = null;
const watchdog = setInterval(() => {
  if (deadline === null && fs.existsSync(resultsFile)) deadline = Date.now() + EXIT_GRACE_MS;
  if (deadline !== null && Date.now() > deadline && !hung) {
    hung = true;
    process.stdout.write(`\njest did not exit ${EXIT_GRACE_MS / 1000} s after writing its results: a test left something running (see jest's open-handle warning above); stopping it\n`);
    signalGroup('SIGKILL');
  }
}, 1000);
const r = await new Promise((resolve) => jest.on('exit', (status) => resolve({ status })));
clearInterval(watchdog);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  // A suite that cannot even load counts as a failure, not as zero tests.
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch {
  failed = Math.max(1, failed);
}
if (hung) failed += 1; // killed by the watchdog: its status says nothing more
else if (r.status !== 0 && failed === 0) failed = 1;
failed += typeErrors.length;
process.stdout.write(`\nTests: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
