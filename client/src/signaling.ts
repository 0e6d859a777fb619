// The socket.io connection and the request helper of the signaling protocol (shared/protocol.ts).
import type { ClientErrorCode } from './error-codes';
import type { ReconnectPolicy } from './reconnect-policy';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  Handshake,
  RequestName,
  RequestPayload,
  ResponseData,
  ServerToClientEvents,
} from '@cloudship/shared';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A failed request or handshake; `code` is a wire ErrorCode or a client one (TIMEOUT, DISCONNECTED). */
export class SignalingError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Open (lazily) the socket of one inspection: staff authenticate with the session cookie plus the
 * inspection id, the crew with its link token. Same origin, default path.
 */
export function createSignalingSocket(auth: Handshake, withCredentials: boolean, timing: ReconnectPolicy['socket']): SignalingSocket {
  return io({
    auth,
    withCredentials,
    autoConnect: false,
    // Start on WebSocket directly: long-polling first adds round trips to every join (and the
    // time to first frame is what the crew and surveyor notice). `tryAllTransports` keeps
    // long-polling as the fallback for networks that block WebSocket.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    // After a long cut the page must notice the network's return quickly (see ReconnectPolicy).
    reconnectionDelay: timing.reconnectionDelayMs,
    reconnectionDelayMax: timing.reconnectionDelayMaxMs,
    timeout: timing.attemptTimeoutMs,
  });
}

type LooseEmit = (event: string, payload: unknown, ack: (ack: Ack<unknown>) => void) => void;

/**
 * `socket.emit(name, payload, ack)` as a Promise: resolves with `data` on `{ ok: true }`, rejects
 * with a SignalingError carrying the wire code on `{ ok: false }`.
 *
 * A request is refused at once while disconnected: socket.io would otherwise buffer it and send it
 * after the reconnection, when it belongs to a session that no longer exists (the page runs the
 * join again instead). A timeout covers acks lost with a dropped connection.
 */
export function request<N extends RequestName>(
  socket: SignalingSocket,
  name: N,
  payload: RequestPayload<N>,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<ResponseData[N]> {
  return new Promise((resolve, reject) => {
    if (!socket.connected) {
      reject(new SignalingError('DISCONNECTED', `${name}: not connected`));
      return;
    }
    const timer = setTimeout(() => reject(new SignalingError('TIMEOUT', `${name}: no answer in ${timeoutMs} ms`)), timeoutMs);
    // socket.io's typed emit cannot be called with a generic event name; the event map in
    // ClientToServerEvents still guarantees that `payload` and the ack match `name`.
    (socket.emit as unknown as LooseEmit).call(socket, name, payload, (ack: Ack<unknown>) => {
      clearTimeout(timer);
      if (ack && ack.ok) resolve(ack.data as ResponseData[N]);
      else reject(new SignalingError(ack?.error?.code ?? 'INTERNAL', ack?.error?.message ?? `${name} failed`));
    });
  });
}
