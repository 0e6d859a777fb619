// The crew phone's side of the field features: it reports what its camera can do,
// obeys the surveyor's camera commands (torch, zoom, switch) and video profile, shares its GPS
// position when the crew consented, and shows the link quality and the mobile data used.
import type { CameraCapabilities, CameraCommand, VideoProfile } from '@cloudship/shared';
import { POSITION_INTERVAL_MS } from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText } from '../i18n';
import { createLinkIndicator } from '../link-indicator';
import { isFinalSessionState, type LiveSession } from '../live-session';
import { button, el } from '../ui/dom';
import '../field.css';
import { log } from '../util';

const SHARE_KEY = 'cloudship.sharePosition.';
const SAVER_KEY = 'cloudship.dataSaver.';

function consentKey(): string {
  return SHARE_KEY + location.pathname.slice(-24);
}

/** The crew's own data-saver choice for this link ('1'/'0'), or null: the inspection's default. */
function rememberedSaver(): boolean | null {
  try {
    const value = sessionStorage.getItem(SAVER_KEY + location.pathname.slice(-24));
    return value === null ? null : value === '1';
  } catch {
    return null;
  }
}

function rememberSaver(on: boolean): void {
  try {
    sessionStorage.setItem(SAVER_KEY + location.pathname.slice(-24), on ? '1' : '0');
  } catch {
    // storage refused: the choice lasts for this page only
  }
}

/** Remembered per link in this tab, so that a reload keeps the crew's choice. */
export function setPositionConsent(shared: boolean): void {
  try {
    sessionStorage.setItem(consentKey(), shared ? '1' : '0');
  } catch {
    // storage refused: position sharing lasts for this page only
  }
}

function positionConsented(): boolean {
  try {
    return sessionStorage.getItem(consentKey()) === '1';
  } catch {
    return false;
  }
}

/** Torch and zoom as the camera reports them (Chrome on Android; the fake device has neither). */
export function cameraCapabilities(track: MediaStreamTrack | null): CameraCapabilities {
  const caps = (track?.getCapabilities?.() ?? {}) as MediaTrackCapabilities & {
    torch?: boolean | boolean[];
    zoom?: { min?: number; max?: number; step?: number };
  };
  const torch = Array.isArray(caps.torch) ? caps.torch.includes(true) : caps.torch === true;
  const z = caps.zoom;
  const zoom =
    z && typeof z.min === 'number' && typeof z.max === 'number' && z.max > z.min ? { min: z.min, max: z.max, step: z.step ?? 0.1 } : null;
  return { torch, zoom };
}

async function applyCameraCommand(session: LiveSession, command: CameraCommand): Promise<void> {
  const track = session.local.cameraTrack;
  // `torch` and `zoom` are image-capture constraints not yet in TypeScript's DOM types.
  if (command.type === 'torch' && track) await track.applyConstraints({ advanced: [{ torch: command.on } as MediaTrackConstraintSet] });
  else if (command.type === 'zoom' && track)
    await track.applyConstraints({ advanced: [{ zoom: command.value } as MediaTrackConstraintSet] });
  else if (command.type === 'switchCamera') await session.switchCamera();
}

