// socket.io signaling. Every socket is authenticated in the handshake (staff session cookie or a
// crew link token) and bound to one inspection before it can send a single request. Every request
// payload is size-checked and parsed with its schema from @cloudship/shared before a handler runs,
// and every request is answered with a discriminated Ack. The handshake also registers the socket
// (connection-registry.ts: at most LIMITS.socketsPerIdentity per identity), so that the end of its
// credential closes it at once (see the revocation comment below).
import type http from 'node:http';
import type https from 'node:https';
import * as cookie from 'cookie';
import { Server, type Socket } from 'socket.io';
import {
  AppError,
  MAX_MESSAGE_BYTES,
  can,
  handshakeSchema,
  isClosed,
  parseInput,
  schemas,
  toWireError,
  type Ack,
  type ClientToServerEvents,
  type ErrorCode,
  type RequestName,
  type ServerToClientEvents,
  type RevocationReason,
  type WireError,
} from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import type { OriginPolicy } from '../auth/same-origin';
import { SESSION_COOKIE } from '../auth/session-cookie';
import type { InspectionAccess } from '../inspection/inspection-access';
import { Logger } from '../logging/logger';
import { CREDENTIAL_RECHECK_MS, LIMITS } from '../session/limits';
import type { ParticipantContext } from '../session/participant-context';
import type { PeerChannel, PeerIdentity } from '../session/peer';
import { ConnectionRegistry } from './connection-registry';
import { createHandlers, type HandlerDeps } from './handlers';

const logger = new Logger('signaling');

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { ctx: ParticipantContext }>;

export interface SignalingDeps extends HandlerDeps {
  /** The handshake of a page from a foreign origin is refused (auth/same-origin.ts). */
  origins: OriginPolicy;
  accounts: AccountService;
  access: InspectionAccess;
}

