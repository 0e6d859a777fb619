// The crew's live screen: full-screen camera preview, big buttons, connection and surveyor state.
import { errorCode } from '../api';
import type { ClientErrorCode } from '../error-codes';
import { bindText, languageButton } from '../i18n';
import { isFinalSessionState, type LiveSession, type RemotePeer, type SessionState } from '../live-session';
import { button, el, messageBox, setShown } from '../ui/dom';
import { createConnectionState, createPeerList } from '../ui/peer-list';
import { mountFieldControls } from './field-controls';
import { recordingIndicator } from '../ui/recording-indicator';
import { mountCrewGuideLayer } from '../guide/crew-guide-layer';
import { chatApi } from '../chat/chat-api';
import { mountChat } from '../chat/chat-panel';

/** Keep the phone screen on while filming (where the Wake Lock API exists). */
function keepScreenOn(): () => void {
  let lock: WakeLockSentinel | null = null;
  let released = false;
  const acquire = () => {
    if (released || document.visibilityState !== 'visible' || !('wakeLock' in navigator)) return;
    navigator.wakeLock.request('screen').then(
      (sentinel) => (released ? void sentinel.release() : (lock = sentinel)),
      () => undefined, // refused (battery saver): the screen may dim, nothing else breaks
    );
  };
  // The lock is dropped whenever the page is hidden; take it again when it comes back.
  document.addEventListener('visibilitychange', acquire);
  acquire();
  return () => {
    released = true;
    document.removeEventListener('visibilitychange', acquire);
    void lock?.release().catch(() => undefined);
  };
}

