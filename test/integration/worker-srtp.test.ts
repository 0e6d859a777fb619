// Media through the worker's SRTP, with each crypto suite mediasoup offers. The worker's libsrtp is
// libsrtp 2.5.0 with the project's port of mediasoup's SRTP wrapper
// (scripts/mediasoup-worker/srtp-libsrtp2.patch), and mediasoup's own test suite never pushes a
// packet through SRTP: this is the check that encryption and decryption really work.
//
//   test socket --RTP--> [router A] plain in -> producer -> consumer on an SRTP PlainTransport
//     --SRTP--> relay socket (the test: looks at the wire) --SRTP-->
//   [router B] SRTP PlainTransport (decrypts) -> producer -> consumer on a plain PlainTransport
//     --RTP--> sink socket (the test: counts what arrives)
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { PlainTransport, Router, RouterRtpCodecCapability, SrtpCryptoSuite, Worker } from 'mediasoup/types';

const LOOPBACK = { protocol: 'udp' as const, ip: '127.0.0.1' };
const PAYLOAD_TYPE = 100;
const SSRC = 0x11223344;
const PAYLOAD_BYTES = 160;
const PACKETS = 40;

/** Bytes SRTP appends to an RTP packet (the authentication tag) for each suite. */
const TAG_BYTES: Record<SrtpCryptoSuite, number> = {
  AES_CM_128_HMAC_SHA1_80: 10,
  AES_CM_128_HMAC_SHA1_32: 4,
  AEAD_AES_128_GCM: 16,
  AEAD_AES_256_GCM: 16,
};
/** Master key + salt lengths, for the wrong keys. */
const KEY_BYTES: Record<SrtpCryptoSuite, number> = {
  AES_CM_128_HMAC_SHA1_80: 30,
  AES_CM_128_HMAC_SHA1_32: 30,
  AEAD_AES_128_GCM: 28,
  AEAD_AES_256_GCM: 44,
};

const opus: RouterRtpCodecCapability = {
  kind: 'audio',
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
  preferredPayloadType: PAYLOAD_TYPE,
};

let worker: Worker;
const sockets: dgram.Socket[] = [];

beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
});

afterAll(() => {
  worker.close();
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function udpSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

const portOf = (s: dgram.Socket) => s.address().port;

/** An RTP packet: 12-byte header, then `payload`. */
function rtp(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = PAYLOAD_TYPE;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 960, 4);
  header.writeUInt32BE(SSRC, 8);
  return Buffer.concat([header, payload]);
}

/** Length of an RTP packet's header (fixed part, CSRCs, header extension). */
function rtpHeaderLength(packet: Buffer): number {
  let length = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) length += 4 + 4 * packet.readUInt16BE(length + 2);
  return length;
}

const isRtcp = (packet: Buffer) => packet[1]! >= 192 && packet[1]! <= 223;

interface Path {
  routers: Router[];
  /** Plain RTP sent here arrives at router A. */
  inPort: number;
  /** SRTP packets seen between the two routers. */
  wire: Buffer[];
  /** RTP packets the sink received from router B. */
  received: Buffer[];
  /** The transport on router B that decrypts. */
  decrypting: PlainTransport;
}

/**
 * Two routers joined by SRTP PlainTransports with `suite`, and the test's sockets around them.
 * `receiverKey` replaces the key router B decrypts with (the wrong-key case).
 */