export function attachSignaling(server: http.Server | https.Server, deps: SignalingDeps): Server {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { ctx: ParticipantContext }>(server, {
    // Hard limit of the transport (a larger frame closes the connection); MAX_MESSAGE_BYTES below
    // is the soft per-request limit that gets a PAYLOAD_TOO_LARGE answer instead.
    maxHttpBufferSize: 1024 * 1024,
    serveClient: false,
    // A handshake whose Origin is not ours (another site's page) is refused with 403.
    allowRequest: deps.origins.allowRequest(),
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });

  // Revocation: a connection lives no longer than the credential it was opened with. Each socket
  // is registered (connection-registry.ts) under its identity, inspection, staff account and
  // session before it may send anything; when a crew link is withdrawn or expires, the
  // inspection ends, or a staff session ends (sign-out, password change or reset, disabled,
  // expired), the socket is told why (`session.revoked`) and closed, and refuses every request
  // meanwhile. Staff sockets of an ended inspection stay (told `inspection.ended`) but every
  // request is refused.
  const registry = new ConnectionRegistry<{ ctx: ParticipantContext; socket: IoSocket; timer: NodeJS.Timeout | null }>();
  type Entry = Parameters<typeof registry.add>[0];
  const entries = new WeakMap<IoSocket, Entry>();
  const revoke = (entry: Entry, reason: RevocationReason) => {
    const { ctx, socket } = entry;
    if (ctx.revoked) return;
    ctx.revoked = reason;
    logger.info(`revoke() | connection closed: ${reason}`, { inspectionId: ctx.inspectionId, role: ctx.identity.role });
    // Not connected yet (between the handshake and 'connection'): the connection handler does it.
    if (socket.connected) tellRevoked(socket, reason);
  };
  deps.inspections.on('linksRevoked', (inspectionId, reason) => {
    for (const entry of registry.of('inspection', inspectionId)) {
      if ('crewLinkId' in entry.ctx.credential) revoke(entry, reason);
      else if (reason === 'inspection-ended') entry.ctx.inspectionEnded = true;
    }
  });
  deps.accounts.on('sessionsEnded', (accountId, reason, which) => {
    for (const entry of registry.of('account', accountId)) {
      const c = entry.ctx.credential;
      if (!('sessionHash' in c)) continue;
      if ('only' in which ? c.sessionHash === which.only : c.sessionHash !== which.allBut) revoke(entry, reason);
    }
  });

  /** Reads the credential again; revokes the connection (and throws its code) when it has ended. */
  async function recheck(entry: Entry): Promise<void> {
    const { ctx } = entry;
    ctx.checkedAt = Date.now();
    const reason = await endedCredential(ctx, deps);
    if (reason) revoke(entry, reason);
    throwIfEnded(ctx);
  }

  io.use((socket, next) => {
    let entry: Entry | null = null;
    authenticate(socket, deps)
      .then(async (ctx) => {
        // The identity's socket cap, checked and taken in one step (nothing awaited in between).
        if (registry.count('identity', ctx.identity.key) >= LIMITS.socketsPerIdentity) {
          const whose = ctx.identity.role === 'crew' ? 'crew link' : 'account';
          throw new AppError('LIMIT_REACHED', `At most ${LIMITS.socketsPerIdentity} connections at once per ${whose}.`);
        }
        socket.data.ctx = ctx;
        const registered: Entry = (entry = { ctx, socket, timer: null });
        registry.add(registered);
        entries.set(socket, registered);
        const release = () => {
          registry.remove(registered);
          if (registered.timer) clearTimeout(registered.timer);
        };
        socket.once('disconnect', release);
        socket.conn.once('close', release);
        // A link or session expiring ends the connection with it. setTimeout holds at most ~24.8
        // days; links and sessions live hours.
        const expired: RevocationReason = 'crewLinkId' in ctx.credential ? 'link-expired' : 'session-expired';
        registered.timer = setTimeout(
          () => revoke(registered, expired),
          Math.max(0, Math.min(ctx.credential.expiresAt - Date.now(), 2 ** 31 - 1)),
        );
        registered.timer.unref();
        // The credential may have ended while it was being checked, before this connection was
        // registered to hear of it: read it once more now that it is.
        await recheck(registered);
        next();
      })
      .catch((e) => {
        if (entry) registry.remove(entry);
        if (entry?.timer) clearTimeout(entry.timer);
        const wire = toWireError(e);
        if (wire.code === 'INTERNAL') logger.error('handshake | failed', {}, e);
        const err = new Error(wire.code) as Error & { data?: WireError };
        err.data = wire;
        next(err);
      });
  });

  const handlers = createHandlers(deps);

  io.on('connection', (socket: IoSocket) => {
    const ctx = socket.data.ctx;
    const entry = entries.get(socket);
    const channel: PeerChannel = {
      notify: (event, ...args) => socket.emit(event, ...args),
      disconnect: () => socket.disconnect(true),
      answers: (timeoutMs) => answersPing(socket, timeoutMs),
    };
    ctx.channel = channel;
    if (ctx.revoked) {
      tellRevoked(socket, ctx.revoked);
      return;
    }
    logger.info('connection | socket authenticated', { inspectionId: ctx.inspectionId, role: ctx.identity.role });

    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') {
        logger.debug('onAny() | request without ack ignored', { event: String(event).slice(0, 40) });
        return;
      }
      if (!Object.hasOwn(schemas, event)) {
        (ack as (a: Ack<never>) => void)({
          ok: false,
          error: { code: 'BAD_REQUEST', message: `Unknown request "${String(event).slice(0, 40)}".` },
        });
        return;
      }
      void dispatch(event as RequestName, args.length > 1 ? args[0] : undefined, ack as (a: Ack<unknown>) => void);
    });

    async function dispatch(name: RequestName, payload: unknown, ack: (a: Ack<unknown>) => void): Promise<void> {
      try {
        let size = 0;
        try {
          size = JSON.stringify(payload ?? null).length;
        } catch {
          throw new AppError('BAD_REQUEST', 'Payload is not JSON.');
        }
        if (size > MAX_MESSAGE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `Request larger than ${MAX_MESSAGE_BYTES} bytes.`);
        // Every request re-checks its credential: ended (revoked, expired, the inspection over)
        // means refused. The events keep the flags current; the database is read again only
        // every CREDENTIAL_RECHECK_MS, for what no event said.
        if (entry && !ctx.revoked && ctx.credential.expiresAt <= Date.now()) {
          revoke(entry, 'crewLinkId' in ctx.credential ? 'link-expired' : 'session-expired');
        }
        throwIfEnded(ctx);
        if (entry && Date.now() - (ctx.checkedAt ?? 0) >= CREDENTIAL_RECHECK_MS) await recheck(entry);
        const parsed = parseInput<unknown>(schemas[name], payload, { label: 'payload', prefix: `Invalid ${name} request: `, maxIssues: 3 });
        const data = await (handlers[name] as (c: ParticipantContext, p: unknown) => Promise<unknown>)(ctx, parsed);
        ack({ ok: true, data });
      } catch (e) {
        const wire = toWireError(e);
        if (wire.code === 'INTERNAL') logger.error(`dispatch() | ${name} failed`, { inspectionId: ctx.inspectionId }, e);
        else logger.debug(`dispatch() | ${name} refused: ${wire.code}`, { inspectionId: ctx.inspectionId });
        ack({ ok: false, error: wire });
      }
    }

    socket.on('disconnect', (reason) => {
      logger.info('disconnect | socket closed', { inspectionId: ctx.inspectionId, reason });
      const { room, peer } = ctx;
      // A newer connection may already have taken this peer over.
      if (room && peer && peer.channel === channel) room.connectionLost(peer);
    });
  });

  return io;
}

