// The surveyor's live session: the crew camera on a large stage, the people in the room, and the
// surveyor's own controls (microphone on by default, camera optional and off by default).
import { isClosed } from '@cloudship/shared';
import type { InspectionView } from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText, errorMessage } from '../i18n';
import { isFinalSessionState, LiveSession, type SessionState } from '../live-session';
import { exposeSession } from '../test-hooks';
import { button, el, messageBox, setShown } from '../ui/dom';
import { createConnectionState, createPeerList } from '../ui/peer-list';
import { createFieldPanel } from './field-panel';
import { recordingIndicator } from '../ui/recording-indicator';
import { mountGuideStage } from '../guide/guide-stage';
import { chatApi } from '../chat/chat-api';
import { mountChat } from '../chat/chat-panel';
import type { EvidenceView } from '@cloudship/shared';
import type { ClientErrorCode } from '../error-codes';

export interface LivePanel {
  el: HTMLElement;
  /** Open an HD still of the gallery on the stage, to draw on it and show it to the crew. */
  annotate(evidence: EvidenceView): void;
  /** The session when joined (for "end inspection" over the socket). */
  session(): LiveSession | null;
  /** The inspection ended (by us or anyone): release everything and disable joining. */
  setEnded(): void;
  dispose(): void;
}

export interface LivePanelEvents {
  onEnded(): void;
  onPeersChanged(): void;
  onUnauthenticated(): void;
  /** A session started (or was released: null); the inspection record listens to it. */
  onSession?(session: LiveSession | null): void;
  /** The workspace layout follows this: true while a session is joined. */
  onLive?(live: boolean): void;
  /** The record's "capture HD still" (the stage's button and the C key). */
  capture(): void;
  /** The checklist item a frozen frame and an annotated still are attached to. */
  currentItemId(): string | null;
}

/** Keys of the workspace (shown in the shortcuts help); ignored while typing in a field. */
const SHORTCUTS: Record<string, 'capture' | 'freeze' | 'mute' | 'fullscreen'> = { c: 'capture', f: 'freeze', m: 'mute', p: 'fullscreen' };