async function srtpPath(suite: SrtpCryptoSuite, receiverKey?: string): Promise<Path> {
  const routerA = await worker.createRouter({ mediaCodecs: [opus] });
  const routerB = await worker.createRouter({ mediaCodecs: [opus] });

  const plainIn = await routerA.createPlainTransport({ listenInfo: LOOPBACK, comedia: true });
  const producerA = await plainIn.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: PAYLOAD_TYPE, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: SSRC }],
    },
  });

  const encrypting = await routerA.createPlainTransport({ listenInfo: LOOPBACK, enableSrtp: true, srtpCryptoSuite: suite });
  const decrypting = await routerB.createPlainTransport({ listenInfo: LOOPBACK, enableSrtp: true, srtpCryptoSuite: suite });

  // The relay forwards each way and keeps what A sends towards B.
  const wire: Buffer[] = [];
  const relay = await udpSocket();
  relay.on('message', (msg, from) => {
    if (from.port === encrypting.tuple.localPort) {
      if (!isRtcp(msg)) wire.push(msg);
      relay.send(msg, decrypting.tuple.localPort, '127.0.0.1');
    } else {
      relay.send(msg, encrypting.tuple.localPort, '127.0.0.1');
    }
  });
  await encrypting.connect({ ip: '127.0.0.1', port: portOf(relay), srtpParameters: decrypting.srtpParameters! });
  const srtpParameters = { ...encrypting.srtpParameters!, ...(receiverKey ? { keyBase64: receiverKey } : {}) };
  await decrypting.connect({ ip: '127.0.0.1', port: portOf(relay), srtpParameters });

  const toB = await encrypting.consume({ producerId: producerA.id, rtpCapabilities: routerA.rtpCapabilities });
  const producerB = await decrypting.produce({ kind: 'audio', rtpParameters: toB.rtpParameters });

  const received: Buffer[] = [];
  const sink = await udpSocket();
  sink.on('message', (msg) => {
    if (!isRtcp(msg)) received.push(msg);
  });
  const plainOut = await routerB.createPlainTransport({ listenInfo: LOOPBACK, comedia: false });
  await plainOut.connect({ ip: '127.0.0.1', port: portOf(sink) });
  await plainOut.consume({ producerId: producerB.id, rtpCapabilities: routerB.rtpCapabilities });

  return { routers: [routerA, routerB], inPort: plainIn.tuple.localPort, wire, received, decrypting };
}

/** Sends PACKETS RTP packets whose payloads are `marker` + the sequence number, 10 ms apart. */
async function sendRtp(inPort: number, marker: Buffer): Promise<void> {
  const source = await udpSocket();
  for (let seq = 1; seq <= PACKETS; seq++) {
    const payload = Buffer.alloc(PAYLOAD_BYTES, 0x5a);
    marker.copy(payload);
    payload.writeUInt16BE(seq, marker.length);
    source.send(rtp(seq, payload), inPort, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // What is on its way arrives.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe.each(Object.keys(TAG_BYTES) as SrtpCryptoSuite[])('SRTP with %s', (suite) => {
  test('plain RTP in on router A arrives decrypted from router B, and is encrypted on the wire', async () => {
    const p = await srtpPath(suite);
    try {
      const marker = crypto.randomBytes(16);
      await sendRtp(p.inPort, marker);

      // At least 90%: the first packets can be lost to the transports' start-up.
      expect(p.received.length).toBeGreaterThanOrEqual(PACKETS * 0.9);
      for (const packet of p.received) {
        const payload = packet.subarray(rtpHeaderLength(packet));
        expect(payload).toHaveLength(PAYLOAD_BYTES);
        expect(payload.subarray(0, marker.length).equals(marker)).toBe(true);
      }
      // Between the routers: the payload is not readable, and the suite's tag is appended.
      expect(p.wire.length).toBeGreaterThanOrEqual(PACKETS * 0.9);
      for (const packet of p.wire) {
        expect(packet.includes(marker)).toBe(false);
        expect(packet.length - rtpHeaderLength(packet)).toBe(PAYLOAD_BYTES + TAG_BYTES[suite]);
      }
    } finally {
      p.routers.forEach((r) => r.close());
    }
  });

  test('with the wrong key on router B nothing arrives, though the SRTP packets reach it', async () => {
    const p = await srtpPath(suite, crypto.randomBytes(KEY_BYTES[suite]).toString('base64'));
    try {
      await sendRtp(p.inPort, crypto.randomBytes(16));

      expect(p.wire.length).toBeGreaterThanOrEqual(PACKETS * 0.9);
      const [stats] = await p.decrypting.getStats();
      expect(stats!.bytesReceived).toBeGreaterThan(0);
      expect(p.received).toEqual([]);
    } finally {
      p.routers.forEach((r) => r.close());
    }
  });
});
