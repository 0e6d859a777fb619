// What happened while a recording ran, under the player: one lane per kind of mark (evidence,
// checklist verdicts, chat, GPS fixes, network, review comments) with a dot at each moment, and
// the list of events (joins and leaves, gaps, each crew consent once, every mark). A dot or an
// event's time seeks the player there; a click on a lane's empty stretch seeks to that moment.
import { TIMELINE_LANES, type RecordingTimelineView, type TimelineLane, type TimelineMarkView } from '@cloudship/shared';
import { formatDateTime, getLanguage, t } from '../i18n';
import { button, el } from '../ui/dom';
import { formatClock, lengthText } from '../review/time-format';

export interface TimelineLanes {
  el: HTMLElement;
  /** A mark made on this page (a review comment just pinned). */
  add(mark: TimelineMarkView): void;
  /** Moves the cursor to `ms` on the recording's clock. */
  cursor(ms: number): void;
}

/** A mark in words. */
export function markText(m: TimelineMarkView): string {
  switch (m.lane) {
    case 'evidence':
      return [t(`replay.mark.${m.kind as 'photo' | 'annotation' | 'document' | 'bookmark'}`, { who: m.who }), m.text]
        .filter(Boolean)
        .join(': ');
    case 'checklist':
      return t('replay.mark.checklist', {
        who: m.who,
        item: getLanguage() === 'zh-CN' && m.textZh ? m.textZh : m.text,
        result: t(`record.result.${m.kind as 'pass' | 'deficiency' | 'not-applicable'}`),
      });
    case 'chat':
      return m.kind === 'text'
        ? t('replay.chatText', { who: m.who, text: m.text })
        : `${t(`chat.kind.${m.kind as 'document'}`)}: ${m.text}`;
    case 'position':
      return t('replay.mark.position', {
        who: m.who,
        lat: m.lat?.toFixed(5) ?? '',
        lon: m.lon?.toFixed(5) ?? '',
        accuracy: Math.round(m.accuracy ?? 0),
      });
    case 'network':
      return t('replay.mark.network', { who: m.who, what: networkText(m) });
    case 'review':
      return t('replay.mark.review', { who: m.who, text: m.text });
  }
}

function networkText(m: TimelineMarkView): string {
  if (m.kind === 'connection-lost') return t('replay.connectionLost');
  if (m.kind === 'quality-dip') {
    const score = String(m.score ?? '');
    return m.untilAt
      ? t('replay.qualityDip', { score, length: lengthText(Date.parse(m.untilAt) - Date.parse(m.at)) })
      : t('replay.qualityDipOpen', { score });
  }
  return t(`replay.gapCause.${m.kind as 'network'}`);
}

