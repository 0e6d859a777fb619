// One recording on the replay page (#/recordings/<id>): the synchronised player, the lanes of what
// happened while it ran, links to the inspection's page and report, and the review beside it.
import type { AccountView, RecordingTimelineView, ReviewEntryView, TimelineMarkView } from '@cloudship/shared';
import { call, errorCode } from '../api';
import { t } from '../i18n';
import { el, messageBox } from '../ui/dom';
import { createPlayer, type ReplayPlayer } from './player';
import { createReviewPanel } from './review-panel';
import { createSealPanel, type FileVerdict } from './seal-panel';
import { createTimelineLanes } from './timeline-lanes';

const enc = encodeURIComponent;

/** Fills `main`; resolves with the player once the timeline is loaded (null when it could not be). */
export async function showRecordingPage(main: HTMLElement, id: string, account: AccountView | null): Promise<ReplayPlayer | null> {
  const error = messageBox('replay-error');
  main.replaceChildren(el('a', { class: 'back', testid: 'replay-back', t: 'replay.back', attrs: { href: '#/' } }), error.el);
  let view: RecordingTimelineView;
  try {
    view = await call<RecordingTimelineView>('GET', `/api/recordings/${enc(id)}/timeline`);
  } catch (err) {
    error.showError(errorCode(err));
    return null;
  }
  const player = createPlayer(view);
  const lanes = createTimelineLanes(view, (ms) => player.seek(ms));
  // Each segment's seal verdict on its mark in the media timeline.
  const seal = createSealPanel(view, (segmentId: string, v: FileVerdict) => {
    const mark = player.root.querySelector<HTMLElement>(`.replay-seg[data-segment="${CSS.escape(segmentId)}"]`);
    if (!mark) return;
    mark.dataset.seal = v.ok ? 'verified' : 'not-verified';
    mark.title = `${mark.title.split(' · ')[0] ?? ''} · ${v.ok ? t('seal.segmentOk') : t('seal.segmentFail', { reason: v.reason })}`;
  });
  window.cloudshipSeal = seal;
  player.onTick((ms) => lanes.cursor(ms));
  const inspectionId = enc(view.inspection.id);
  main.append(
    el('div', { class: 'page-head' }, [
      el('h1', { text: `${view.inspection.vesselName} · ${view.inspection.registrationNumber}` }),
      el('div', { class: 'replay-links' }, [
        el('a', {
          class: 'btn btn-ghost',
          testid: 'replay-to-inspection',
          t: 'replay.toInspection',
          attrs: { href: `/#/inspections/${inspectionId}` },
        }),
        el('a', {
          class: 'btn btn-ghost',
          testid: 'replay-report',
          t: 'replay.report',
          attrs: { href: `/api/inspections/${inspectionId}/report.html`, target: '_blank', rel: 'noopener' },
        }),
      ]),
    ]),
    el('div', { class: 'replay-layout' }, [
      el('div', { class: 'replay-main' }, [player.root, lanes.el, seal.el]),
      account ? createReviewPanel(view, account, player, (entry) => lanes.add(reviewMark(entry))) : null,
    ]),
  );
  // Leaving the recording (another route, signing out) also stops the seal check's downloads.
  return {
    ...player,
    dispose() {
      seal.dispose();
      player.dispose();
    },
  };
}

/** A comment just pinned, as its mark on the review lane. */
function reviewMark(e: ReviewEntryView): TimelineMarkView {
  return { lane: 'review', kind: 'comment', at: e.momentAt ?? new Date().toISOString(), who: e.authorName, text: e.text, ref: e.id };
}
