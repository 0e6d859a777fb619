// The review on the console's inspection page: its status, the log of comments (each linking to
// its moment in the replay) and status changes, and the inspection's recordings, each a link to
// its replay. The lead surveyor sees here what the auditor found; reviewers write on the replay page.
import { can, type AccountView, type RecordingSummaryView, type ReviewEntryView, type ReviewView } from '@cloudship/shared';
import { errorCode } from '../api';
import { el, messageBox } from '../ui/dom';
import { momentText, reviewLog, reviewStatusLine } from '../ui/review-log';
import { replayHref, reviewApi } from '../review/review-api';
import { recordingLength } from '../review/time-format';

export interface ReviewSection {
  el: HTMLElement;
  refresh(): void;
}

export function createReviewSection(inspectionId: string, account: AccountView): ReviewSection {
  const error = messageBox('review-error');
  const status = el('div');
  const log = el('div');
  const recordings = el('ul', { class: 'review-recordings', testid: 'inspection-recordings' });

  const moment = (e: ReviewEntryView) =>
    e.recordingId ? el('a', { attrs: { href: replayHref(e.recordingId) } }, [momentText(e.atMs)]) : null;

  const recordingItem = (r: RecordingSummaryView) =>
    el('li', {}, [
      el('a', {
        testid: 'inspection-replay',
        attrs: { href: replayHref(r.id) },
        t: 'replay.openDuration',
        tArgs: { duration: recordingLength(r) },
      }),
      ' · ',
      el('time', { date: r.startedAt }),
    ]);

  async function refresh(): Promise<void> {
    try {
      const [review, recs]: [ReviewView, { recordings: RecordingSummaryView[] }] = await Promise.all([
        reviewApi.get(inspectionId),
        reviewApi.recordings(inspectionId),
      ]);
      error.show(null);
      status.replaceChildren(reviewStatusLine(review));
      log.replaceChildren(reviewLog(review, moment));
      recordings.replaceChildren(
        ...(recs.recordings.length ? recs.recordings.map(recordingItem) : [el('li', { class: 'muted', t: 'review.noRecordings' })]),
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  void refresh();
  return {
    el: el('section', { class: 'card review-section', testid: 'review-section' }, [
      el('h2', { t: 'review.title' }),
      status,
      el('h3', { t: 'review.recordings' }),
      recordings,
      el('h3', { t: 'review.log' }),
      log,
      can(account.role, 'review.write') ? el('p', { class: 'muted small', t: 'review.onReplay' }) : null,
      error.el,
    ]),
    refresh: () => void refresh(),
  };
}
