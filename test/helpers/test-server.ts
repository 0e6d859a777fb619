// Starts the real server for a test: port 0 on 127.0.0.1, plain HTTP (loopback is a secure
// context for browsers), a temporary data directory with a fresh SQLite file, one real worker.
// In the integration-pg project (jest.config.js) the database is PostgreSQL instead: a schema of
// its own, named after the data directory, on the run's throw-away cluster (test/helpers/postgres.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/src/config/config';
import { startServer, type RunningServer } from '../../server/src/app';
import type { DatabaseTarget } from '../../server/src/config/config';
import { InspectionEntity, type Inspection } from '../../server/src/inspection/entities';
import type { InspectionView, StaffRole } from '@cloudship/shared';
import { TEST_DATABASE_ENV, TEST_PG_URL_ENV } from './postgres-env';

export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };

export interface TestServer extends RunningServer {
  dataDir: string;
  /** fetch against the server, with an optional session cookie. */
  api(
    method: string,
    p: string,
    opts?: { cookie?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  signIn(username: string, password: string): Promise<string>;
  /** A staff account (password `${username}-password-123`), signed in. */
  createAccount(
    adminCookie: string,
    role: StaffRole,
    username: string,
  ): Promise<{ cookie: string; id: string; username: string; password: string }>;
  createInspection(cookie: string, overrides?: Record<string, unknown>): Promise<InspectionView>;
  /**
   * One more crew link of the inspection (`additional: true`: each call a new link, so a test gets
   * as many crew identities as it asks for). `url` is the signed link, `shortUrl` the `/j/<code>` one.
   */
  crewLink(cookie: string, inspectionId: string): Promise<{ url: string; token: string; shortUrl: string; code: string }>;
  /** The inspection created last (for a test that made it through a browser). */
  latestInspection(): Promise<Inspection>;
  stop(): Promise<void>;
}

/**
 * The settings of a test server on loopback with its data in `dataDir`: also what a test that runs
 * the server in a child process (to kill it) gives that process.
 */
export function testServerEnv(dataDir: string): Record<string, string> {
  const pg = testPostgres(dataDir);
  return {
    ...(pg ? { DATABASE_URL: pg.url, DATABASE_SCHEMA: pg.schema } : {}),
    HOST: '127.0.0.1',
    PORT: '0',
    HTTPS: 'false',
    DATA_DIR: dataDir,
    RTC_LISTEN_IP: '127.0.0.1',
    MEDIASOUP_WORKERS: '1',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
  };
}

/** PostgreSQL for this data directory, in the integration-pg project; null: the SQLite file. */
function testPostgres(dataDir: string): { url: string; schema: string } | null {
  if (process.env[TEST_DATABASE_ENV] !== 'postgres') return null;
  const url = process.env[TEST_PG_URL_ENV];
  if (!url) throw new Error(`${TEST_DATABASE_ENV}=postgres but no cluster: ${TEST_PG_URL_ENV} is unset (see jest.config.js)`);
  return {
    url,
    schema: `t_${path
      .basename(dataDir)
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')}`,
  };
}

/** The database a test server on `dataDir` uses, for a test that opens it itself. */
export function testDatabase(dataDir: string): DatabaseTarget {
  const pg = testPostgres(dataDir);
  return pg ? { type: 'postgres', ...pg } : { type: 'sqlite', path: path.join(dataDir, 'cloudship.sqlite') };
}

export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<TestServer> {
  // A test that restarts a server on its data gives DATA_DIR (and removes it itself).
  const ownDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-test-'));
  const config = loadConfig({ ...testServerEnv(dataDir), ...env });
  const server = await startServer(config);

  const api: TestServer['api'] = async (method, p, opts = {}) => {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // HTML or empty
    }
    return { status: res.status, body, headers: res.headers };
  };

  const signIn = async (username: string, password: string) => {
    const r = await api('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
    const setCookie = r.headers.get('set-cookie') ?? '';
    return setCookie.split(';')[0]!;
  };

  return {
    ...server,
    dataDir,
    api,
    signIn,
    async createAccount(adminCookie, role, username) {
      const password = `${username}-password-123`;
      const r = await api('POST', '/api/accounts', { cookie: adminCookie, body: { username, displayName: username, password, role } });
      if (r.status !== 201) throw new Error(`create account failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { cookie: await signIn(username, password), id: r.body.account.id, username, password };
    },
    async createInspection(cookie, overrides = {}) {
      const r = await api('POST', '/api/inspections', {
        cookie,
        body: {
          vesselName: '鲁济宁货1234',
          registrationNumber: 'JN-2026-0042',
          kind: 'periodic',
          place: '济宁港 Jining port',
          scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
          ...overrides,
        },
      });
      if (r.status !== 201) throw new Error(`create inspection failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.inspection;
    },
    async crewLink(cookie, inspectionId) {
      const r = await api('POST', `/api/inspections/${inspectionId}/crew-link`, { cookie, body: { additional: true } });
      if (r.status !== 201) throw new Error(`crew link failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { url: r.body.url, token: r.body.url.split('/join/')[1], shortUrl: r.body.shortUrl, code: r.body.code };
    },
    async latestInspection() {
      const [newest] = await server.db.getRepository(InspectionEntity).find({ order: { createdAt: 'DESC' }, take: 1 });
      if (!newest) throw new Error('no inspection yet');
      return newest;
    },
    async stop() {
      await server.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