/** Resolves the handshake to an identity bound to one inspection, or throws a coded AppError. */
async function authenticate(socket: IoSocket, deps: SignalingDeps): Promise<ParticipantContext> {
  const auth = handshakeSchema.safeParse(socket.handshake.auth ?? {});
  if (!auth.success) throw new AppError('UNAUTHENTICATED', 'Missing or malformed credentials.');
  if ('crewToken' in auth.data) {
    const { inspection, link } = await deps.inspections.resolveCrewToken(auth.data.crewToken);
    const identity: PeerIdentity = { key: `crew:${link.id}`, role: 'crew', accountId: null, crewLinkId: link.id };
    return {
      inspectionId: inspection.id,
      identity,
      relation: 'crew',
      crewToken: auth.data.crewToken,
      credential: { crewLinkId: link.id, expiresAt: link.expiresAt.getTime() },
    };
  }
  const cookies = cookie.parseCookie(socket.handshake.headers.cookie ?? '');
  const session = await deps.accounts.authenticateSession(cookies[SESSION_COOKIE]);
  if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  const { account } = session;
  if (account.mustChangePassword) throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Change the password you were given first.');
  if (!can(account.role, 'room.join')) throw new AppError('FORBIDDEN', 'Your role does not take part in live sessions.');
  // Access by ownership: only the surveyors working on this inspection (and admins) join it.
  const { inspection, relation } = await deps.access.assert(account, auth.data.inspectionId, 'room.join');
  deps.inspections.assertOpen(inspection);
  const identity: PeerIdentity = { key: `account:${account.id}`, role: account.role, accountId: account.id, crewLinkId: null };
  return {
    inspectionId: inspection.id,
    identity,
    relation,
    crewToken: null,
    credential: { accountId: account.id, sessionHash: session.tokenHash, expiresAt: session.expiresAt.getTime() },
  };
}

/** Tells a connection why its credential ended and closes it. */
function tellRevoked(socket: IoSocket, reason: RevocationReason): void {
  socket.emit('session.revoked', { reason });
  socket.disconnect(true);
}

/** What a request of a connection whose credential ended is answered with. */
const REVOKED_CODE: Record<RevocationReason, ErrorCode> = {
  'link-revoked': 'LINK_REVOKED',
  'link-expired': 'LINK_EXPIRED',
  'inspection-ended': 'INSPECTION_ENDED',
  'signed-out': 'UNAUTHENTICATED',
  'password-changed': 'UNAUTHENTICATED',
  'password-reset': 'UNAUTHENTICATED',
  'session-expired': 'UNAUTHENTICATED',
  'account-disabled': 'ACCOUNT_DISABLED',
  'role-changed': 'UNAUTHENTICATED',
};

function throwIfEnded(ctx: ParticipantContext): void {
  if (ctx.revoked) throw new AppError(REVOKED_CODE[ctx.revoked], 'The credential of this connection has ended.');
  if (ctx.inspectionEnded) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
}

/** Reads the connection's credential from the database: null while valid, else why it ended. */
async function endedCredential(ctx: ParticipantContext, deps: SignalingDeps): Promise<RevocationReason | null> {
  if ('sessionHash' in ctx.credential) {
    const ended = await deps.accounts.sessionEnded(ctx.credential.sessionHash);
    if (ended) return ended;
    if (!ctx.inspectionEnded && isClosed((await deps.inspections.get(ctx.inspectionId)).status)) ctx.inspectionEnded = true;
    return null;
  }
  try {
    await deps.inspections.resolveCrewToken(ctx.crewToken ?? '');
    return null;
  } catch (e) {
    if (!(e instanceof AppError)) throw e; // the database failed: nothing is known to have ended
    if (e.code === 'LINK_EXPIRED') return 'link-expired';
    if (e.code === 'INSPECTION_ENDED') return 'inspection-ended';
    return 'link-revoked';
  }
}

/**
 * Whether the other end answers a ping within `timeoutMs` (any packet from it counts). A phone that
 * changed networks leaves its old socket looking connected until socket.io's ping timeout; a new
 * join of the same crew link asks this before refusing it as a second phone.
 */
function answersPing(socket: IoSocket, timeoutMs: number): Promise<boolean> {
  if (!socket.connected) return Promise.resolve(false);
  const conn = socket.conn;
  return new Promise((resolve) => {
    const done = (answered: boolean) => {
      clearTimeout(timer);
      conn.off('packet', onPacket);
      conn.off('close', onClose);
      resolve(answered);
    };
    const onPacket = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    conn.on('packet', onPacket);
    conn.on('close', onClose);
    // engine.io's own heartbeat packet (protocol v4: the server pings, the client answers pong).
    (conn as unknown as { sendPacket(type: 'ping'): void }).sendPacket('ping');
  });
}