export function mountFieldControls(session: LiveSession): { el: HTMLElement; dataSaverButton: HTMLButtonElement; stop(): void } {
  const link = createLinkIndicator(session, { showData: true });
  // The crew's data saver (video-profiles.ts DATA_SAVER_LAYERS): a toggle, remembered per link.
  const dataSaverButton = button(
    { class: 'btn-round btn-saver', testid: 'data-saver', t: 'field.dataSaver', tAttrs: { title: 'field.dataSaverHint' } },
    () => {
      const on = !session.dataSaver;
      rememberSaver(on);
      dataSaverButton.disabled = true;
      session
        .setDataSaver(on)
        .catch((err: unknown) => log('video.setDataSaver | failed', { code: errorCode(err) }))
        .finally(() => (dataSaverButton.disabled = false));
    },
  );
  const profileBadge = el('span', { class: 'badge', testid: 'crew-profile', attrs: { hidden: true } });
  const positionStatus = el('span', { class: 'position-status', testid: 'position-status', attrs: { hidden: true } });
  const root = el('div', { class: 'crew-field' }, [link.el, profileBadge, positionStatus]);
  const offs: Array<() => void> = [];
  let reportedTrack: MediaStreamTrack | null = null;
  let positionTimer: ReturnType<typeof setInterval> | undefined;

  function reportCapabilities(force = false): void {
    const track = session.local.cameraTrack;
    if (!track || session.state !== 'connected' || (!force && track === reportedTrack)) return;
    reportedTrack = track;
    session
      .request('camera.capabilities', { capabilities: cameraCapabilities(track) })
      .catch((err: unknown) => log('camera.capabilities | failed', { code: errorCode(err) }));
  }

  function sharePosition(): void {
    if (!('geolocation' in navigator)) return;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        if (session.state !== 'connected') return;
        const report = {
          lat: pos.coords.latitude,
          lon: pos.coords.longitude,
          accuracy: pos.coords.accuracy,
          timestamp: Math.round(pos.timestamp),
        };
        session.request('position.report', report).then(
          () => {
            positionStatus.hidden = false;
            bindText(positionStatus, 'field.positionShared');
          },
          (err: unknown) => log('position.report | refused', { code: errorCode(err) }),
        );
      },
      () => {
        positionStatus.hidden = false;
        bindText(positionStatus, 'field.positionUnavailable');
      },
      // A fix up to 30 s old is fine once a minute, and saves the battery a GPS wake-up.
      { enableHighAccuracy: true, maximumAge: 30_000, timeout: 20_000 },
    );
  }

  offs.push(
    session.on('state', (state) => {
      if (state === 'connected') {
        // After every (re)join: the server forgets a rejoined phone's capabilities.
        reportCapabilities(true);
        keepSaverChoice();
        if (positionConsented()) {
          sharePosition();
          clearInterval(positionTimer);
          positionTimer = setInterval(sharePosition, POSITION_INTERVAL_MS);
        }
      } else if (isFinalSessionState(state)) {
        stop();
      }
    }),
    session.on('localMedia', () => reportCapabilities()),
    session.on('dataSaver', showDataSaver),
    session.onServer('camera.command', ({ command }) => {
      log('camera.command | from the surveyor', { type: command.type });
      applyCameraCommand(session, command).then(
        () => command.type === 'switchCamera' && reportCapabilities(true),
        (err: unknown) => log('camera.command | failed', { code: errorCode(err) }),
      );
    }),
    session.onServer('video.profile', ({ profile }) => {
      log('video.profile | from the surveyor', { profile });
      showProfile(profile);
      session.setVideoProfile(profile).catch((err: unknown) => log('video.profile | failed', { code: errorCode(err) }));
    }),
  );

  function showDataSaver(on: boolean): void {
    dataSaverButton.setAttribute('aria-pressed', String(on));
    dataSaverButton.classList.toggle('active', on);
    bindText(dataSaverButton, on ? 'field.dataSaverOn' : 'field.dataSaver');
  }

  /** A server that started this stay with the kind's default learns the crew's earlier choice. */
  function keepSaverChoice(): void {
    const remembered = rememberedSaver();
    if (remembered !== null && remembered !== session.dataSaver)
      session.setDataSaver(remembered).catch((err: unknown) => log('video.setDataSaver | failed', { code: errorCode(err) }));
  }

  function showProfile(profile: VideoProfile): void {
    profileBadge.hidden = profile === 'auto';
    profileBadge.dataset.profile = profile;
    bindText(profileBadge, 'field.crewProfile', { profile: profile });
  }

  function stop(): void {
    link.stop();
    clearInterval(positionTimer);
    for (const off of offs.splice(0)) off();
  }

  showDataSaver(session.dataSaver);
  if (session.state === 'connected') {
    reportCapabilities(true);
    keepSaverChoice();
    if (positionConsented()) {
      sharePosition();
      positionTimer = setInterval(sharePosition, POSITION_INTERVAL_MS);
    }
  }
  return { el: root, dataSaverButton, stop };
}
