// socket.io signaling. Every socket is authenticated in the handshake (staff session cookie or a
// crew link token) and bound to one inspection before it can send a single request. Every request
// payload is size-checked and parsed with its schema from @cloudship/shared before a handler runs,
// and every request is answered with a discriminated Ack.
import crypto from 'node:crypto';
import type http from 'node:http';
import type https from 'node:https';
import * as cookie from 'cookie';
import { Server, type Socket } from 'socket.io';
import {
  AppError,
  MAX_MESSAGE_BYTES,
  can,
  handshakeSchema,
  parseInput,
  schemas,
  toWireError,
  type Ack,
  type ClientToServerEvents,
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
import type { ParticipantContext } from '../session/participant-context';
import type { PeerChannel, PeerIdentity } from '../session/peer';
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

  io.use((socket, next) => {
    authenticate(socket, deps)
      .then((identity) => {
        socket.data.ctx = identity;
        next();
      })
      .catch((e) => {
        const wire = toWireError(e);
        const err = new Error(wire.code) as Error & { data?: WireError };
        err.data = wire;
        next(err);
      });
  });

  const handlers = createHandlers(deps);

  // Revocation: a connection lives no longer than the credential it was opened with. Each socket
  // is registered under its crew link or its staff account; when the link is withdrawn or
  // expires, or the account's sessions end (sign-out, password change or reset, disabled), the
  // socket is told why (`session.revoked`) and closed, and refuses every request meanwhile.
  const live = new Set<IoSocket>();
  const revoke = (socket: IoSocket, reason: RevocationReason) => {
    const ctx = socket.data.ctx;
    if (ctx.revoked) return;
    ctx.revoked = reason;
    logger.info(`revoke() | connection closed: ${reason}`, { inspectionId: ctx.inspectionId, role: ctx.identity.role });
    socket.emit('session.revoked', { reason });
    socket.disconnect(true);
  };
  deps.inspections.on('linksRevoked', (inspectionId) => {
    for (const s of live) if (s.data.ctx.inspectionId === inspectionId && 'crewLinkId' in s.data.ctx.credential) revoke(s, 'link-revoked');
  });
  deps.accounts.on('sessionsEnded', (accountId, reason, keptTokenHash) => {
    for (const s of live) {
      const c = s.data.ctx.credential;
      if ('accountId' in c && c.accountId === accountId && c.sessionHash !== keptTokenHash) revoke(s, reason);
    }
  });

  io.on('connection', (socket: IoSocket) => {
    const ctx = socket.data.ctx;
    const channel: PeerChannel = {
      notify: (event, ...args) => socket.emit(event, ...args),
      disconnect: () => socket.disconnect(true),
    };
    ctx.channel = channel;
    live.add(socket);
    let expiry: NodeJS.Timeout | null = null;
    if ('expiresAt' in ctx.credential) {
      // setTimeout holds at most ~24.8 days; a link lives hours.
      expiry = setTimeout(() => revoke(socket, 'link-expired'), Math.max(0, Math.min(ctx.credential.expiresAt - Date.now(), 2 ** 31 - 1)));
      expiry.unref();
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
        // Every request re-checks its credential: ended (revoked, expired) means refused.
        if (ctx.revoked || ('expiresAt' in ctx.credential && ctx.credential.expiresAt <= Date.now())) {
          throw new AppError('UNAUTHENTICATED', 'The credential of this connection has ended.');
        }
        const parsed = parseInput(schemas[name], payload, { label: 'payload', prefix: `Invalid ${name} request: `, maxIssues: 3 });
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
      live.delete(socket);
      if (expiry) clearTimeout(expiry);
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
  const cookies = cookie.parse(socket.handshake.headers.cookie ?? '');
  const account = await deps.accounts.authenticate(cookies[SESSION_COOKIE]);
  if (!account) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  if (account.mustChangePassword) throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Change the password you were given first.');
  if (!can(account.role, 'room.join')) throw new AppError('FORBIDDEN', 'Your role does not take part in live sessions.');
  // Access by ownership: only the surveyors working on this inspection (and admins) join it.
  const { inspection, relation } = await deps.access.assert(account, auth.data.inspectionId, 'room.join');
  deps.inspections.assertOpen(inspection);
  const identity: PeerIdentity = { key: `account:${account.id}`, role: account.role, accountId: account.id, crewLinkId: null };
  const sessionHash = crypto
    .createHash('sha256')
    .update(cookies[SESSION_COOKIE] ?? '')
    .digest('hex');
  return { inspectionId: inspection.id, identity, relation, crewToken: null, credential: { accountId: account.id, sessionHash } };
}
