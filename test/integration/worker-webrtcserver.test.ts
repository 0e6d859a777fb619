// Closing a WebRtcServer while transports still use it. With mediasoup 3.12.16 built against
// Debian's hardened abseil, webRtcServer.close() with live transports killed the whole worker with
// SIGILL (~WebRtcServer erased from a set while iterating it; fixed upstream in 3.14.1), and the
// same destructor freed its sockets before closing the transports (fixed in 3.14.5). The
// application does not create WebRtcServers, but these are the paths that crashed; the 3.27 worker
// must survive all of them, every room on it with it.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import zlib from 'node:zlib';
import * as mediasoup from 'mediasoup';
import type { RouterRtpCodecCapability, WebRtcServer, WebRtcTransport, Worker } from 'mediasoup/types';

const codecs: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

let worker: Worker;
let died: Error[];

beforeEach(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  died = [];
  worker.on('died', (e) => died.push(e));
});

afterEach(() => {
  worker.close();
});

const listenInfos = [
  { protocol: 'udp' as const, ip: '127.0.0.1', port: 0 },
  { protocol: 'tcp' as const, ip: '127.0.0.1', port: 0 },
];

/** A STUN binding request as a controlling ICE agent nominating the pair (RFC 8445 7.1.1). */
function bindingRequest(transport: WebRtcTransport, clientUfrag: string): Buffer {
  const { usernameFragment, password } = transport.iceParameters;
  const attribute = (type: number, value: Buffer) => {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(type, 0);
    header.writeUInt16BE(value.length, 2);
    return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  };
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e7f1eff, 0);
  let body = Buffer.concat([
    attribute(0x0006, Buffer.from(`${usernameFragment}:${clientUfrag}`)), // USERNAME
    attribute(0x0024, priority), // PRIORITY
    attribute(0x802a, crypto.randomBytes(8)), // ICE-CONTROLLING
    attribute(0x0025, Buffer.alloc(0)), // USE-CANDIDATE
  ]);
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0); // Binding request
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(0x2112a442, 4);
    transactionId.copy(h, 8);
    return h;
  };
  const transactionId = crypto.randomBytes(12);
  // MESSAGE-INTEGRITY over the message with the length already counting it (24 bytes).
  const integrity = crypto
    .createHmac('sha1', password)
    .update(Buffer.concat([header(body.length + 24), body]))
    .digest();
  body = Buffer.concat([body, attribute(0x0008, integrity)]);
  // FINGERPRINT likewise (8 bytes).
  const crc = (zlib.crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0;
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE(crc, 0);
  body = Buffer.concat([body, attribute(0x8028, fingerprint)]);
  return Buffer.concat([header(body.length), body]);
}

/**
 * A router with transports on `server`: one ICE-connected (a STUN binding from a test socket) whose
 * DTLS client is sending its handshake, one with a producer, one with a consumer of it.
 */
async function liveTransports(server: WebRtcServer, sockets: dgram.Socket[]) {
  const router = await worker.createRouter({ mediaCodecs: codecs });
  const transports: WebRtcTransport[] = [];
  for (let i = 0; i < 3; i++) transports.push(await router.createWebRtcTransport({ webRtcServer: server }));
  const [connected, sending, receiving] = transports as [WebRtcTransport, WebRtcTransport, WebRtcTransport];

  // The remote side is the DTLS server, so once ICE is up the worker's DTLS client sends its
  // ClientHello (and retransmits it) through the WebRtcServer's socket to the test socket. (Before
  // scripts/mediasoup-worker/dtls-bio-callback.patch that first DTLS record killed the worker.)
  await connected.connect({ dtlsParameters: { role: 'server', fingerprints: [{ algorithm: 'sha-256', value: fakeFingerprint() }] } });
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received: Buffer[] = [];
  socket.on('message', (msg) => received.push(msg));
  const udp = connected.iceCandidates.find((c) => c.protocol === 'udp')!;
  socket.send(bindingRequest(connected, 'testclient'), udp.port, udp.ip);
  // A STUN Binding success response, then a DTLS handshake record (content type 22).
  await waitFor(() => received.some((m) => m.readUInt16BE(0) === 0x0101) && received.some((m) => m[0] === 22));
  await waitFor(() => connected.iceState === 'completed' || connected.iceState === 'connected');
  expect(connected.iceSelectedTuple).toBeDefined();

  const producer = await sending.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 2222 }] },
  });
  await receiving.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  return { router, transports };
}

