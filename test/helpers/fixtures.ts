// The set-up the integration and browser tests share: a real server (startTestServer), staff
// accounts signed in, inspections with their crew links, signaling clients joined as crew or staff,
// browsers, and the tear-down of all of it.
//
//   const fx = useFixture({ env: { ... } });    // jest hooks: server up before the file's tests and
//   let server: TestServer;                     // down after them, clients closed after each test
//   let surveyorCookie: string;
//   beforeAll(async () => {
//     server = fx.server;
//     surveyorCookie = (await fx.account('surveyor', 'surveyor1')).cookie;
//   });
//   test('...', async () => {
//     const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
//     const surveyor = await fx.joinAsStaff(inspection.id, surveyorCookie, 'Wang'); // { c, join, participantId }
//     const crew = await fx.joinAsCrew(token, 'Li');
//   });
//
// startFixture() is the same without hooks, for set-ups that order their own tear-down.
import type { Browser } from 'puppeteer-core';
import type { InspectionView, JoinResult, StaffRole, TransportInfo } from '@cloudship/shared';
import { ADMIN, startTestServer, type TestServer } from './test-server';
import { connect, FAKE_DTLS, ok, type ClientOptions, type SignalingClient } from './signaling-client';

export interface Staff {
  id: string;
  role: StaffRole;
  username: string;
  password: string;
  /** The session cookie (`name=value`) of the signed-in account. */
  cookie: string;
}

/** A participant joined over signaling. */
export interface Joined {
  /** The signaling client. */
  c: SignalingClient;
  /** room.join's answer. */
  join: JoinResult;
  participantId: string;
}

/** Extra room.join fields (device, consentedAt); displayName and rtpCapabilities are filled in. */
export type JoinExtra = Record<string, unknown>;

/** room.getCapabilities then room.join on a connected client; throws on a refusal. */
export async function requestJoin(c: SignalingClient, displayName: string, extra: JoinExtra = {}): Promise<JoinResult> {
  const { routerRtpCapabilities } = ok(await c.request('room.getCapabilities', {}));
  return ok(await c.request('room.join', { displayName, device: 'jest', rtpCapabilities: routerRtpCapabilities, ...extra }));
}

/**
 * For recording tests: an inspection (the admin's) with a crew phone joined over signaling and
 * its recording live. Returns the crew's socket (added to `sockets`, for the test to close), its
 * token, the room and the crew's peer (to give it producers), the recording id and the admin's
 * cookie.
 */
export async function liveCrewRecording(s: TestServer, sockets: SignalingClient[]) {
  const adminCookie = await s.signIn(ADMIN.username, ADMIN.password);
  const inspection = await s.createInspection(adminCookie);
  const { token } = await s.crewLink(adminCookie, inspection.id);
  const crew = await connect(s.url, { crewToken: token });
  sockets.push(crew);
  const joined = await requestJoin(crew, 'crew');
  const state = await crew.next('recording.state', (e) => e.recording);
  const room = s.rooms.get(inspection.id)!;
  return { crew, token, inspection, room, peer: room.peers.get(joined.participantId)!, recordingId: state.recordingId!, adminCookie };
}

/** Creates and connects (with fake DTLS parameters) one WebRTC transport per direction, in order. */
export async function connectTransports<D extends 'send' | 'recv'>(
  c: SignalingClient,
  ...directions: D[]
): Promise<Record<D, TransportInfo>> {
  const out = {} as Record<D, TransportInfo>;
  for (const direction of directions) {
    const t = ok(await c.request('transport.create', { direction }));
    ok(await c.request('transport.connect', { transportId: t.id, dtlsParameters: FAKE_DTLS }));
    out[direction] = t;
  }
  return out;
}

