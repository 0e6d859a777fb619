// The signaling protocol between the browser pages and the SFU, over socket.io.
//
// Every client request is an event with one payload and an acknowledgement callback. The server
// parses the payload with the schema below before any handler sees it, and always answers with an
// `Ack`: `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
//
// The socket authenticates in the handshake (`auth`): staff with the session cookie plus
// `{ inspectionId }`, the crew with `{ crewToken }`. A socket is bound to one inspection.
//
// Join sequence (mirrors mediasoup's own): room.getCapabilities -> (load Device) -> room.join
// -> transport.create x2 -> transport.connect (on the client's 'connect' event) -> produce. The
// server pushes `consumer.new` for each remote producer once the peer has joined and has a receive
// transport; the consumer starts paused and the client resumes it with `consumer.resume` after it
// has set it up (otherwise the first key frame would be lost).
import { z } from './zod';
import { endInspectionSchema } from './api';
import type { ReplacedReason, RevocationReason, Role } from './domain';
import type { WireError } from './errors';
import { fieldSchemas, type FieldResponseData, type FieldServerEvents, type IceServerInfo } from './field-protocol';
import { chatSchemas, type ChatResponseData, type ChatServerEvents } from './chat-protocol';
import { guideSchemas, type GuideResponseData, type GuideServerEvents } from './guide-protocol';
import type { CaptureRequestedEvent, ConclusionView, EvidenceView } from './inspection-record';
import type { GapCause } from './recording';

/** Soft per-message limit (bytes of JSON). Larger requests get PAYLOAD_TOO_LARGE, not a disconnect. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export type Ack<T> = { ok: true; data: T } | { ok: false; error: WireError };
export type AckCallback<T> = (ack: Ack<T>) => void;

const id = z.string().min(1).max(64);
// mediasoup validates the deep structure of RTP/DTLS parameters itself (and throws TypeError,
// which we map to BAD_REQUEST); here we only insist on the outer shape and bound the size.
const looseObject = z.looseObject({});

export const MEDIA_SOURCES = ['camera', 'microphone'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

export const schemas = {
  'room.getCapabilities': z.object({}).strict(),
  'room.join': z
    .object({
      displayName: z.string().trim().min(1).max(80),
      device: z.string().max(200).default(''),
      rtpCapabilities: looseObject,
      /** Crew: when the person accepted the consent screen (recording, camera, microphone). */
      consentedAt: z.iso.datetime({ offset: true }).optional(),
      /** Crew: SHA-256 (hex) of the consent text as the screen showed it (sealed with the consent). */
      consentTextSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      /**
       * Crew: take the link's seat over from another phone that holds it (after SEAT_TAKEN). The
       * other phone is told `session.replaced` and disconnected; the participant stays the same.
       */
      takeOver: z.boolean().optional(),
    })
    .strict(),
  'room.leave': z.object({}).strict(),
  'transport.create': z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  'transport.connect': z.object({ transportId: id, dtlsParameters: looseObject }).strict(),
  'transport.restartIce': z.object({ transportId: id }).strict(),
  produce: z
    .object({
      transportId: id,
      kind: z.enum(['audio', 'video']),
      rtpParameters: looseObject,
      source: z.enum(MEDIA_SOURCES),
      paused: z.boolean().default(false),
    })
    .strict(),
  'producer.pause': z.object({ producerId: id }).strict(),
  'producer.resume': z.object({ producerId: id }).strict(),
  'producer.close': z.object({ producerId: id }).strict(),
  'consumer.resume': z.object({ consumerId: id }).strict(),
  /**
   * The simulcast layer a video consumer needs (0 = 1/4 resolution, 1 = 1/2, 2 = full): the
   * console asks for the one that fits the element showing it. The server tells the phone which
   * layers anyone needs ('producer.layers'), and the phone sends only those.
   */
  'consumer.setLayer': z.object({ consumerId: id, spatialLayer: z.number().int().min(0).max(2) }).strict(),
  'inspection.end': endInspectionSchema,
  // Position, camera control, video profiles (field-protocol.ts, field/).
  ...fieldSchemas,
  // Pointer and freeze-and-draw on the crew's picture (guide-protocol.ts, guide/).
  ...guideSchemas,
  // Chat and document requests between the console and the phone (chat-protocol.ts, chat/).
  ...chatSchemas,
  /** Surveyor's recording switch (on by default for every inspection). */
  'recording.start': z.object({}).strict(),
  'recording.stop': z.object({}).strict(),
  /** Surveyor: ask the crew phone(s) for a full-resolution still, attached to a checklist item. */
  'evidence.capture': z.object({ checklistItemId: id.nullable().default(null) }).strict(),
} as const;

export type RequestName = keyof typeof schemas;
export type RequestPayload<N extends RequestName> = z.input<(typeof schemas)[N]>;
export type ParsedRequest<N extends RequestName> = z.output<(typeof schemas)[N]>;

/** Connection state of a participant as the others see it. */
export type PeerState = 'connected' | 'reconnecting' | 'gone';

export interface PeerInfo {
  id: string;
  role: Role;
  displayName: string;
  state: PeerState;
  producers: ProducerInfo[];
}

