// The list of remote participants with their connection state, used by both pages.
//
// Each entry is `[data-testid=peer-state]` with `data-role` (surveyor, crew...), `data-state`
// (connected | reconnecting | gone) and `data-peer-id`, which is what browser tests look for.
import type { RemotePeer, SessionState } from '../live-session';
import type { MessageKey } from '../i18n';
import { el, replaceChildren, setShown } from './dom';

export function roleKey(role: string): MessageKey {
  switch (role) {
    case 'admin':
    case 'surveyor':
    case 'auditor':
    case 'crew':
      return `role.${role}`;
    default:
      return 'role.unknown';
  }
}

export function createPeerList(emptyKey: MessageKey | null) {
  const list = el('ul', { class: 'peer-list', testid: 'peer-list' });

  function render(peers: RemotePeer[]): void {
    if (peers.length === 0) {
      replaceChildren(list, [emptyKey && el('li', { class: 'peer-empty', t: emptyKey })]);
      return;
    }
    // Current participants first, those who left last.
    const sorted = [...peers].sort((a, b) => Number(a.state === 'gone') - Number(b.state === 'gone'));
    replaceChildren(
      list,
      sorted.map((peer) =>
        el(
          'li',
          {
            class: `peer peer-${peer.state}`,
            testid: 'peer-state',
            data: { role: peer.role, state: peer.state, peerId: peer.id, media: peer.noMedia ? 'none' : 'ok' },
          },
          [
            el('span', { class: 'peer-dot', attrs: { 'aria-hidden': 'true' } }),
            el('span', { class: 'peer-role', t: roleKey(peer.role) }),
            el('span', { class: 'peer-name', text: peer.displayName }),
            el('span', { class: 'peer-status', t: peer.noMedia ? 'peerState.noMedia' : `peerState.${peer.state}` }),
            peer.audio === 'paused' && el('span', { class: 'badge badge-muted', t: 'live.muted' }),
          ],
        ),
      ),
    );
  }

  render([]);
  return { el: list, render };
}

/**
 * A media transport still trying this long after it started is "no media connection". A healthy
 * mobile link connects in 1-3 s; the first transport starts about a second after the join, so the
 * phone says it within 10 s of joining.
 */
export const NO_MEDIA_AFTER_MS = 8_000;

/**
 * The session's connection state as a pill: `[data-testid=connection-state][data-state=...]`, the
 * session state. `data-link=stalled` while nothing arrives over the media (setLink, from the
 * session's 'link' event: a cut shows within ~2.5 s, long before the socket or ICE notice), and
 * `data-media-state=interrupted` while the media is cut that way or a transport is disconnected.
 *
 * "Connected" means the media flows, not only the socket: until a media transport has connected in
 * this join, the pill says "Connecting media…" (`data-media-state=connecting`), and when one has
 * been trying for NO_MEDIA_AFTER_MS, "No media connection" (`none`) with a hint (`hint`, placed by
 * the page):
 * a network that lets the page load but blocks the media (UDP and the media port blocked, no TURN)
 * otherwise showed "Connected" for as long as one cared to look.
 */
export function createConnectionState() {
  const pill = el('span', { class: 'conn', testid: 'connection-state', attrs: { role: 'status' } });
  const hint = el('p', { class: 'message message-error media-hint', t: 'live.noMediaHint', attrs: { role: 'alert' } });
  const media = { send: 'new', recv: 'new' } as Record<'send' | 'recv', string>;
  const everConnected = { send: false, recv: false };
  let state: SessionState = 'idle';
  let stalled = false;
  /** Runs while a never-connected transport tries; `gaveUp` once it has tried NO_MEDIA_AFTER_MS. */
  let waitTimer: ReturnType<typeof setTimeout> | null = null;
  let gaveUp = false;

  /** A transport that is trying (or gave up) without ever having connected in this session. */
  function neverConnected(): boolean {
    return (['send', 'recv'] as const).some((d) => !everConnected[d] && ['connecting', 'failed', 'disconnected'].includes(media[d]));
  }

  /** Whether a never-connected transport is trying (starting its timer on the first call). */
  function watchWaiting(): boolean {
    if (!(state === 'connected' && neverConnected())) {
      if (waitTimer) clearTimeout(waitTimer);
      waitTimer = null;
      gaveUp = false;
      return false;
    }
    if (!waitTimer && !gaveUp) {
      waitTimer = setTimeout(() => {
        waitTimer = null;
        gaveUp = true;
        paint();
      }, NO_MEDIA_AFTER_MS);
    }
    return true;
  }

  function paint(): void {
    const waiting = watchWaiting();
    // When signalling looks fine but the media is cut, say so: the picture freezes meanwhile.
    const linkDown = state === 'connected' && stalled;
    const transportDown =
      state === 'connected' && (['disconnected', 'failed'].includes(media.send) || ['disconnected', 'failed'].includes(media.recv));
    const noMedia = waiting && gaveUp;
    // Joined, but no media transport has connected yet (none may have started): not "Connected".
    const notYet = state === 'connected' && !everConnected.send && !everConnected.recv;
    const mediaState = waiting
      ? noMedia
        ? 'none'
        : 'connecting'
      : notYet
        ? 'connecting'
        : linkDown || transportDown
          ? 'interrupted'
          : 'ok';
    pill.dataset.state = state;
    pill.dataset.link = linkDown ? 'stalled' : 'ok';
    pill.dataset.mediaState = mediaState;
    pill.className = `conn conn-${mediaState === 'ok' ? state : 'reconnecting'}${linkDown || noMedia ? ' conn-stalled' : ''}`;
    const key =
      mediaState === 'none'
        ? 'live.noMediaConnection'
        : mediaState === 'connecting'
          ? 'live.mediaConnecting'
          : linkDown
            ? 'live.linkStalled'
            : transportDown
              ? 'live.mediaRecovering'
              : (`state.${state}` as const);
    replaceChildren(pill, [el('span', { class: 'conn-dot' }), el('span', { t: key })]);
    setShown(hint, 'media-hint', noMedia);
  }

  paint();
  return {
    el: pill,
    /** "Try Wi-Fi or mobile data": shown while there is no media connection. */
    hint,
    setState(next: SessionState) {
      state = next;
      if (next !== 'connected') {
        // A new join brings new transports: each has to connect again before "Connected".
        media.send = media.recv = 'new';
        everConnected.send = everConnected.recv = false;
        stalled = false;
      }
      paint();
    },
    setTransport(direction: 'send' | 'recv', transportState: string) {
      media[direction] = transportState;
      if (transportState === 'connected') everConnected[direction] = true;
      paint();
    },
    /** Whether the media link is stalled (LiveSession 'link' event). */
    setLink(linkStalled: boolean) {
      stalled = linkStalled;
      paint();
    },
  };
}
