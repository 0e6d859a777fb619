// Camera and microphone capture, with getUserMedia failures mapped to translatable codes.

export type FacingMode = 'environment' | 'user';

/** A capture failure. */
export class MediaError extends Error {
  constructor(
    readonly code: 'MEDIA_DENIED' | 'MEDIA_NOT_FOUND' | 'MEDIA_BUSY' | 'INSECURE_CONTEXT' | 'UNSUPPORTED_BROWSER',
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/**
 * Video constraints. `facingMode` is `ideal`, not `exact`: a desktop webcam or a phone whose rear
 * camera is busy still gives a picture instead of an OverconstrainedError. 1280x720 is enough for an
 * inspection and is the top simulcast layer; phones deliver at most 30 fps.
 */
export function cameraConstraints(facingMode: FacingMode): MediaTrackConstraints {
  return {
    facingMode: { ideal: facingMode },
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 30, max: 30 },
  };
}

export const MICROPHONE_CONSTRAINTS: MediaTrackConstraints = {
  // On deck there is wind and engine noise; the browser's processing helps speech a lot.
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

function ensureCaptureAvailable(): void {
  if (!window.isSecureContext) throw new MediaError('INSECURE_CONTEXT', 'getUserMedia needs a secure context');
  if (!navigator.mediaDevices?.getUserMedia) throw new MediaError('UNSUPPORTED_BROWSER', 'getUserMedia is not available');
}

export function toMediaError(err: unknown): MediaError {
  if (err instanceof MediaError) return err;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new MediaError('MEDIA_DENIED', message);
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new MediaError('MEDIA_NOT_FOUND', message);
    case 'NotReadableError':
    case 'AbortError':
      return new MediaError('MEDIA_BUSY', message);
    default:
      return new MediaError('MEDIA_BUSY', message || name);
  }
}

async function capture(constraints: MediaStreamConstraints): Promise<MediaStream> {
  ensureCaptureAvailable();
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (err) {
    throw toMediaError(err);
  }
}

export async function getCameraTrack(facingMode: FacingMode): Promise<MediaStreamTrack> {
  const stream = await capture({ video: cameraConstraints(facingMode) });
  const [track] = stream.getVideoTracks();
  if (!track) throw new MediaError('MEDIA_NOT_FOUND', 'the camera gave no video track');
  return track;
}

export async function getMicrophoneTrack(): Promise<MediaStreamTrack> {
  const stream = await capture({ audio: MICROPHONE_CONSTRAINTS });
  const [track] = stream.getAudioTracks();
  if (!track) throw new MediaError('MEDIA_NOT_FOUND', 'the microphone gave no audio track');
  return track;
}

/**
 * Camera and microphone in one getUserMedia call, so that a phone asks for both permissions in a
 * single prompt. When one of the two devices is missing, fall back to whichever exists; permission
 * refusals are not retried (a second prompt would only annoy).
 */
export async function getCameraAndMicrophone(
  facingMode: FacingMode,
): Promise<{ camera: MediaStreamTrack | null; microphone: MediaStreamTrack | null }> {
  try {
    const stream = await capture({ video: cameraConstraints(facingMode), audio: MICROPHONE_CONSTRAINTS });
    return { camera: stream.getVideoTracks()[0] ?? null, microphone: stream.getAudioTracks()[0] ?? null };
  } catch (err) {
    const error = toMediaError(err);
    if (error.code !== 'MEDIA_NOT_FOUND' && error.code !== 'MEDIA_BUSY') throw error;
    const camera = await getCameraTrack(facingMode).catch(() => null);
    const microphone = await getMicrophoneTrack().catch(() => null);
    if (!camera && !microphone) throw error;
    return { camera, microphone };
  }
}

/** The facing mode a track really has (phones report it; desktops usually do not). */
export function actualFacingMode(track: MediaStreamTrack, requested: FacingMode): FacingMode {
  const reported = track.getSettings().facingMode;
  return reported === 'user' || reported === 'environment' ? reported : requested;
}
