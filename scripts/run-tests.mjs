// The tests after the set-up: the pre-checks (type check, ...), then jest, one file at a time (the
// integration and browser tests each start a real server, mediasoup worker and Chromium; 2 cores
// carry one of those at a time). Ends with the one line CI reads: `Tests: N passed, M failed`.
//
//   node scripts/run-tests.mjs                    every suite (`npm test`)
//   node scripts/run-tests.mjs unit               one suite: unit, integration or e2e (the jest
//   node scripts/run-tests.mjs unit integration   projects of jest.config.js, --selectProjects)
//   node scripts/run-tests.mjs e2e -- -t 'replay' anything after the suite names goes to jest
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = path.join(root, 'test', '.tmp');
const resultsFile = path.join(tmp, 'jest-results.json');

const SUITES = ['unit', 'integration', 'integration-pg', 'e2e'];
const argv = process.argv.slice(2);
const suites = [];
while (argv.length && SUITES.includes(argv[0])) suites.push(argv.shift());
if (argv[0] === '--') argv.shift();
// --selectProjects last: it takes every word after it, so a path given before would become a project.
const jestArgs = [...argv, ...(suites.length ? ['--selectProjects', ...suites] : [])];

/** Prints the closing line and exits: 0 only when nothing failed. */
function finish(passed, failed) {
  process.stdout.write(`\nTests: ${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

// `npm run test:unit` does not run the set-up (scripts/bootstrap.mjs): it needs node_modules only.
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const jestBin = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const missing = [tsc, jestBin].filter((f) => !fs.existsSync(f));
if (missing.length) {
  process.stdout.write(
    `node_modules is missing or incomplete (no ${missing.map((f) => path.relative(root, f)).join(', ')}): run \`npm run bootstrap\` first\n`,
  );
  finish(0, 1);
}
const lockTime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
if (lockTime(path.join(root, 'node_modules', '.package-lock.json')) < lockTime(path.join(root, 'package-lock.json'))) {
  process.stdout.write(
    'warning: node_modules is older than package-lock.json: run `npm run bootstrap` if a test fails to load a package\n',
  );
}

fs.mkdirSync(tmp, { recursive: true });
fs.rmSync(resultsFile, { force: true });

/**
 * PRE-CHECKS: the one list of the steps run before the suites, for every selection. Each is a
 * command that passes with exit code 0; each that fails counts as one failed test. Add a step
 * (lint, layering check...) as one more { name, command, args }. They run side by side (one per
 * core), output captured: a line per step, and a failing step's output, once they have all ended.
 *
 * The type check comes first: jest compiles each file on its own (isolatedModules) and would not
 * notice a type error across files. Incremental (state in test/.tmp), so an unchanged tree is
 * checked again in about 2 s instead of 8.
 */
const typeCheck = (project) => ({
  name: `type check (${project})`,
  command: process.execPath,
  args: [
    tsc,
    '-p',
    project,
    '--noEmit',
    '--incremental',
    '--tsBuildInfoFile',
    path.join(tmp, `tsc-${project.replace(/\W+/g, '-')}.tsbuildinfo`),
  ],
});
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
// Lint (typescript-eslint, type-checked) and the layering of server/src (dependency-cruiser,
// rules in .dependency-cruiser.cjs): zero findings, or the step fails. No --cache: ESLint's cache
// keys a file by its own content, but type-checked findings depend on the files it imports.
const lint = {
  name: 'lint (eslint)',
  command: process.execPath,
  args: [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings=0'],
};
const layers = {
  name: 'layering (dependency-cruiser)',
  command: process.execPath,
  args: [
    bin('dependency-cruiser', 'bin/dependency-cruiser.mjs'),
    'server/src',
    '--config',
    '.dependency-cruiser.cjs',
    '--output-type',
    'err',
  ],
};
// `npm run test:unit` is the seconds-long loop of a developer: it type-checks, and leaves lint and
// the layering (20 s together on 2 cores) to `npm test` and `npm run lint` / `check:layers`.
const unitOnly = suites.length > 0 && suites.every((s) => s === 'unit');
const preChecks = [typeCheck('tsconfig.json'), typeCheck('client/tsconfig.json'), ...(unitOnly ? [] : [lint, layers])];

/** Runs one pre-check with its output captured; resolves with whether it passed and what to print. */
function runPreCheck({ name, command, args }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const done = (ok, note = '') => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const details = !ok && output.trim() ? `${output.trimEnd()}\n` : '';
      resolve({ name, ok, report: `${ok ? 'passed' : 'FAILED'}: ${name} (${seconds} s)${note}\n${details}` });
    };
    child.on('error', (e) => done(false, `: could not start ${command}: ${e.message}`));
    child.on('close', (status, signal) => done(status === 0, status === 0 ? '' : `: ${signal ?? `exit code ${status}`}`));
  });
}

/** All pre-checks, at most one per core at a time; resolves with their results in list order. */
async function runPreChecks(checks) {
  const queue = checks.map((check, i) => ({ check, i }));
  const results = new Array(checks.length);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results[next.i] = await runPreCheck(next.check);
  };
  await Promise.all(Array.from({ length: Math.min(checks.length, os.availableParallelism()) }, worker));
  return results;
}

/** Prints the pre-checks' outcome; returns the names of those that failed. */
function reportPreChecks(results) {
  for (const r of results) process.stdout.write(r.report);
  const failedNames = results.filter((r) => !r.ok).map((r) => r.name);
  if (failedNames.length) process.stdout.write(`pre-checks failed: ${failedNames.join(', ')}\n`);
  return failedNames;
}

// Before the suites, so that they do not compete with the servers and browsers of the integration
// and e2e tests for the two cores. The unit tests alone are not timing-sensitive: the pre-checks
// run alongside them (keeping `npm run test:unit` under 10 s) and are reported after them.
const alongside = unitOnly;
const preCheckResults = runPreChecks(preChecks);
const failedChecks = alongside ? null : reportPreChecks(await preCheckResults);

// Jest writes its results and then waits for everything the tests started to end. Something a
// test leaked (a child process, a socket) would keep it waiting for ever; after a minute it is
// stopped and the leak counts as a failure, so CI reports it instead of running out of time.
const EXIT_GRACE_MS = 60_000;
const jest = spawn(
  process.execPath,
  [jestBin, '--runInBand', '--json', `--outputFile=${resultsFile}`, ...jestArgs],
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
    process.stdout.write(
      `\njest did not exit ${EXIT_GRACE_MS / 1000} s after writing its results: a test left something running (see jest's open-handle warning above); stopping it\n`,
    );
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
if (hung)
  failed += 1; // killed by the watchdog: its status says nothing more
else if (r.status !== 0 && failed === 0) failed = 1;
failed += (failedChecks ?? reportPreChecks(await preCheckResults)).length;
finish(passed, failed);
