// A throw-away PostgreSQL for tests and benches: Debian's `postgresql` package (installed by the
// bootstrap), a cluster in a temporary folder made with initdb and started with pg_ctl on a free
// port of 127.0.0.1. PostgreSQL refuses to run as root, so as root the cluster belongs to (and runs
// as) `nobody`. Trust authentication on loopback only; fsync off (nothing here must survive a
// crash). stop() stops it and removes the folder.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);
const NOBODY = 65534;
export const PG_USER = 'cloudship';
export const PG_DATABASE = 'cloudship_test';

export interface PostgresCluster {
  /** postgres://cloudship@127.0.0.1:<port>/cloudship_test */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'bin', 'pg_ctl'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server under ${base}: run \`npm run bootstrap\` (it installs Debian's postgresql)`);
  return path.join(base, newest, 'bin');
}

/** `settings`: more server settings (`name=value`), e.g. a bench's memory sizes. */
export async function startPostgres(settings: string[] = []): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) fs.chownSync(dir, NOBODY, NOBODY);
  const ids = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  const env = { ...process.env, LC_ALL: 'C.UTF-8', HOME: dir };
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', PG_USER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
    ...ids,
    env,
    cwd: dir,
  });
  const port = await freePort('127.0.0.1');
  const options = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    ...settings.map((s) => `-c ${s}`),
  ].join(' ');
  await run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'], {
    ...ids,
    env,
    cwd: dir,
  });
  const stop = async () => {
    await new Promise<void>((resolve) => {
      const child = spawn(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], {
        ...ids,
        env,
        cwd: dir,
        stdio: 'ignore',
      });
      child.on('exit', () => resolve());
      child.on('error', () => resolve());
    });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, PG_DATABASE], { env });
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `postgres://${PG_USER}@127.0.0.1:${port}/${PG_DATABASE}`, port, dir, stop };
}
