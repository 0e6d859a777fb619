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

/** The session's connection state as a pill: `[data-testid=connection-state][data-state=...]`. */
export function createConnectionState() {
  const pill = el('span', { class: 'conn', testid: 'connection-state', attrs: { role: 'status' } });
  const media = { send: 'new', recv: 'new' } as Record<'send' | 'recv', string>;
  let state: SessionState = 'idle';

  function paint(): void {
    // When signalling is fine but a transport is cut, say so: the picture freezes meanwhile.
    const mediaTrouble =
      state === 'connected' && (['disconnected', 'failed'].includes(media.send) || ['disconnected', 'failed'].includes(media.recv));
    pill.dataset.state = state;
    pill.dataset.mediaState = mediaTrouble ? 'interrupted' : 'ok';
    pill.className = `conn conn-${mediaTrouble ? 'reconnecting' : state}`;
    replaceChildren(pill, [el('span', { class: 'conn-dot' }), el('span', { t: mediaTrouble ? 'live.mediaRecovering' : `state.${state}` })]);
  }

  paint();
  return {
    el: pill,
    setState(next: SessionState) {
      state = next;
      if (next !== 'connected') media.send = media.recv = 'new';
      paint();
    },
    setTransport(direction: 'send' | 'recv', transportState: string) {
      media[direction] = transportState;
      paint();
    },
  };
}
