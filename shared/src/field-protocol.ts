// The part of the signaling protocol for a crew phone on a moving vessel (field/): its GPS
// position, remote control of its camera (torch, zoom, switch), the surveyor's choice of video
// profile for a weak link, and TURN servers for networks that block UDP. protocol.ts merges these
// schemas and event maps into its own; the server parses every payload with them.
import { z } from './zod';

const id = z.string().min(1).max(64);

/** A GPS fix older than this is stale: the phone must send a fresh one. */
export const POSITION_MAX_AGE_MS = 10 * 60_000;
/** Phones' clocks drift; a fix may be this far in the server's future. */
export const POSITION_MAX_FUTURE_SKEW_MS = 30_000;
/** Worse than this (metres) is not a position worth showing (a cell-tower guess is ~5 km). */
export const POSITION_MAX_ACCURACY_M = 50_000;
/** How often the phone sends its position while sharing. */
export const POSITION_INTERVAL_MS = 60_000;

export const positionReportSchema = z
  .object({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    /** Radius of 68% confidence, metres (GeolocationCoordinates.accuracy). */
    accuracy: z.number().min(0).max(POSITION_MAX_ACCURACY_M),
    /** When the fix was taken, ms since the epoch (GeolocationPosition.timestamp). */
    timestamp: z.number().int().positive(),
  })
  .strict();
export type PositionReport = z.infer<typeof positionReportSchema>;

/** Why a fix's time is refused, or null when it is acceptable at `now` (server clock). */
export function positionTimeProblem(timestamp: number, now: number): string | null {
  if (timestamp > now + POSITION_MAX_FUTURE_SKEW_MS) return 'timestamp is in the future';
  if (timestamp < now - POSITION_MAX_AGE_MS) return 'timestamp is older than 10 minutes';
  return null;
}

/** Great-circle distance in km (haversine, mean Earth radius). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** What staff see of a crew position: the fix, and how far it is from the declared place. */
export interface PositionEvent {
  peerId: string;
  lat: number;
  lon: number;
  accuracy: number;
  capturedAt: string;
  /** null when the inspection's place has no coordinates. */
  distanceKm: number | null;
  /** True when farther than the configured POSITION_WARN_KM from the declared place. */
  warn: boolean;
  warnKm: number;
}

/** What the crew camera can do, from MediaStreamTrack.getCapabilities(). */
export const cameraCapabilitiesSchema = z
  .object({
    torch: z.boolean(),
    zoom: z
      .object({ min: z.number(), max: z.number(), step: z.number().min(0) })
      .strict()
      .refine((r) => r.min <= r.max, 'min must not exceed max')
      .nullable(),
  })
  .strict();
export type CameraCapabilities = z.infer<typeof cameraCapabilitiesSchema>;

export const cameraCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('torch'), on: z.boolean() }).strict(),
  z.object({ type: z.literal('zoom'), value: z.number() }).strict(),
  z.object({ type: z.literal('switchCamera') }).strict(),
]);
export type CameraCommand = z.infer<typeof cameraCommandSchema>;

/**
 * Video profiles the surveyor chooses for the crew camera:
 * - auto: simulcast as sent, the SFU picks the layer the link can carry;
 * - detail: full resolution at a low frame rate (reading plates and certificates);
 * - walk-through: smooth motion at reduced resolution;
 * - audio-stills: no moving video (the last picture stays), audio only, for the worst signal.
 */
export const VIDEO_PROFILES = ['auto', 'detail', 'walk-through', 'audio-stills'] as const;
export type VideoProfile = (typeof VIDEO_PROFILES)[number];

/**
 * The highest simulcast layer (0 = 1/4 resolution, 1 = 1/2, 2 = full) a crew phone sends with
 * this profile and its data saver, or null for no video; the layers below it stay available. The
 * server caps every consumer of the camera at it (field/camera-control.ts), the phone turns the
 * layers above it off (client/src/video-profiles.ts). The data saver drops the top layer but in
 * 'detail', whose full-resolution frames at 5 fps cost less than the saver's 360p.
 */
export function cameraTopLayer(profile: VideoProfile, dataSaver: boolean): number | null {
  switch (profile) {
    case 'audio-stills':
      return null;
    case 'detail':
      return 2;
    case 'walk-through':
      return 1;
    default:
      return dataSaver ? 1 : 2;
  }
}

export const fieldSchemas = {
  /** Crew (with consent): its GPS fix, at join and every minute. */
  'position.report': positionReportSchema,
  /** Crew: what its current camera supports (after join and after each camera switch). */
  'camera.capabilities': z.object({ capabilities: cameraCapabilitiesSchema }).strict(),
  /** Surveyor: torch, zoom or camera switch on a crew phone. */
  'camera.control': z.object({ peerId: id, command: cameraCommandSchema }).strict(),
  /** Surveyor: the video profile of a crew camera. */
  'video.setProfile': z.object({ peerId: id, profile: z.enum(VIDEO_PROFILES) }).strict(),
  /** Crew: its data saver on or off (a lower send rate, see cameraTopLayer). */
  'video.setDataSaver': z.object({ on: z.boolean() }).strict(),
} as const;

export interface FieldResponseData {
  'position.report': { distanceKm: number | null };
  'camera.capabilities': Record<string, never>;
  'camera.control': Record<string, never>;
  'video.setProfile': Record<string, never>;
  'video.setDataSaver': Record<string, never>;
}

export interface FieldServerEvents {
  /** To staff: a crew position (also sent on join: the latest one). */
  'position.update': (event: PositionEvent) => void;
  /** To staff: what a crew camera supports (controls are offered only for what it reports). */
  'camera.capabilities': (event: { peerId: string; capabilities: CameraCapabilities }) => void;
  /** To a crew phone: apply this camera command. */
  'camera.command': (event: { command: CameraCommand; from: string }) => void;
  /** To a crew phone: send the camera with this profile. To staff: the profile now in force. */
  'video.profile': (event: { peerId: string; profile: VideoProfile }) => void;
  /** To the crew phone and staff: its data saver now (after a change, and to staff on join). */
  'video.dataSaver': (event: { peerId: string; on: boolean }) => void;
  /**
   * To staff, every 2 s: a crew phone's data this stay as the server counts it (bytes both ways
   * over its media transports) and its current rate in bit/s.
   */
  'peer.data': (event: { peerId: string; bytes: number; bitrate: number }) => void;
}

/** An RTCIceServer as given to RTCPeerConnection (TURN with time-limited credentials). */
export interface IceServerInfo {
  urls: string[];
  username?: string;
  credential?: string;
}