const fakeFingerprint = () => crypto.randomBytes(32).toString('hex').toUpperCase().match(/../g)!.join(':');

async function waitFor(condition: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The worker still answers and still serves: a new router and WebRtcServer transport on it. */
async function expectWorkerAlive(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(died).toEqual([]);
  expect(worker.closed).toBe(false);
  expect(() => process.kill(worker.pid, 0)).not.toThrow();
  expect((await worker.getResourceUsage()).ru_maxrss).toBeGreaterThan(0);
  const server = await worker.createWebRtcServer({ listenInfos });
  const router = await worker.createRouter({ mediaCodecs: codecs });
  const transport = await router.createWebRtcTransport({ webRtcServer: server });
  expect(transport.iceCandidates.length).toBe(2);
  router.close();
  server.close();
}

describe('WebRtcServer close paths (the worker and its other rooms live on)', () => {
  const sockets: dgram.Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  test('DTLS role change after ICE completed (auto -> server, then client): the worker resets DTLS and lives on', async () => {
    const server = await worker.createWebRtcServer({ listenInfos });
    const router = await worker.createRouter({ mediaCodecs: codecs });
    const transport = await router.createWebRtcTransport({ webRtcServer: server });
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const received: Buffer[] = [];
    socket.on('message', (msg) => received.push(msg));
    const udp = transport.iceCandidates.find((c) => c.protocol === 'udp')!;
    // ICE first: with role 'auto' the worker's DTLS starts as server and waits.
    socket.send(bindingRequest(transport, 'testclient'), udp.port, udp.ip);
    await waitFor(() => received.some((m) => m.readUInt16BE(0) === 0x0101));
    // Then the remote says it is the server: the worker resets its DTLS and becomes the client.
    await transport.connect({ dtlsParameters: { role: 'server', fingerprints: [{ algorithm: 'sha-256', value: fakeFingerprint() }] } });
    await waitFor(() => received.some((m) => m[0] === 22));
    await expectWorkerAlive();
    server.close();
  });

  test('webRtcServer.close() with live transports closes them (listenserverclose), the worker lives on', async () => {
    const server = await worker.createWebRtcServer({ listenInfos });
    const other = await worker.createRouter({ mediaCodecs: codecs }); // another room on the worker
    const { router, transports } = await liveTransports(server, sockets);
    const closedByServer = transports.map((t) => new Promise<void>((resolve) => t.once('listenserverclose', resolve)));

    server.close();
    await Promise.all(closedByServer);

    expect(transports.every((t) => t.closed)).toBe(true);
    expect(router.closed).toBe(false);
    expect(other.closed).toBe(false);
    await expectWorkerAlive();
    // The room that was not on the server still works.
    expect((await other.createWebRtcTransport({ listenInfos })).closed).toBe(false);
  });

  test('two WebRtcServers with transports, closed one after the other, the worker lives on', async () => {
    const first = await worker.createWebRtcServer({ listenInfos });
    const second = await worker.createWebRtcServer({ listenInfos });
    await liveTransports(first, sockets);
    await liveTransports(second, sockets);

    first.close();
    second.close();
    await expectWorkerAlive();
  });

  test('router closed first, then its webRtcServer: the worker lives on', async () => {
    const server = await worker.createWebRtcServer({ listenInfos });
    const { router } = await liveTransports(server, sockets);

    router.close();
    server.close();
    await expectWorkerAlive();
  });

  test('worker.close() with a WebRtcServer and live transports: the worker process exits, with no died event', async () => {
    const server = await worker.createWebRtcServer({ listenInfos });
    await liveTransports(server, sockets);
    const pid = worker.pid;
    const ended = new Promise<void>((resolve) => worker.once('subprocessclose', resolve));

    worker.close();
    await ended;

    expect(died).toEqual([]);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