export interface Fixture {
  server: TestServer;
  /** The first admin's session cookie (signed in on first use). */
  adminCookie(): Promise<string>;
  /** A staff account of `role`, created by the admin and signed in (password `${username}-password-123`). */
  account(role: StaffRole, username: string): Promise<Staff>;
  /** A new inspection, created with `cookie`, and its crew link (`token` is the signed link's last part, `code` the short link's). */
  inspectionWithLink(
    cookie: string,
    overrides?: Record<string, unknown>,
  ): Promise<{ inspection: InspectionView; url: string; token: string; shortUrl: string; code: string }>;
  /** A signaling client; closed by closeClients() (useFixture: after each test) and stop(). */
  connect(auth: Record<string, unknown>, cookie?: string, options?: ClientOptions): Promise<SignalingClient>;
  /**
   * Connects with the handshake `auth` ({ crewToken } or { inspectionId } with a staff `cookie`) and
   * joins the room: room.getCapabilities, then room.join (device 'jest', plus `extra`).
   */
  join(auth: Record<string, unknown>, displayName: string, cookie?: string, extra?: JoinExtra): Promise<Joined>;
  /** join() with the crew link's token. */
  joinAsCrew(token: string, displayName?: string, extra?: JoinExtra): Promise<Joined>;
  /** join() as the staff member of `cookie`. */
  joinAsStaff(inspectionId: string, cookie: string, displayName?: string, extra?: JoinExtra): Promise<Joined>;
  /** Closes every signaling client opened through connect/join* so far. */
  closeClients(): void;
  /** Closes the clients and stops the server (removing its data directory). */
  stop(): Promise<void>;
}

/** Starts a server (env overrides as for startTestServer) and returns the fixture around it. */
export async function startFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const server = await startTestServer(env);
  const clients: SignalingClient[] = [];
  let admin: Promise<string> | undefined;
  const adminCookie = () => (admin ??= server.signIn(ADMIN.username, ADMIN.password));
  const fixture: Fixture = {
    server,
    adminCookie,
    async account(role, username) {
      return { role, ...(await server.createAccount(await adminCookie(), role, username)) };
    },
    async inspectionWithLink(cookie, overrides = {}) {
      const inspection = await server.createInspection(cookie, overrides);
      return { inspection, ...(await server.crewLink(cookie, inspection.id)) };
    },
    async connect(auth, cookie, options) {
      const c = await connect(server.url, auth, cookie, options);
      clients.push(c);
      return c;
    },
    async join(auth, displayName, cookie, extra = {}) {
      const c = await fixture.connect(auth, cookie);
      const join = await requestJoin(c, displayName, extra);
      return { c, join, participantId: join.participantId };
    },
    joinAsCrew: (token, displayName = 'Crew', extra = {}) => fixture.join({ crewToken: token }, displayName, undefined, extra),
    joinAsStaff: (inspectionId, cookie, displayName = 'Surveyor', extra = {}) => fixture.join({ inspectionId }, displayName, cookie, extra),
    closeClients() {
      for (const c of clients.splice(0)) c.close();
    },
    async stop() {
      fixture.closeClients();
      await server.stop();
    },
  };
  return fixture;
}

export interface FileFixture extends Fixture {
  /** The browsers asked for with `browsers` (useFixture), launched after the server started. */
  browsers: Browser[];
}

/**
 * startFixture() for one test file, through jest hooks registered where this is called: the server
 * starts before the file's tests (register this before any beforeAll that uses it) and stops after
 * them; clients are closed after each test, or after the file with `clients: 'per-file'`.
 * `browsers: n` launches n Chromiums (helpers/browser.ts) after the server, closed before it stops.
 * The returned fixture may be used from the first beforeAll on.
 */
export function useFixture(
  options: { env?: Record<string, string>; clients?: 'per-test' | 'per-file'; browsers?: number } = {},
): FileFixture {
  let current: Fixture | undefined;
  const browsers: Browser[] = [];
  const started = (): Fixture => {
    if (!current) throw new Error('the fixture is used before its beforeAll (call useFixture() at the top of the file)');
    return current;
  };
  beforeAll(async () => {
    current = await startFixture(options.env);
    if (options.browsers) {
      // Loaded only here: the tests without a browser do not load puppeteer.
      const { launchBrowser } = await import('./browser.js');
      browsers.push(...(await Promise.all(Array.from({ length: options.browsers }, () => launchBrowser()))));
    }
  });
  if (options.clients !== 'per-file') afterEach(() => current?.closeClients());
  afterAll(async () => {
    await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => undefined)));
    await current?.stop();
  });
  return {
    get server() {
      return started().server;
    },
    browsers,
    adminCookie: () => started().adminCookie(),
    account: (...a) => started().account(...a),
    inspectionWithLink: (...a) => started().inspectionWithLink(...a),
    connect: (...a) => started().connect(...a),
    join: (...a) => started().join(...a),
    joinAsCrew: (...a) => started().joinAsCrew(...a),
    joinAsStaff: (...a) => started().joinAsStaff(...a),
    closeClients: () => current?.closeClients(),
    stop: () => started().stop(),
  };
}
