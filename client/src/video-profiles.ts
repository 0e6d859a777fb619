// The video profiles a surveyor can choose for the crew camera on a weak link, applied
// on the phone to the simulcast encodings of its camera producer with RTCRtpSender.setParameters
// (no renegotiation, takes effect within a frame or two).
//
// Layers (publisher.ts): 0 = 1/4 resolution, 1 = 1/2, 2 = full.
// - auto: everything on, the SFU picks the layer the surveyor's link can carry.
// - detail: full resolution kept, 5 frames per second: the bitrate goes into sharpness, for reading
//   plates and certificates.
// - walk-through: the top layer off (saves the phone's uplink), the lower ones smooth.
// - audio-stills: no video RTP at all (every encoding inactive); the producer is paused on the
//   server too, so the surveyor's page shows the last picture as paused and the media watchdog
//   does not take the silence for a network cut. The local preview keeps running (the track
//   itself is not disabled, which is what mediasoup-client's producer.pause() would do).
import type { Producer } from 'mediasoup-client/types';
import { cameraTopLayer, type RequestName, type RequestPayload, type ResponseData, type VideoProfile } from '@cloudship/shared';

type Request = <N extends RequestName>(name: N, payload: RequestPayload<N>) => Promise<ResponseData[N]>;

/**
 * What each profile sends per simulcast layer (lowest first): the bitrate cap, and for some a
 * frame-rate cap; layers above cameraTopLayer() are off. Chosen with `npm run bench:data` against the picture
 * the surveyor receives (README, "The crew's mobile data"): a phone fills whatever cap it is given
 * (Chrome's encoder aims at the cap, not at "good enough"), so the caps are the data bill.
 * - auto: 720p at 20 fps in 320 kbit/s;
 * - detail: a quarter of the frames, each richer than auto's (28 kbit per frame against 16);
 * - walk-through: the top layer off, 360p smooth.
 */
type LayerCaps = ReadonlyArray<{ maxBitrate: number; maxFramerate?: number }>;

export const PROFILE_LAYERS: Record<Exclude<VideoProfile, 'audio-stills'>, LayerCaps> = {
  auto: [{ maxBitrate: 60_000 }, { maxBitrate: 160_000 }, { maxBitrate: 320_000 }],
  detail: [
    { maxBitrate: 20_000, maxFramerate: 5 },
    { maxBitrate: 50_000, maxFramerate: 5 },
    { maxBitrate: 140_000, maxFramerate: 5 },
  ],
  'walk-through': [
    { maxBitrate: 50_000, maxFramerate: 30 },
    { maxBitrate: 160_000, maxFramerate: 30 },
  ],
};

/**
 * The crew's data saver (a toggle on the phone, on by default for some inspection kinds): no top
 * layer and 15 frames per second, whatever the profile, but for 'detail', which costs less than
 * this already and needs the full resolution.
 */
export const DATA_SAVER_LAYERS: LayerCaps = [
  { maxBitrate: 40_000, maxFramerate: 15 },
  { maxBitrate: 120_000, maxFramerate: 15 },
];

/** The caps the camera producer is created with (publisher.ts): the automatic profile's. */
export const LAYER_MAX_BITRATES = PROFILE_LAYERS.auto.map((layer) => layer.maxBitrate);

/** What decides the camera's encodings besides the consumed layers. */
export interface CameraSettings {
  profile: VideoProfile;
  dataSaver: boolean;
}

interface LayerSetting {
  active: boolean;
  maxFramerate?: number;
  maxBitrate?: number;
}

/**
 * The encoding of `layer` (0 = lowest) for a profile, with or without the data saver: the layers
 * up to cameraTopLayer() (shared with the server, which caps the consumers there) are sent.
 */
export function layerSetting(profile: VideoProfile, dataSaver: boolean, layer: number): LayerSetting {
  const top = cameraTopLayer(profile, dataSaver);
  if (top === null || layer > top || profile === 'audio-stills') return { active: false };
  const table = dataSaver && profile !== 'detail' ? DATA_SAVER_LAYERS : PROFILE_LAYERS[profile];
  return { active: true, ...(table[layer] ?? PROFILE_LAYERS.auto[layer]) };
}

/** Producers we paused on the server for 'audio-stills' (to resume them when leaving it). */
const pausedForStills = new WeakSet<Producer>();

/**
 * Applies the profile to the camera producer's encodings. `consumed` (from the server's
 * 'producer.layers', see server/src/session/layer-demand.ts) says which layers anyone receives:
 * the others are turned off as well, so the phone sends nothing nobody watches.
 */
export async function applyVideoProfile(
  producer: Producer,
  { profile, dataSaver }: CameraSettings,
  request: Request,
  consumed: readonly boolean[] | null = null,
): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender || producer.closed) return;
  const params = sender.getParameters();
  params.encodings.forEach((encoding, i) => {
    const setting = layerSetting(profile, dataSaver, i);
    encoding.active = setting.active && (consumed?.[i] ?? true);
    if (setting.maxFramerate === undefined) delete encoding.maxFramerate;
    else encoding.maxFramerate = setting.maxFramerate;
    if (setting.maxBitrate !== undefined) encoding.maxBitrate = setting.maxBitrate;
  });
  await sender.setParameters(params);
  if (profile === 'audio-stills' && !pausedForStills.has(producer)) {
    pausedForStills.add(producer);
    await request('producer.pause', { producerId: producer.id });
  } else if (profile !== 'audio-stills' && pausedForStills.has(producer)) {
    pausedForStills.delete(producer);
    await request('producer.resume', { producerId: producer.id });
  }
}
