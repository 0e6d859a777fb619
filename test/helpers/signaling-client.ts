// A socket.io client speaking the signaling protocol, for integration tests without a browser.
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, RequestName, ResponseData, ServerToClientEvents } from '@cloudship/shared';

export type ProtocolSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SignalingClient {
  socket: ProtocolSocket;
  request<N extends RequestName>(name: N, payload: unknown): Promise<Ack<ResponseData[N]>>;
  /** Resolves with the next `event` (recorded even if it came before this call). */
  next<E extends keyof ServerToClientEvents>(event: E, predicate?: (arg: Parameters<ServerToClientEvents[E]>[0]) => boolean): Promise<Parameters<ServerToClientEvents[E]>[0]>;
  events: Array<{ event: string; arg: any }>;
  close(): void;
}

export async function connect(url: string, auth: Record<string, unknown>, cookie?: string): Promise<SignalingClient> {
  const socket: ProtocolSocket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: cookie ? { cookie } : undefined,
  });
  const events: Array<{ event: string; arg: any }> = [];
  const waiters: Array<{ event: string; predicate?: (a: any) => boolean; resolve: (a: any) => void; from: number }> = [];
  socket.onAny((event, arg) => {
    events.push({ event, arg });
    for (const w of [...waiters]) {
      if (w.event === event && (!w.predicate || w.predicate(arg))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(arg);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  let consumed = 0;
  return {
    socket,
    events,
    request(name, payload) {
      return new Promise((resolve) => (socket.emit as any)(name, payload, resolve));
    },
    next(event, predicate) {
      const found = events.findIndex((e, i) => i >= consumed && e.event === event && (!predicate || predicate(e.arg)));
      if (found >= 0) {
        consumed = found + 1;
        return Promise.resolve(events[found]!.arg);
      }
      return new Promise((resolve) => waiters.push({ event, predicate: predicate as any, resolve, from: events.length }));
    },
    close() {
      socket.close();
    },
  };
}

/** The connect_error a handshake is refused with (err.message is the error code). */
export async function connectError(url: string, auth: Record<string, unknown>, cookie?: string): Promise<string> {
  try {
    const c = await connect(url, auth, cookie);
    c.close();
    return 'CONNECTED';
  } catch (e) {
    return (e as Error).message;
  }
}

/** DTLS parameters good enough for transport.connect (no DTLS handshake happens in these tests). */
export const FAKE_DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
};

export function opusParameters(ssrc: number) {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}` },
  };
}

export function vp8Parameters(ssrc: number) {
  return {
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }] }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}` },
  };
}

/** The data of a successful ack; throws with the error code and message otherwise. */
export function ok<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/** The error code of an ack, or 'OK' when it succeeded. */
export function codeOf(ack: Ack<unknown>): string {
  return ack.ok ? 'OK' : ack.error.code;
}
