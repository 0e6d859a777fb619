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
import type { RequestName, RequestPayload, ResponseData, VideoProfile } from '@cloudship/shared';

type Request = <N extends RequestName>(name: N, payload: RequestPayload<N>) => Promise<ResponseData[N]>;

/**
 * The bitrate cap of each simulcast layer (lowest first) in every profile but 'detail': the
 * camera producer is created with them (publisher.ts).
 */
export const LAYER_MAX_BITRATES = [150_000, 500_000, 1_500_000];
/**
 * 'detail' sends a quarter of the frames, so a quarter of the bitrate keeps each frame as sharp;
 * with the automatic caps Chrome filled the difference (bench:data: detail cost as much as auto).
 */
const DETAIL_BITRATE_FACTOR = 0.25;

interface LayerSetting {
  active: boolean;
  maxFramerate?: number;
  maxBitrate?: number;
}

function layerSettings(profile: VideoProfile, layer: number, layers: number): LayerSetting {
  const top = layer === layers - 1;
  const cap = LAYER_MAX_BITRATES[layer];
  switch (profile) {
    case 'detail':
      return { active: true, maxFramerate: 5, maxBitrate: cap === undefined ? undefined : Math.round(cap * DETAIL_BITRATE_FACTOR) };
    case 'walk-through':
      return { active: !top || layers === 1, maxFramerate: 30 };
    case 'audio-stills':
      return { active: false };
    default:
      return { active: true };
  }
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
  profile: VideoProfile,
  request: Request,
  consumed: readonly boolean[] | null = null,
): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender || producer.closed) return;
  const params = sender.getParameters();
  const count = params.encodings.length;
  params.encodings.forEach((encoding, i) => {
    const setting = layerSettings(profile, i, count);
    encoding.active = setting.active && (consumed?.[i] ?? true);
    if (setting.maxFramerate === undefined) delete encoding.maxFramerate;
    else encoding.maxFramerate = setting.maxFramerate;
    const maxBitrate = setting.maxBitrate ?? LAYER_MAX_BITRATES[i];
    if (maxBitrate !== undefined) encoding.maxBitrate = maxBitrate;
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
