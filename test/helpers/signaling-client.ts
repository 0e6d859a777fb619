// A socket.io client speaking the signaling protocol, for integration tests without a browser.
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, RequestName, ResponseData, ServerToClientEvents } from '@cloudship/shared';

export type ProtocolSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type EventName = keyof ServerToClientEvents;
type EventArg<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** How long next() waits for an event, unless told otherwise. */
export const DEFAULT_EVENT_TIMEOUT_MS = 10_000;
/** How long request() waits for the server's answer, unless told otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  /** Default for next() (DEFAULT_EVENT_TIMEOUT_MS). */
  eventTimeoutMs?: number;
  /** Default for request() (DEFAULT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** An event the server sent, in arrival order; `taken` once next() has returned it. */
export interface ReceivedEvent {
  event: string;
  arg: any;
  taken: boolean;
}

export interface SignalingClient {
  socket: ProtocolSocket;
  /** Sends a request; rejects when no answer comes within the timeout. */
  request<N extends RequestName>(name: N, payload: unknown, options?: { timeoutMs?: number }): Promise<Ack<ResponseData[N]>>;
  /**
   * Resolves with the earliest `event` (matching `predicate`, if given) that no earlier next() has
   * returned, whether it came before this call or comes later: each event is returned once, and
   * events of other types, or ones the predicate passes over, stay for later calls. Rejects after
   * the timeout with an error naming the event and listing what was seen.
   */
  next<E extends EventName>(event: E, predicate?: (arg: EventArg<E>) => boolean, options?: { timeoutMs?: number }): Promise<EventArg<E>>;
  /** Every event received so far, in arrival order. */
  events: ReceivedEvent[];
  /** Closes the socket; requests and waits still pending reject at once. */
  close(): void;
}

interface Waiter {
  event: string;
  predicate?: (arg: any) => boolean;
  resolve(arg: any): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

function brief(arg: unknown): string {
  const json = JSON.stringify(arg) ?? String(arg);
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

/** What a client has seen, for a failed wait: every `event` with its payload, counts of the rest. */
function seenSummary(events: ReceivedEvent[], event: string): string {
  const same = events.filter((e) => e.event === event);
  const others = new Map<string, number>();
  for (const e of events) if (e.event !== event) others.set(e.event, (others.get(e.event) ?? 0) + 1);
  const parts = [
    same.length
      ? `'${event}' x${same.length}: ${same.map((e) => `${brief(e.arg)}${e.taken ? ' (already taken)' : ''}`).join(', ')}`
      : `no '${event}' at all`,
    others.size ? `other events: ${[...others].map(([name, n]) => `${name} x${n}`).join(', ')}` : 'no other events',
  ];
  return parts.join('; ');
}

export async function connect(
  url: string,
  auth: Record<string, unknown>,
  cookie?: string,
  options: ClientOptions = {},
): Promise<SignalingClient> {
  const eventTimeoutMs = options.eventTimeoutMs ?? DEFAULT_EVENT_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const socket: ProtocolSocket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: cookie ? { cookie } : undefined,
  });
  const events: ReceivedEvent[] = [];
  const waiters: Waiter[] = [];
  const requests = new Set<{ name: string; timer: NodeJS.Timeout; reject(error: Error): void }>();
  const settle = (w: Waiter) => {
    waiters.splice(waiters.indexOf(w), 1);
    clearTimeout(w.timer);
  };
  const matches = (w: Waiter, arg: unknown) => {
    try {
      return !w.predicate || w.predicate(arg);
    } catch (e) {
      settle(w);
      w.reject(e as Error);
      return false;
    }
  };
  socket.onAny((event: string, arg: unknown) => {
    const received: ReceivedEvent = { event, arg, taken: false };
    events.push(received);
    // The longest-waiting next() that wants it takes it; no other wait sees it.
    for (const w of [...waiters]) {
      if (w.event !== event || !matches(w, arg)) continue;
      settle(w);
      received.taken = true;
      w.resolve(arg);
      return;
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  /** A promise whose rejection nobody awaited is not an unhandled rejection (awaiting it still throws). */
  const quiet = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  return {
    socket,
    events,
    request(name, payload, { timeoutMs = requestTimeoutMs } = {}) {
      return quiet(
        new Promise((resolve, reject) => {
          const entry = {
            name,
            reject,
            timer: setTimeout(() => {
              requests.delete(entry);
              reject(new Error(`no answer to '${name}' within ${timeoutMs} ms`));
            }, timeoutMs),
          };
          requests.add(entry);
          (socket.emit as any)(name, payload, (ack: unknown) => {
            clearTimeout(entry.timer);
            requests.delete(entry);
            resolve(ack as any);
          });
        }),
      );
    },
    next(event, predicate, { timeoutMs = eventTimeoutMs } = {}) {
      const found = events.find((e) => !e.taken && e.event === event && (!predicate || predicate(e.arg)));
      if (found) {
        found.taken = true;
        return Promise.resolve(found.arg);
      }
      return quiet(
        new Promise((resolve, reject) => {
          const waiter: Waiter = {
            event,
            predicate: predicate as ((arg: any) => boolean) | undefined,
            resolve,
            reject,
            timer: setTimeout(() => {
              settle(waiter);
              const what = predicate ? `'${event}' matching the predicate` : `'${event}'`;
              reject(new Error(`no ${what} within ${timeoutMs} ms; seen: ${seenSummary(events, event)}`));
            }, timeoutMs),
          };
          waiters.push(waiter);
        }),
      );
    },
    close() {
      socket.close();
      for (const r of [...requests]) {
        clearTimeout(r.timer);
        requests.delete(r);
        r.reject(new Error(`the client was closed before the answer to '${r.name}'`));
      }
      for (const w of [...waiters]) {
        settle(w);
        w.reject(new Error(`the client was closed while waiting for '${w.event}'; seen: ${seenSummary(events, w.event)}`));
      }
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
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
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
