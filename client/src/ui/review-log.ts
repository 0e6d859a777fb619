// The review of an inspection as the replay page and the console show it: the status line and the
// log (comments with the moment they are pinned to, status changes), newest last.
import type { ReviewEntryView, ReviewView } from '@cloudship/shared';
import { formatDateTime, t } from '../i18n';
import { el } from './dom';
import { formatClock } from '../review/time-format';

export function reviewStatusLine(review: ReviewView): HTMLElement {
  const s = review.status;
  return el(
    'p',
    { class: `review-status ${s ? `review-${s.status}` : 'review-none'}`, testid: 'review-status', data: { status: s?.status ?? 'none' } },
    [
      el('strong', { t: 'review.status' }),
      ': ',
      s
        ? el('span', { t: 'review.statusBy', tArgs: { status: t(`review.status.${s.status}`), by: s.by, time: formatDateTime(s.at) } })
        : el('span', { t: 'review.status.none' }),
    ],
  );
}

/**
 * One line of the log. `moment`: what a comment's moment links to (the replay page seeks there;
 * the console links to the recording's replay).
 */
export function reviewEntryItem(e: ReviewEntryView, moment: (e: ReviewEntryView) => HTMLElement | null): HTMLElement {
  const head =
    e.kind === 'comment'
      ? el('span', { t: 'review.entryComment', tArgs: { who: e.authorName } })
      : el('span', { t: 'review.entryStatus', tArgs: { who: e.authorName, status: t(`review.status.${e.status!}`) } });
  return el(
    'li',
    { class: `review-entry review-entry-${e.kind}`, testid: 'review-entry', data: { kind: e.kind, status: e.status ?? '' } },
    [
      el('div', { class: 'review-entry-head' }, [
        head,
        ' · ',
        el('time', { date: e.createdAt }),
        e.kind === 'comment' ? ' · ' : null,
        e.kind === 'comment' ? moment(e) : null,
      ]),
      e.text ? el('div', { class: 'review-entry-text', text: e.text }) : null,
    ],
  );
}

export function reviewLog(review: ReviewView, moment: (e: ReviewEntryView) => HTMLElement | null): HTMLElement {
  return review.entries.length
    ? el(
        'ol',
        { class: 'review-log', testid: 'review-log' },
        review.entries.map((e) => reviewEntryItem(e, moment)),
      )
    : el('p', { class: 'muted', testid: 'review-log', t: 'review.logEmpty' });
}

/** "at 1:23 of the recording", kept translated. */
export const momentText = (ms: number | null): HTMLElement => el('span', { t: 'review.commentAt', tArgs: { time: formatClock(ms ?? 0) } });
