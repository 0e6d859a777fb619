// The list of remote participants with their connection state, used by both pages.
//
// Each entry is `[data-testid=peer-state]` with `data-role` (surveyor, crew...), `data-state`
// (connected | reconnecting | gone) and `data-peer-id`, which is what browser tests look for.
import type { MessageKey } from '../i18n';
import type { RemotePeer, SessionState } from '../live-session';
import { el, replaceChildren } from './dom';

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
            data: { role: peer.role, state: peer.state, peerId: peer.id },
          },
          [
            el('span', { class: 'peer-dot', attrs: { 'aria-hidden': 'true' } }),
            el('span', { class: 'peer-role', t: roleKey(peer.role) }),
            el('span', { class: 'peer-name', text: peer.displayName }),
            el('span', { class: 'peer-status', t: `peerState.${peer.state}` }),
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
 * The session's connection state as a pill: `[data-testid=connection-state][data-state=...]`, the
 * session state. `data-link=stalled` while nothing arrives over the media (setLink, from the
 * session's 'link' event: a cut shows within ~2.5 s, long before the socket or ICE notice), and
 * `data-media-state=interrupted` while the media is cut that way or a transport is disconnected.
 */
export function createConnectionState() {
  const pill = el('span', { class: 'conn', testid: 'connection-state', attrs: { role: 'status' } });
  const media = { send: 'new', recv: 'new' } as Record<'send' | 'recv', string>;
  let state: SessionState = 'idle';
  let stalled = false;

  function paint(): void {
    // When signalling looks fine but the media is cut, say so: the picture freezes meanwhile.
    const linkDown = state === 'connected' && stalled;
    const transportDown =
      state === 'connected' && (['disconnected', 'failed'].includes(media.send) || ['disconnected', 'failed'].includes(media.recv));
    pill.dataset.state = state;
    pill.dataset.link = linkDown ? 'stalled' : 'ok';
    pill.dataset.mediaState = linkDown || transportDown ? 'interrupted' : 'ok';
    pill.className = `conn conn-${linkDown || transportDown ? 'reconnecting' : state}${linkDown ? ' conn-stalled' : ''}`;
    const key = linkDown ? 'live.linkStalled' : transportDown ? 'live.mediaRecovering' : (`state.${state}` as const);
    replaceChildren(pill, [el('span', { class: 'conn-dot' }), el('span', { t: key })]);
  }

  paint();
  return {
    el: pill,
    setState(next: SessionState) {
      state = next;
      if (next !== 'connected') {
        media.send = media.recv = 'new';
        stalled = false;
      }
      paint();
    },
    setTransport(direction: 'send' | 'recv', transportState: string) {
      media[direction] = transportState;
      paint();
    },
    /** Whether the media link is stalled (LiveSession 'link' event). */
    setLink(linkStalled: boolean) {
      stalled = linkStalled;
      paint();
    },
  };
}
