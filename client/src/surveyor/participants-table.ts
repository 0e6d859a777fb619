// The participants log of an inspection (who joined, from what, when, and why they left).
import type { ParticipantView } from '@cloudship/shared';
import { el, replaceChildren } from '../ui/dom';
import { roleKey } from '../ui/peer-list';

export function createParticipantsTable() {
  const body = el('tbody');
  const empty = el('p', { class: 'muted', t: 'participants.empty' });
  const table = el('table', { class: 'table', testid: 'participants' }, [
    el('thead', {}, [
      el('tr', {}, [
        el('th', { t: 'participants.role' }),
        el('th', { t: 'participants.name' }),
        el('th', { t: 'participants.device' }),
        el('th', { t: 'participants.joined' }),
        el('th', { t: 'participants.left' }),
        el('th', { t: 'participants.reason' }),
      ]),
    ]),
    body,
  ]);
  const section = el('section', { class: 'card' }, [
    el('h2', { t: 'participants.title' }),
    empty,
    el('div', { class: 'table-wrap' }, [table]),
  ]);

  function render(participants: ParticipantView[]): void {
    const sorted = [...participants].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
    empty.hidden = sorted.length > 0;
    table.hidden = sorted.length === 0;
    replaceChildren(
      body,
      sorted.map((p) =>
        el('tr', { testid: 'participant-row', data: { role: p.role, left: p.leftAt ? 'true' : 'false' } }, [
          el('td', { t: roleKey(p.role) }),
          el('td', { text: p.displayName }),
          el('td', { class: 'small', text: p.device }),
          el('td', { date: p.joinedAt }),
          el('td', { date: p.leftAt }),
          el('td', { class: 'small', text: p.leaveReason ?? '' }),
        ]),
      ),
    );
  }

  render([]);
  return { el: section, render };
}