export function mountLiveView(root: HTMLElement, session: LiveSession, token: string, onFatal: (code: ClientErrorCode) => void): void {
  const conn = createConnectionState();
  const peers = createPeerList(null);
  const warning = messageBox('crew-warning');
  // Link quality, data used, camera control, video profile and position.
  const fieldControls = mountFieldControls(session);

  // Our own camera. Not mirrored for the rear camera (what you see is what the surveyor sees);
  // mirrored for the front one, as every camera app does.
  const preview = el('video', { class: 'crew-preview', testid: 'local-video' });
  preview.muted = true;
  preview.playsInline = true;
  preview.autoplay = true;
  const pip = el('div', { class: 'crew-pip', attrs: { hidden: true } });
  const waiting = el('p', { class: 'crew-waiting', t: 'crew.waitingSurveyor' });
  const guideHost = el('div', { class: 'crew-guide', testid: 'crew-guide' });

  const switchButton = button({ class: 'btn-round', testid: 'switch-camera', t: 'crew.switchCamera' }, async () => {
    switchButton.disabled = true;
    await session.switchCamera().catch(warn);
    switchButton.disabled = false;
  });
  const muteButton = button({ class: 'btn-round', testid: 'mute', t: 'crew.mute' }, () => {
    void session.setMuted(!session.local.muted).catch(warn);
  });
  const soundButton = button({ kind: 'primary', class: 'btn-large', t: 'live.enableSound' }, () => {
    session.resumeAudio();
    setShown(soundButton, 'enable-sound', false);
  });
  setShown(soundButton, 'enable-sound', false);

  const endedPanel = el('div', { class: 'crew-ended', attrs: { hidden: true } }, [
    el('h1', { t: 'crew.ended' }),
    el('p', { t: 'crew.endedHint' }),
  ]);

  // The chat: one button in the status bar (with the unread count), a sheet over the camera view.
  const chatSlot = el('span', { class: 'chat-slot', testid: 'chat-slot' });
  const chatSheet = el('div', { class: 'chat-sheet-host' });

  const view = el('main', { class: 'crew-live', testid: 'crew-live' }, [
    preview,
    // The surveyor's pointer and frozen, annotated still, over the camera view.
    guideHost,
    // One compact status bar, every badge in the flow of one row (they shrink and clip, never
    // overlap or wrap into stacks): connection, recording, link and data, profile, position, the
    // language switch and the chat button's slot. The surveyor's name and "waiting" go below it.
    el('div', { class: 'crew-top' }, [
      el('div', { class: 'crew-status', testid: 'crew-status' }, [
        conn.el,
        recordingIndicator(session, false).el,
        fieldControls.el,
        chatSlot,
        languageButton(),
      ]),
      el('div', { class: 'crew-overlay-peers' }, [peers.el, waiting]),
    ]),
    pip,
    el('div', { class: 'crew-overlay-bottom' }, [
      conn.hint,
      warning.el,
      soundButton,
      el('div', { class: 'crew-controls' }, [switchButton, muteButton, fieldControls.dataSaverButton]),
    ]),
    chatSheet,
    endedPanel,
  ]);

  function warn(err: unknown): void {
    warning.showError(errorCode(err));
    setTimeout(() => warning.show(null), 6_000);
  }

  function paintLocal(): void {
    const { cameraTrack, facingMode, muted, microphone } = session.local;
    const shown = (preview.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null;
    if (cameraTrack !== shown) preview.srcObject = cameraTrack ? new MediaStream([cameraTrack]) : null;
    preview.classList.toggle('mirrored', facingMode === 'user');
    switchButton.hidden = !cameraTrack;
    muteButton.disabled = !microphone;
    muteButton.setAttribute('aria-pressed', String(muted));
    muteButton.classList.toggle('active', muted);
    bindText(muteButton, muted ? 'crew.unmute' : 'crew.mute');
  }

  function paintPeers(list: RemotePeer[]): void {
    peers.render(list);
    waiting.hidden = list.some((p) => p.role !== 'crew' && p.state !== 'gone');
    // The surveyor's camera, when on, as a small picture-in-picture.
    const video = list.map((p) => session.remoteElement(p.id, 'camera')).find((v): v is HTMLMediaElement => v !== null) ?? null;
    if (video && video.parentElement !== pip) pip.replaceChildren(video);
    if (!video) pip.replaceChildren();
    pip.hidden = !video;
  }

  const releaseWakeLock = keepScreenOn();

  function onState(state: SessionState, code?: ClientErrorCode): void {
    conn.setState(state);
    if (state === 'ended') {
      // The session has already released camera and microphone; clear the frozen last frame.
      preview.srcObject = null;
      setShown(endedPanel, 'ended', true);
      releaseWakeLock();
    } else if (state === 'failed') {
      releaseWakeLock();
      onFatal(code ?? 'DISCONNECTED');
    }
  }

  session.on('state', (state, { code }) => onState(state, code));
  session.on('peers', paintPeers);
  session.on('remoteMedia', () => paintPeers(session.peers));
  session.on('localMedia', paintLocal);
  session.on('transport', ({ direction, state }) => conn.setTransport(direction, state));
  session.on('link', ({ stalled }) => conn.setLink(stalled));
  session.on('autoplayBlocked', () => setShown(soundButton, 'enable-sound', true));
  session.on('warning', ({ code }) => warn({ code }));

  root.replaceChildren(view);
  const removeGuide = mountCrewGuideLayer(guideHost, session, token, preview);
  const chat = mountChat(chatSlot, chatSheet, {
    side: 'crew',
    session,
    history: async () => (await chatApi.crewHistory(token)).messages,
    sendDocument: async (file, requestId, progress) => (await chatApi.uploadDocument(token, file, requestId, progress)).message,
  });
  session.on('state', (state) => {
    if (!isFinalSessionState(state)) return;
    removeGuide();
    chat.dispose();
  });
  paintLocal();
  paintPeers(session.peers);
  // The session may have changed state before this view existed (a refusal during the consent step).
  onState(session.state, session.failureCode);
  conn.setLink(session.linkStalled);
  // Transports whose state changed before this view existed.
  const transports = session.mediaTransports();
  for (const direction of ['send', 'recv'] as const) {
    const transport = transports[direction];
    if (transport && !transport.closed) conn.setTransport(direction, transport.connectionState);
  }
}
