// Small helpers for the set-up scripts (Node built-ins only).
import { spawnSync } from 'node:child_process';

export function log(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`[setup] cannot continue: ${message}\n`);
  process.exit(1);
}

/** Runs a command to completion; exits the set-up with a readable message when it fails. */
export function run(cmd, args, { cwd, env, quiet = false, what = cmd } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8' });
  if (r.error) fail(`${what} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = quiet ? `\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-2000)}` : '';
    fail(`${what} exited with code ${r.status}${tail}`);
  }
  return r;
}
