// The test helper itself (test/helpers/signaling-client.ts), against a tiny in-process socket.io
// server on port 0 that sends whatever events a test asks it to: no application server, no worker.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { connect, type SignalingClient } from '../helpers/signaling-client';

let httpServer: http.Server;
let io: Server;
let url: string;
const open: SignalingClient[] = [];

beforeAll(async () => {
  httpServer = http.createServer();
  io = new Server(httpServer);
  io.on('connection', (socket) => {
    // 'test.send' [[event, arg], ...]: the server emits those, in order, then answers.
    socket.on('test.send', (list: Array<[string, unknown]>, ack: (a: unknown) => void) => {
      for (const [event, arg] of list) socket.emit(event, arg);
      ack({ ok: true, data: null });
    });
    // 'test.silent': never answered.
    socket.on('test.silent', () => undefined);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await new Promise<void>((resolve) => void io.close(() => resolve()));
});

async function client(options?: Parameters<typeof connect>[3]): Promise<SignalingClient> {
  const c = await connect(url, {}, undefined, options);
  open.push(c);
  return c;
}

/** Has the server send these events; they have all arrived when this resolves (one connection keeps order). */
async function send(c: SignalingClient, ...list: Array<[string, unknown]>): Promise<void> {
  await (c.request as (name: string, payload: unknown) => Promise<unknown>)('test.send', list);
}

describe('next()', () => {
  test('events of different types are returned in any order, each once', async () => {
    const c = await client();
    await send(c, ['peer.joined', { id: 'a' }], ['peer.state', { state: 'reconnecting' }], ['peer.joined', { id: 'b' }]);
    await expect(c.next('peer.state')).resolves.toEqual({ state: 'reconnecting' });
    // Taking a later event of another type does not skip the earlier peer.joined.
    await expect(c.next('peer.joined')).resolves.toEqual({ id: 'a' });
    await expect(c.next('peer.joined')).resolves.toEqual({ id: 'b' });
    await expect(c.next('peer.joined', undefined, { timeoutMs: 50 })).rejects.toThrow(/no 'peer.joined' within 50 ms/);
  });

  test('an event that arrives while waiting is taken by that wait and not returned again', async () => {
    const c = await client();
    const waiting = c.next('peer.left');
    await send(c, ['peer.left', { peerId: 'x', reason: 'left' }]);
    await expect(waiting).resolves.toEqual({ peerId: 'x', reason: 'left' });
    await send(c, ['peer.left', { peerId: 'y', reason: 'left' }]);
    await expect(c.next('peer.left')).resolves.toEqual({ peerId: 'y', reason: 'left' });
  });

  test('an event a predicate passes over stays for a later next()', async () => {
    const c = await client();
    await send(c, ['consumer.new', { producerId: 'audio' }], ['consumer.new', { producerId: 'video' }]);
    await expect(c.next('consumer.new', (e) => e.producerId === 'video')).resolves.toEqual({ producerId: 'video' });
    await expect(c.next('consumer.new', (e) => e.producerId === 'audio')).resolves.toEqual({ producerId: 'audio' });
  });

  test('one event resolves only the first of two waits for it; the second gets the next one', async () => {
    const c = await client();
    const first = c.next('peer.state');
    const second = c.next('peer.state');
    await send(c, ['peer.state', { n: 1 }]);
    await expect(first).resolves.toEqual({ n: 1 });
    await send(c, ['peer.state', { n: 2 }]);
    await expect(second).resolves.toEqual({ n: 2 });
  });

  test('a wait that times out rejects naming the event and listing what was seen', async () => {
    const c = await client({ eventTimeoutMs: 100 });
    await send(c, ['peer.state', { state: 'connected' }], ['peer.joined', { id: 'a' }], ['peer.joined', { id: 'b' }]);
    await c.next('peer.state');
    const error = await c.next('peer.state', (e) => e.state === 'reconnecting').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'no \'peer.state\' matching the predicate within 100 ms; seen: \'peer.state\' x1: {"state":"connected"} (already taken); other events: peer.joined x2',
    );
  });

  test('a timed-out wait takes nothing: the event, when it comes, is there for the next call', async () => {
    const c = await client();
    await expect(c.next('room.rejoin', undefined, { timeoutMs: 20 })).rejects.toThrow(/no 'room.rejoin'/);
    await send(c, ['room.rejoin', { reason: 'media-server-restarted' }]);
    await expect(c.next('room.rejoin')).resolves.toEqual({ reason: 'media-server-restarted' });
  });

  test('closing the client rejects the waits still pending', async () => {
    const c = await client();
    const waiting = c.next('inspection.ended');
    c.close();
    await expect(waiting).rejects.toThrow(
      "the client was closed while waiting for 'inspection.ended'; seen: no 'inspection.ended' at all; no other events",
    );
  });
});

describe('request()', () => {
  test("resolves with the server's answer", async () => {
    const c = await client();
    await expect((c.request as (n: string, p: unknown) => Promise<unknown>)('test.send', [])).resolves.toEqual({ ok: true, data: null });
  });

  test('a request the server never answers rejects after its timeout, naming the request', async () => {
    const c = await client({ requestTimeoutMs: 100 });
    await expect((c.request as (n: string, p: unknown) => Promise<unknown>)('test.silent', {})).rejects.toThrow(
      "no answer to 'test.silent' within 100 ms",
    );
  });
});
