// The surveyor's side of the field features: the crew's position next to the declared
// place (with a warning beyond POSITION_WARN_KM), the crew camera's controls (torch and zoom only
// when the phone reports them; camera switch), the video profile, and the link quality.
import type { CameraCapabilities, InspectionView, PositionEvent, VideoProfile } from '@cloudship/shared';
import { VIDEO_PROFILES } from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText } from '../i18n';
import { createLinkIndicator, formatBitrate, formatBytes } from '../link-indicator';
import type { LiveSession } from '../live-session';
import { button, el, messageBox, setShown } from '../ui/dom';
import { icon } from '../ui/icons';
import '../field.css';

export function createFieldPanel(inspection: InspectionView) {
  const quality = el('div', { class: 'field-quality' });
  const positionText = el('p', { class: 'position-fix', testid: 'crew-position', t: 'field.position.none' });
  const distanceText = el('p', { class: 'muted', testid: 'position-distance', attrs: { hidden: true } });
  const warning = el('p', { class: 'banner banner-warning', attrs: { hidden: true } });
  const declared = el('p', { class: 'muted', t: 'field.position.declared', tArgs: { place: inspection.place } });

  let crewId: string | null = null;
  let torchOn = false;
  /** Crew phones' data savers by peer id (may come before the peer list), and the crew's last data count. */
  const savers = new Map<string, boolean>();
  let crewCount: { bytes: number; bitrate: number } | null = null;
  const error = messageBox('field-error');
  const torch = button({ testid: 'camera-torch', t: 'field.camera.torchOn' }, () => void command({ type: 'torch', on: !torchOn }));
  const zoom = el('input', { class: 'zoom', attrs: { type: 'range', 'aria-label': 'zoom' } });
  const zoomLabel = el('label', { class: 'field' }, [el('span', { t: 'field.camera.zoom' }), zoom]);
  const switchButton = button({ testid: 'camera-switch', t: 'field.camera.switch' }, () => void command({ type: 'switchCamera' }));
  const profile = el(
    'select',
    { testid: 'video-profile', attrs: { 'aria-label': 'profile' } },
    VIDEO_PROFILES.map((p) => el('option', { t: `field.profile.${p}`, attrs: { value: p } })),
  );
  const controls = el('div', { class: 'button-row camera-controls', testid: 'camera-controls', data: { reported: 'false' } }, [
    torch,
    zoomLabel,
    switchButton,
  ]);

  const profileField = el('label', { class: 'field field-inline' }, [el('span', { t: 'field.profile.label' }), profile]);
  // A compact copy of the position for the workspace's badges (the full text stays in the panel).
  const positionBadgeText = el('span');
  const positionBadge = el('span', { class: 'badge stage-position', testid: 'position-badge', attrs: { hidden: true } }, [
    icon('pin'),
    positionBadgeText,
  ]);
  // The crew's mobile data as the server counts it (field/crew-data.ts), next to the picture.
  const crewData = el('span', { class: 'stage-data', attrs: { hidden: true } });
  const root = el('section', { class: 'field-panel' }, [
    el('h3', { t: 'field.position.title' }),
    positionText,
    distanceText,
    declared,
    warning,
    error.el,
  ]);

  let session: LiveSession | null = null;

  function showCapabilities(caps: CameraCapabilities | null): void {
    controls.dataset.reported = String(caps !== null);
    // Controls exist only for what the phone's camera reports (getCapabilities()).
    setShown(torch, 'camera-torch', Boolean(caps?.torch));
    setShown(zoomLabel, 'camera-zoom', Boolean(caps?.zoom));
    if (caps?.zoom) {
      zoom.min = String(caps.zoom.min);
      zoom.max = String(caps.zoom.max);
      zoom.step = String(caps.zoom.step || 0.1);
    }
    setShown(switchButton, 'camera-switch', crewId !== null);
  }

  function showCrewData(): void {
    const crewSaver = crewId !== null && savers.get(crewId) === true;
    crewData.dataset.saver = String(crewSaver);
    if (!crewCount) return;
    setShown(crewData, 'crew-data', true);
    crewData.dataset.bytes = String(crewCount.bytes);
    crewData.dataset.bitrate = String(crewCount.bitrate);
    const args = { amount: formatBytes(crewCount.bytes), rate: formatBitrate(crewCount.bitrate) };
    bindText(crewData, crewSaver ? 'field.crewDataSaver' : 'field.crewData', args);
  }

  function showPosition(p: PositionEvent): void {
    bindText(positionText, 'field.position.fix', {
      lat: p.lat.toFixed(5),
      lon: p.lon.toFixed(5),
      accuracy: Math.round(p.accuracy),
      time: new Date(p.capturedAt).toLocaleTimeString(),
    });
    positionBadge.hidden = false;
    positionBadge.classList.toggle('badge-warn', p.warn);
    bindText(positionBadgeText, 'field.position.badge', { km: p.distanceKm ?? '—' });
    positionText.dataset.lat = String(p.lat);
    positionText.dataset.lon = String(p.lon);
    distanceText.hidden = p.distanceKm === null;
    if (p.distanceKm !== null) bindText(distanceText, 'field.position.distance', { km: p.distanceKm });
    setShown(warning, 'position-warning', p.warn);
    if (p.warn) bindText(warning, 'field.position.warn', { km: p.distanceKm ?? 0, limit: p.warnKm, place: inspection.place });
  }

  async function command(cmd: Parameters<typeof sendCommand>[0]): Promise<void> {
    await sendCommand(cmd).catch((err: unknown) => error.showError(errorCode(err)));
  }

  async function sendCommand(
    cmd: { type: 'torch'; on: boolean } | { type: 'zoom'; value: number } | { type: 'switchCamera' },
  ): Promise<void> {
    if (!session || !crewId) return;
    error.show(null);
    await session.request('camera.control', { peerId: crewId, command: cmd });
    if (cmd.type === 'torch') {
      torchOn = cmd.on;
      bindText(torch, torchOn ? 'field.camera.torchOff' : 'field.camera.torchOn');
    }
  }

  zoom.addEventListener('change', () => void command({ type: 'zoom', value: Number(zoom.value) }));
  profile.addEventListener('change', () => {
    if (!session || !crewId) return;
    session
      .request('video.setProfile', { peerId: crewId, profile: profile.value as VideoProfile })
      .catch((err: unknown) => error.showError(errorCode(err)));
  });

  showCapabilities(null);

  return {
    el: root,
    /** Placed by the workspace: link quality with the badges, camera controls and profile on the video. */
    quality,
    positionBadge,
    crewData,
    cameraControls: controls,
    profileField,
    /** Follow a live session; returns the function that stops following it. */
    bind(live: LiveSession): () => void {
      session = live;
      const link = createLinkIndicator(live, { showData: false });
      quality.replaceChildren(link.el);
      const offs = [
        live.on('peers', (peers) => {
          const crew = peers.find((p) => p.role === 'crew' && p.state !== 'gone') ?? null;
          if ((crew?.id ?? null) !== crewId) {
            crewId = crew?.id ?? null;
            showCapabilities(null);
            // Another phone (or none): its count comes with the next 'peer.data'.
            crewCount = null;
            setShown(crewData, 'crew-data', false);
          }
          profile.disabled = crewId === null;
        }),
        live.onServer('position.update', showPosition),
        live.onServer('camera.capabilities', ({ peerId, capabilities }) => {
          crewId = peerId;
          showCapabilities(capabilities);
        }),
        live.onServer('video.profile', ({ peerId, profile: p }) => {
          if (peerId === crewId) profile.value = p;
        }),
        live.onServer('peer.data', ({ peerId, bytes, bitrate }) => {
          if (peerId !== crewId) return;
          crewCount = { bytes, bitrate };
          showCrewData();
        }),
        live.onServer('video.dataSaver', ({ peerId, on }) => {
          savers.set(peerId, on);
          showCrewData();
        }),
      ];
      return () => {
        setShown(crewData, 'crew-data', false);
        link.stop();
        for (const off of offs) off();
        session = null;
      };
    },
  };
}
