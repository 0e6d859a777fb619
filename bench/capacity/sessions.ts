// The reference session built on a mediasoup router: 1 crew sending VP8 + Opus, 3 surveyors each
// sending Opus, a recorder; every participant and the recorder receive through an SRTP-enabled
// PlainTransport (so the worker encrypts each forwarded packet, as for WebRTC), 20 consumers.
// Both the application run and the bare-mediasoup run build sessions with this same function;
// only where the router comes from differs.
import type { Consumer, PlainTransport, Producer, Router, RtpCapabilities } from 'mediasoup/types';

const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80' as const;
// 30 bytes of key + salt, base64: the value only has to be valid for the worker to accept it.
const SRTP_KEY = Buffer.alloc(30, 7).toString('base64');

export const RECEIVERS = ['crew', 's1', 's2', 's3', 'recorder'] as const;

/** Stripped capabilities: codecs only, no RTX, no feedback, no header extensions (with full capabilities mediasoup would also send bandwidth-probation packets). */
function strippedCaps(router: Router): RtpCapabilities {
  return {
    codecs: router.rtpCapabilities
      .codecs!.filter((c) => ['audio/opus', 'video/VP8'].includes(c.mimeType))
      .map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  };
}

export interface BenchParticipant {
  role: 'crew' | 'surveyor';
  producers: Producer[];
  consumers: Consumer[];
}

export interface BenchSession {
  /** Generator stream specs for rtptool gen. */
  streams: string[];
  /** The crew and the three surveyors with what they send and receive (not the recorder). */
  participants: BenchParticipant[];
  transports: PlainTransport[];
  producers: Producer[];
  consumers: Consumer[];
  close(): void;
}

let nextSsrc = 100_000;
/** Loopback, below the ephemeral ports the sinks are bound to (as the bench's worker range was). */
const LISTEN = { protocol: 'udp' as const, ip: '127.0.0.1', portRange: { min: 20000, max: 29999 } };

async function sender(router: Router, kinds: Array<'video' | 'audio'>) {
  const transport = await router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true, comedia: true });
  const producers: Producer[] = [];
  const streams: string[] = [];
  for (const kind of kinds) {
    const ssrc = nextSsrc++;
    producers.push(
      await transport.produce({
        kind,
        appData: { source: kind === 'video' ? 'camera' : 'microphone' },
        rtpParameters:
          kind === 'video'
            ? { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc }] }
            : { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
      }),
    );
    streams.push(`${kind === 'video' ? 'v' : 'a'}:${transport.tuple.localPort}:${ssrc}`);
  }
  return { transport, producers, streams };
}

/**
 * Builds one session on `router`, its five receivers connected to `sinkPorts` (one port each).
 * Who receives what, as in a live inspection: surveyors get the crew's video and audio and the
 * other surveyors' audio; the crew gets the surveyors' audio; the recorder gets everything.
 */
export async function buildSession(router: Router, sinkPorts: number[]): Promise<BenchSession> {
  const crew = await sender(router, ['video', 'audio']);
  const surveyors = await Promise.all([0, 1, 2].map(() => sender(router, ['audio'])));
  const caps = strippedCaps(router);
  const transports = [crew.transport, ...surveyors.map((s) => s.transport)];
  const consumers: Consumer[] = [];
  const received = new Map<string, Consumer[]>();
  const sendersOf = (receiver: (typeof RECEIVERS)[number]) => {
    if (receiver === 'recorder') return [crew, ...surveyors];
    if (receiver === 'crew') return surveyors;
    const self = surveyors[Number(receiver[1]) - 1];
    return [crew, ...surveyors.filter((s) => s !== self)];
  };
  for (const [i, receiver] of RECEIVERS.entries()) {
    const t = await router.createPlainTransport({
      listenInfo: LISTEN,
      rtcpMux: true,
      comedia: false,
      enableSrtp: true,
      srtpCryptoSuite: SRTP_SUITE,
    });
    await t.connect({ ip: '127.0.0.1', port: sinkPorts[i]!, srtpParameters: { cryptoSuite: SRTP_SUITE, keyBase64: SRTP_KEY } });
    transports.push(t);
    const mine: Consumer[] = [];
    for (const s of sendersOf(receiver)) {
      for (const producer of s.producers) mine.push(await t.consume({ producerId: producer.id, rtpCapabilities: caps }));
    }
    consumers.push(...mine);
    received.set(receiver, mine);
  }
  return {
    streams: [...crew.streams, ...surveyors.flatMap((s) => s.streams)],
    participants: [
      { role: 'crew', producers: crew.producers, consumers: received.get('crew')! },
      ...surveyors.map((s, i) => ({ role: 'surveyor' as const, producers: s.producers, consumers: received.get(`s${i + 1}`)! })),
    ],
    transports,
    producers: [...crew.producers, ...surveyors.flatMap((s) => s.producers)],
    consumers,
    close: () => transports.forEach((t) => t.close()),
  };
}

/** The relay's fan-out for one session: 5 inputs (v, crew audio, 3 surveyor audios) -> sink ports. */
export function relayInputs(sinkPorts: number[]): string[] {
  const [crew, s1, s2, s3, rec] = sinkPorts;
  return [
    [s1, s2, s3, rec], // crew video
    [s1, s2, s3, rec], // crew audio
    [crew, s2, s3, rec], // surveyor 1 audio
    [crew, s1, s3, rec],
    [crew, s1, s2, rec],
  ].map((ports) => ports.join(','));
}

export const CONSUMERS_PER_SESSION = 20;