export interface ProducerInfo {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface JoinResult {
  participantId: string;
  role: Role;
  peers: PeerInfo[];
  /** STUN/TURN servers for this participant's transports (time-limited TURN credentials). */
  iceServers?: IceServerInfo[];
  /**
   * A crew phone's data saver as the server has it: its choice earlier in this stay, else the
   * default for the inspection's kind (DATA_SAVER_KINDS).
   */
  dataSaver?: boolean;
}

export interface ProducerLayersEvent {
  producerId: string;
  active: boolean[];
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: unknown;
  producerPaused: boolean;
}

/** What each request answers with when it succeeds. */
export interface ResponseData extends FieldResponseData, GuideResponseData, ChatResponseData {
  'room.getCapabilities': { routerRtpCapabilities: unknown };
  'room.join': JoinResult;
  'room.leave': Record<string, never>;
  'transport.create': TransportInfo;
  'transport.connect': Record<string, never>;
  'transport.restartIce': { iceParameters: unknown };
  produce: { producerId: string };
  'producer.pause': Record<string, never>;
  'producer.resume': Record<string, never>;
  'producer.close': Record<string, never>;
  'consumer.resume': Record<string, never>;
  'consumer.setLayer': Record<string, never>;
  'inspection.end': Record<string, never>;
  'recording.start': RecordingStateEvent;
  'recording.stop': RecordingStateEvent;
  /** How many crew phones were asked. */
  'evidence.capture': { requestId: string; crewCount: number };
}

export type ClientToServerEvents = {
  [N in RequestName]: (payload: RequestPayload<N>, ack: AckCallback<ResponseData[N]>) => void;
};

export interface ServerToClientEvents extends FieldServerEvents, GuideServerEvents, ChatServerEvents {
  'peer.joined': (peer: PeerInfo) => void;
  'peer.state': (event: { peerId: string; state: PeerState }) => void;
  /**
   * Whether any media of a participant has reached the server: 'none' when its producers have
   * existed for a while without a byte (a network that lets signalling through but blocks media;
   * its state is 'reconnecting' meanwhile), 'flowing' once it arrives.
   */
  'peer.media': (event: { peerId: string; media: 'none' | 'flowing' }) => void;
  'peer.left': (event: { peerId: string; reason: string }) => void;
  'consumer.new': (consumer: ConsumerInfo) => void;
  'consumer.closed': (event: { consumerId: string }) => void;
  'consumer.paused': (event: { consumerId: string }) => void;
  'consumer.resumed': (event: { consumerId: string }) => void;
  /**
   * To the peer sending a simulcast producer: which of its encodings someone consumes (index 0 =
   * the lowest layer, always wanted as the fallback of a weak link). The others can be turned off.
   */
  'producer.layers': (event: ProducerLayersEvent) => void;
  'inspection.ended': (event: { reason: string }) => void;
  /** The media server under this room restarted: tear down and run the join sequence again. */
  'room.rejoin': (event: { reason: string }) => void;
  /** The credential this connection was opened with ended; the server disconnects right after. */
  'session.revoked': (event: { reason: RevocationReason }) => void;
  /** Another connection took this one's seat over (a second phone, takeOver); disconnected right after. */
  'session.replaced': (event: { reason: ReplacedReason }) => void;
  /** To staff: a participant goes on from another device (a crew phone taken over). */
  'peer.deviceChanged': (event: { peerId: string; device: string }) => void;
  /** To everyone in the room, on join and on every change: drives the recording indicator. */
  'recording.state': (state: RecordingStateEvent) => void;
  /** To the crew: take a full-resolution still now and upload it (POST /api/crew/evidence). */
  'evidence.captureRequested': (event: CaptureRequestedEvent) => void;
  /** To staff: new evidence (HD still uploaded by the phone, or a bookmark) is stored. */
  'evidence.added': (evidence: EvidenceView) => void;
  /** To everyone: the surveyor concluded; the crew is asked to acknowledge. */
  'inspection.concluded': (conclusion: ConclusionView) => void;
  /** To staff: the inspection record changed (checklist, evidence, conclusion, savings): read it again. */
  'record.changed': (event: RecordChangedEvent) => void;
}

export const RECORD_PARTS = ['checklist', 'evidence', 'conclusion', 'savings'] as const;
export type RecordPart = (typeof RECORD_PARTS)[number];
export interface RecordChangedEvent {
  part: RecordPart;
}

/** Whether the inspection is being recorded right now, and whether the surveyor's switch is on. */
export interface RecordingStateEvent {
  recording: boolean;
  enabled: boolean;
  recordingId: string | null;
  since: string | null;
  /**
   * While recording: every track the room sends (each participant's camera and microphone) and
   * whether media of it is being written now. "REC" is true only when all are 'recording'; the
   * others say why not ('starting' a moment after a join, 'restarting' after the recorder died,
   * 'disk-full').
   */
  tracks: RecordingTrackState[];
}

export interface RecordingTrackState {
  peerId: string;
  role: Role;
  displayName: string;
  source: 'camera' | 'microphone';
  /**
   * 'no-media': the track was being recorded and its media stopped with `cause` (the participant's
   * connection lost, a rejoin, a worker or server restart...); it is expected back.
   */
  state: 'recording' | 'starting' | 'restarting' | 'disk-full' | 'no-media';
  cause?: GapCause;
}

/** Handshake `auth` payloads. */
export const handshakeSchema = z.union([
  z.object({ crewToken: z.string().min(1).max(2048) }).strict(),
  z.object({ inspectionId: id }).strict(),
]);
export type Handshake = z.infer<typeof handshakeSchema>;