export function createTimelineLanes(view: RecordingTimelineView, seek: (ms: number) => void): TimelineLanes {
  const t0 = Date.parse(view.startAt);
  const total = Math.max(1, Date.parse(view.endAt) - t0);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(3)}%`;
  const at = (iso: string) => Math.min(total, Math.max(0, Date.parse(iso) - t0));
  const rows = new Map<TimelineLane, HTMLElement>();
  const counts = new Map<TimelineLane, HTMLElement>();
  const cursors: HTMLElement[] = [];
  const grid = el('div', { class: 'replay-marks', testid: 'replay-lanes' });

  for (const lane of TIMELINE_LANES) {
    const row = el('div', { class: `replay-mark-lane lane-${lane}`, data: { lane } });
    // A click between the dots seeks to that moment of the recording.
    row.addEventListener('click', (e) => {
      if (e.target !== row) return;
      const box = row.getBoundingClientRect();
      seek(((e.clientX - box.left) / box.width) * total);
    });
    const cursor = el('span', { class: 'replay-cursor' });
    row.append(cursor);
    cursors.push(cursor);
    const count = el('span', { class: 'replay-mark-count', text: '0' });
    rows.set(lane, row);
    counts.set(lane, count);
    grid.append(
      el(
        'div',
        {
          class: 'replay-mark-label',
          attrs: lane === 'network' ? { title: t('replay.noNetworkData') } : {},
        },
        [el('span', { t: `replay.lane.${lane}` }), ' ', count],
      ),
      row,
    );
  }

  const events = el('ul', { class: 'replay-events', testid: 'replay-events' });
  const items: Array<{ at: number; node: HTMLElement }> = [];
  const event = (ms: number, kind: string, content: Array<Node | string>) => {
    const li = el('li', { class: `replay-event ${kind}`, data: { kind } }, [
      button({ kind: 'ghost', class: 'btn-small replay-event-time', text: formatClock(ms) }, () => seek(ms)),
      ' ',
      ...content,
    ]);
    items.push({ at: ms, node: li });
    return li;
  };

  function dot(m: TimelineMarkView): void {
    const ms = at(m.at);
    const text = markText(m);
    const b = el('button', {
      class: `replay-mark kind-${m.kind}`,
      testid: 'replay-mark',
      data: { lane: m.lane, kind: m.kind, at: String(Math.round(ms)) },
      attrs: { type: 'button', title: `${formatClock(ms)} · ${text}`, 'aria-label': `${formatClock(ms)} · ${text}` },
    });
    b.style.left = pct(ms);
    b.addEventListener('click', () => seek(ms));
    rows.get(m.lane)!.append(b);
    const count = counts.get(m.lane)!;
    count.textContent = String(Number(count.textContent) + 1);
  }

  function eventOf(m: TimelineMarkView): HTMLElement {
    const content: Array<Node | string> = [
      el('span', { class: `replay-event-lane lane-${m.lane}`, t: `replay.lane.${m.lane}` }),
      ' ',
      markText(m),
    ];
    if (m.ref && m.lane === 'evidence')
      content.push(
        ' ',
        el('a', {
          t: 'replay.mark.file',
          attrs: {
            href: `/api/inspections/${encodeURIComponent(view.inspection.id)}/evidence/${encodeURIComponent(m.ref)}/file`,
            target: '_blank',
            rel: 'noopener',
          },
        }),
      );
    return event(at(m.at), m.lane, content);
  }

  for (const p of view.participants) {
    event(at(p.joinedAt), 'join', [t('replay.joined', { name: p.displayName })]);
    if (p.leftAt) event(at(p.leftAt), 'leave', [t('replay.left', { name: p.displayName })]);
  }
  for (const g of view.gaps)
    event(at(g.from), 'gap', [
      t('replay.gapLine', {
        who: g.displayName,
        source: t(`recording.source.${g.source}`),
        length: lengthText(Date.parse(g.to) - Date.parse(g.from)),
        cause: t(`replay.gapCause.${g.cause}`),
      }),
    ]);
  for (const c of view.consents)
    event(at(c.consentedAt), 'consent', [t('replay.consentOf', { name: c.displayName, time: formatDateTime(c.consentedAt) })]);
  for (const m of view.marks) {
    dot(m);
    // The chat is listed from view.chat below (with the sender's role and the document's hash), and
    // the network's gaps with the other gaps (with their length): the lane's dot is enough here.
    if (m.lane !== 'chat' && !(m.lane === 'network' && m.kind !== 'connection-lost')) eventOf(m);
  }
  for (const m of view.chat) {
    const who = `${m.senderName} (${t(`replay.role.${m.senderRole}`)})`;
    const text =
      m.kind === 'text'
        ? t('replay.chatText', { who, text: m.text })
        : m.kind === 'document-request'
          ? t('replay.chatRequest', { who, title: m.text })
          : t('replay.chatDocument', { who, name: m.text, sha256: m.document?.sha256.slice(0, 16) ?? '' });
    event(at(m.sentAt), m.kind === 'text' ? 'chat' : 'document', [text]);
  }
  const paint = () => events.replaceChildren(...items.sort((a, b) => a.at - b.at).map((i) => i.node));
  paint();

  return {
    el: el('div', { class: 'replay-what' }, [el('h2', { t: 'replay.lanes' }), grid, el('h2', { t: 'replay.events' }), events]),
    add(m) {
      dot(m);
      eventOf(m);
      paint();
    },
    cursor(ms) {
      for (const c of cursors) c.style.left = pct(ms);
    },
  };
}
