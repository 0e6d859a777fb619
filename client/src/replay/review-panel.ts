// The review beside the player: the status and the log of the inspection's review; for reviewers
// (assigned auditors, admins) a comment pinned to the player's current moment, and "reviewed" /
// "query raised". What is written goes to the server first and is shown as it answers.
import { can, type AccountView, type RecordingTimelineView, type ReviewEntryView, type ReviewView } from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText } from '../i18n';
import { button, el, messageBox } from '../ui/dom';
import { momentText, reviewLog, reviewStatusLine } from '../ui/review-log';
import type { ReplayPlayer } from './player';
import { reviewApi } from '../review/review-api';
import { formatClock } from '../review/time-format';

export function createReviewPanel(
  view: RecordingTimelineView,
  account: AccountView,
  player: ReplayPlayer,
  pinned: (entry: ReviewEntryView) => void,
): HTMLElement {
  const inspectionId = view.inspection.id;
  const error = messageBox('review-error');
  const status = el('div');
  const log = el('div');
  let review: ReviewView = { status: null, entries: [] };

  const moment = (e: ReviewEntryView) =>
    e.recordingId === view.recording.id
      ? button({ kind: 'ghost', class: 'btn-small', testid: 'review-moment', text: formatClock(e.atMs ?? 0) }, () =>
          player.seek(e.atMs ?? 0),
        )
      : momentText(e.atMs);

  function render(): void {
    status.replaceChildren(reviewStatusLine(review));
    log.replaceChildren(reviewLog(review, moment));
  }

  async function load(): Promise<void> {
    try {
      review = await reviewApi.get(inspectionId);
      render();
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  const children: Array<HTMLElement | null> = [el('h2', { t: 'review.title' }), status];
  if (can(account.role, 'review.write')) {
    const text = el('textarea', {
      class: 'review-text',
      testid: 'review-text',
      attrs: { rows: 3, maxlength: 2000, name: 'review-text' },
      tAttrs: { placeholder: 'review.commentPlaceholder', 'aria-label': 'review.comment' },
    });
    const pin = button({ kind: 'primary', testid: 'review-pin', t: 'review.pin', tArgs: { time: formatClock(0) } }, async () => {
      if (!text.value.trim()) return error.show('review.empty');
      error.show(null);
      const atMs = Math.round(player.position());
      try {
        const { entry } = await reviewApi.comment(inspectionId, { recordingId: view.recording.id, atMs, text: text.value });
        text.value = '';
        review.entries.push(entry);
        render();
        pinned(entry);
      } catch (err) {
        error.showError(errorCode(err));
      }
    });
    const mark = (to: 'reviewed' | 'query-raised') => async () => {
      error.show(null);
      try {
        const note = text.value.trim();
        await reviewApi.status(inspectionId, { status: to, ...(note && to === 'query-raised' ? { note } : {}) });
        if (to === 'query-raised') text.value = '';
        await load();
      } catch (err) {
        error.showError(errorCode(err));
      }
    };
    let shown = '';
    player.onTick((ms) => {
      const time = formatClock(ms);
      if (time !== shown) bindText(pin, 'review.pin', { time: (shown = time) });
    });
    children.push(
      el('label', { class: 'field review-compose' }, [el('span', { t: 'review.comment' }), text]),
      el('div', { class: 'review-actions' }, [
        pin,
        button({ kind: 'secondary', testid: 'review-mark-reviewed', t: 'review.markReviewed' }, mark('reviewed')),
        button({ kind: 'danger', testid: 'review-raise-query', t: 'review.raiseQuery' }, mark('query-raised')),
      ]),
      el('p', { class: 'muted small', t: 'review.noteHint' }),
    );
  }
  children.push(error.el, el('h3', { t: 'review.log' }), log);
  void load();
  return el('section', { class: 'card replay-review', testid: 'review-panel' }, children);
}