export function createLivePanel(inspection: InspectionView, displayName: string, events: LivePanelEvents): LivePanel {
  let session: LiveSession | null = null;
  let ended = isClosed(inspection.status);
  const unsubscribe: Array<() => void> = [];

  const conn = createConnectionState();
  const peers = createPeerList('live.noPeers');
  const error = messageBox('live-error');
  const warning = messageBox('live-warning', 'info');
  // Stays until the session ends: the surveyor should know the picture now comes from another phone.
  const deviceChanged = messageBox('live-device-changed', 'info');
  const audioContainer = el('div', { attrs: { hidden: true }, testid: 'remote-audio-container' });
  // Crew position, camera control, video profile, link quality.
  const fieldPanel = createFieldPanel(inspection);

  const placeholder = el('div', { class: 'stage-placeholder', t: 'live.waitingCrew' });
  const pausedOverlay = el('div', { class: 'stage-overlay', t: 'live.videoPaused', attrs: { hidden: true } });
  // Over the video: the pointer / drawing layer, status badges on top, capture and camera controls below.
  const guideHost = el('div', { class: 'guide-host' });
  const badges = el('div', { class: 'stage-badges', testid: 'stage-badges' }, [
    conn.el,
    fieldPanel.quality,
    fieldPanel.crewData,
    fieldPanel.positionBadge,
  ]);
  const freezeButton = button({ class: 'btn-small', testid: 'guide-freeze', t: 'guide.freeze' }, () => void toggleFreeze());
  const stageCapture = button({ class: 'btn-small', testid: 'stage-capture', t: 'guide.capture' }, () => events.capture());
  const fullscreenButton = button({ class: 'btn-small', testid: 'stage-fullscreen', t: 'guide.fullscreen' }, () => void toggleFullscreen());
  const help = el('span', {
    class: 'badge stage-help',
    testid: 'shortcuts-help',
    t: 'guide.shortcuts',
    tAttrs: { title: 'guide.shortcutsHelp' },
  });
  const chatSlot = el('span', { class: 'chat-slot', testid: 'chat-slot' });
  const chatHost = el('div', { class: 'chat-host' });
  const stageTools = el('div', { class: 'stage-tools', testid: 'stage-tools' }, [
    stageCapture,
    freezeButton,
    fieldPanel.cameraControls,
    fieldPanel.profileField,
    fullscreenButton,
    help,
    // The chat button (the panel is docked beside the stage, under the people in the room).
    chatSlot,
  ]);
  const stage = el('div', { class: 'stage', testid: 'crew-video-area' }, [placeholder, pausedOverlay, guideHost, badges, stageTools]);
  const guide = mountGuideStage(guideHost, {
    inspectionId: inspection.id,
    stage,
    video: () => stage.querySelector('video'),
    session: () => session,
    currentItemId: () => events.currentItemId(),
    onError: (code: ClientErrorCode) => warn({ code }),
  });
  const tiles = el('div', { class: 'tiles' });
  const selfView = el('video', { class: 'self-view mirrored', attrs: { hidden: true } });
  selfView.muted = true;
  selfView.playsInline = true;
  selfView.autoplay = true;

  const joinButton = button({ kind: 'primary', testid: 'join-live', t: 'live.join' }, () => void join());
  const muteButton = button({ testid: 'mute', t: 'live.mute' }, () => {
    if (session) void session.setMuted(!session.local.muted).catch(warn);
  });
  const cameraButton = button({ testid: 'toggle-camera', t: 'live.cameraOn' }, () => void toggleCamera());
  const leaveButton = button({ kind: 'ghost', testid: 'leave-live', t: 'live.leave' }, () => void session?.leave());
  const soundButton = button({ kind: 'primary', t: 'live.enableSound' }, () => {
    session?.resumeAudio();
    setShown(soundButton, 'enable-sound', false);
  });
  setShown(soundButton, 'enable-sound', false);
  const controls = el('div', { class: 'button-row' }, [muteButton, cameraButton, leaveButton, soundButton]);

  const panel = el('section', { class: 'card live', testid: 'live-panel' }, [
    el('div', { class: 'card-head' }, [el('h2', { t: 'live.title' })]),
    el('div', { class: 'live-grid' }, [
      stage,
      el('aside', { class: 'live-side' }, [el('h3', { t: 'live.peers' }), peers.el, tiles, selfView, fieldPanel.el]),
      chatHost,
    ]),
    el('div', { class: 'live-actions' }, [joinButton, controls]),
    conn.hint,
    error.el,
    warning.el,
    deviceChanged.el,
    audioContainer,
  ]);

  function warn(err: unknown): void {
    warning.showError(errorCode(err));
    setTimeout(() => warning.show(null), 6_000);
  }

  async function toggleFreeze(): Promise<void> {
    if (guide.frozen()) guide.release();
    else await guide.freeze();
  }

  async function toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await stage.requestFullscreen().catch(warn);
  }

  function onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (!session || event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, select, textarea, [contenteditable]')) return;
    const action = SHORTCUTS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    if (action === 'capture') events.capture();
    else if (action === 'freeze') void toggleFreeze();
    else if (action === 'mute') muteButton.click();
    else void toggleFullscreen();
  }
  document.addEventListener('keydown', onKey);

  function paintControls(state: SessionState): void {
    const inSession = session !== null && !isFinalSessionState(state);
    events.onLive?.(inSession);
    stageTools.hidden = !inSession;
    joinButton.hidden = inSession;
    joinButton.disabled = ended;
    controls.hidden = !inSession;
    const local = session?.local;
    bindText(muteButton, local?.muted ? 'live.unmute' : 'live.mute');
    muteButton.setAttribute('aria-pressed', String(Boolean(local?.muted)));
    muteButton.disabled = !local?.microphone;
    bindText(cameraButton, local?.cameraTrack ? 'live.cameraOff' : 'live.cameraOn');
    setShown(selfView, 'local-video', Boolean(local?.cameraTrack));
    const track = local?.cameraTrack ?? null;
    const current = (selfView.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null;
    if (track !== current) selfView.srcObject = track ? new MediaStream([track]) : null;
  }

  /** The crew camera takes the stage; any other remote video becomes a small tile. */
  function layout(): void {
    if (!session) return;
    const list = session.peers;
    const crew = list.find((p) => p.role === 'crew' && p.state !== 'gone' && session?.remoteElement(p.id, 'camera'));
    const stageVideo = crew ? session.remoteElement(crew.id, 'camera') : null;
    for (const video of stage.querySelectorAll('video')) if (video !== stageVideo) video.remove();
    if (stageVideo && stageVideo.parentElement !== stage) stage.prepend(stageVideo);
    placeholder.hidden = Boolean(stageVideo);
    pausedOverlay.hidden = !(crew && crew.video === 'paused');
    const others = list
      .filter((p) => p !== crew)
      .map((p) => {
        const video = session?.remoteElement(p.id, 'camera') ?? null;
        if (video) video.dataset.role = p.role;
        return video;
      })
      .filter((v): v is HTMLMediaElement => v !== null);
    if (stageVideo && crew) stageVideo.dataset.role = crew.role;
    for (const video of tiles.querySelectorAll('video')) if (!others.includes(video)) video.remove();
    for (const video of others) if (video.parentElement !== tiles) tiles.appendChild(video);
  }

  async function toggleCamera(): Promise<void> {
    if (!session) return;
    cameraButton.disabled = true;
    try {
      if (session.local.cameraTrack) await session.stopCamera();
      else await session.produceCamera({ facingMode: 'user' });
    } catch (err) {
      warn(err);
    } finally {
      cameraButton.disabled = false;
    }
  }

  async function join(): Promise<void> {
    if (session || ended) return;
    error.show(null);
    joinButton.disabled = true;
    const live = new LiveSession({ auth: { inspectionId: inspection.id }, withCredentials: true, displayName, audioContainer });
    session = live;
    exposeSession(live);
    unsubscribe.push(fieldPanel.bind(live));
    // Recording indicator and switch, next to the live controls.
    const rec = recordingIndicator(live, true);
    badges.insertBefore(rec.el, fieldPanel.quality);
    unsubscribe.push(() => {
      rec.dispose();
      rec.el.remove();
    });
    events.onSession?.(live);
    // The chat with the crew: its button (with the unread count) docks it beside the stage. Closed
    // at first, so that the video keeps its width until the surveyor wants the chat.
    const chat = mountChat(chatSlot, chatHost, {
      side: 'staff',
      session: live,
      history: async () => (await chatApi.staffHistory(inspection.id)).messages,
      fileUrl: (evidenceId) => chatApi.fileUrl(inspection.id, evidenceId),
    });
    unsubscribe.push(() => chat.dispose());
    unsubscribe.push(
      live.on('state', (state, { code }) => {
        conn.setState(state);
        if (state === 'failed') {
          if (code === 'UNAUTHENTICATED') events.onUnauthenticated();
          if (code) error.showError(code);
        }
        if (state === 'ended') events.onEnded();
        if (isFinalSessionState(state)) release();
        paintControls(state);
      }),
      live.on('peers', (list) => {
        peers.render(list);
        layout();
        events.onPeersChanged();
      }),
      live.on('remoteMedia', () => layout()),
      live.on('localMedia', () => paintControls(live.state)),
      live.on('transport', ({ direction, state }) => conn.setTransport(direction, state)),
      live.on('link', ({ stalled }) => conn.setLink(stalled)),
      live.on('autoplayBlocked', () => setShown(soundButton, 'enable-sound', true)),
      live.on('warning', ({ code }) => warn({ code })),
      live.on('deviceChanged', ({ peerId, device }) => {
        const name = live.peers.find((p) => p.id === peerId)?.displayName ?? '';
        deviceChanged.show('live.deviceChanged', { name, device });
      }),
    );
    // The microphone is captured while the join runs (both take a few hundred ms); the publisher
    // produces it on whichever comes second. Without a microphone the surveyor can still watch.
    live.produceMicrophone().catch((err: unknown) => {
      warning.show('live.micMissing', { reason: errorMessage(errorCode(err)) });
    });
    await live.start().catch(() => undefined); // failures arrive as 'state' events
  }

  /** Forget the session (its own state is final); the join button can start a new one. */
  function release(): void {
    for (const off of unsubscribe.splice(0)) off();
    session = null;
    guide.release();
    deviceChanged.show(null);
    events.onSession?.(null);
    peers.render([]);
    setShown(soundButton, 'enable-sound', false);
    for (const video of panel.querySelectorAll('.stage video, .tiles video')) video.remove();
    placeholder.hidden = false;
    pausedOverlay.hidden = true;
    joinButton.disabled = ended;
  }

  paintControls('idle');
  return {
    el: panel,
    annotate: (evidence) => void guide.annotate(evidence),
    session: () => session,
    setEnded() {
      ended = true;
      session?.close();
      joinButton.disabled = true;
      paintControls('ended');
    },
    dispose() {
      session?.close();
      release();
      guide.dispose();
      document.removeEventListener('keydown', onKey);
      exposeSession(null);
    },
  };
}
