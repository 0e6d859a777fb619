// One inspection: particulars, crew link, live session, participants log, "end inspection", and
// the review (status, comments, the recordings' replay).
import { allowedOn, isClosed } from '@cloudship/shared';
import type { AccountView, InspectionDetailView, InspectionView, Relation } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { bindText } from '../i18n';
import { button, el, field, messageBox, replaceChildren, setShown } from '../ui/dom';
import type { ConsoleContext } from './context';
import { createCrewLinkPanel } from './crew-link-panel';
import { askToEnd } from './end-dialog';
import { kindKey, setStatusBadge, statusBadge } from './labels';
import { createLivePanel } from './live-panel';
import { createMembersPanel } from './members-panel';
import { createParticipantsTable } from './participants-table';
import { createReviewSection } from './review-section';
import { mountRecordSection } from '../inspection-record/record-section';

/** How often the page re-reads the inspection while open (status, participants log). */
const POLL_MS = 10_000;

/** How the signed-in account stands to the inspection, from what the server answered (shared/src/access.ts). */
function relationTo(inspection: InspectionDetailView, account: AccountView): Relation {
  if (account.role === 'admin') return 'admin';
  if (inspection.surveyorId === account.id) return 'lead';
  if (inspection.members.coSurveyors.some((m) => m.id === account.id)) return 'co-surveyor';
  if (inspection.members.auditors.some((m) => m.id === account.id)) return 'assigned-auditor';
  return 'other';
}

export function mountInspectionView(root: HTMLElement, ctx: ConsoleContext, id: string): () => void {
  let disposed = false;
  let cleanup: () => void = () => undefined;
  const error = messageBox('inspection-error');

  root.replaceChildren(
    el('a', { class: 'back', attrs: { href: '#/' }, t: 'detail.back' }),
    el('p', { class: 'muted', t: 'common.loading' }),
    error.el,
  );

  api
    .getInspection(id)
    .then(({ inspection }) => {
      if (!disposed) cleanup = render(inspection);
    })
    .catch((err: unknown) => {
      if (disposed) return;
      const code = errorCode(err);
      if (code === 'UNAUTHENTICATED') return ctx.signedOut();
      root.replaceChildren(el('a', { class: 'back', attrs: { href: '#/' }, t: 'detail.back' }), error.el);
      error.showError(code);
    });

  function render(initial: InspectionDetailView): () => void {
    let inspection: InspectionView = initial;
    let isEnded = isClosed(initial.status);
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;

    // What this account may do here (the server decides; the page only leaves out what it would refuse).
    const acts = allowedOn(ctx.account.role, relationTo(initial, ctx.account), 'room.join');
    const review = createReviewSection(id, ctx.account);
    const badge = statusBadge(inspection.status);
    const endedBanner = el('div', {
      class: 'banner banner-ended',
      t: initial.toBeContinued ? 'detail.endedToBeContinued' : 'detail.ended',
    });
    setShown(endedBanner, 'ended', isEnded);
    const actionError = messageBox('end-error');
    const endButton = button({ kind: 'danger', testid: 'end-inspection', t: 'detail.end' }, () => void endInspection());
    endButton.hidden = isEnded || !acts;
    const particulars = el('dl', { class: 'particulars', testid: 'particulars' });
    const participants = createParticipantsTable();
    const crewLink = acts ? createCrewLinkPanel(inspection, ctx.signedOut) : null;
    const members = createMembersPanel(initial, ctx);
    // Inspection record: checklist, evidence, conclusion, savings.
    const record = mountRecordSection(id, ctx.signedOut, (evidence) => live.annotate(evidence), !acts);
    const live = createLivePanel(inspection, ctx.account.displayName, {
      onSession: (session) => record.setSession(session),
      // Live: the page becomes the workspace (video large, checklist docked beside it).
      onLive: (isLive) => {
        const was = root.classList.contains('workspace-live');
        root.classList.toggle('workspace-live', isLive);
        if (isLive && !was) workspace.scrollIntoView({ block: 'start' });
      },
      capture: () => record.capture(),
      currentItemId: () => record.currentItemId(),
      onEnded: () => markEnded(),
      onPeersChanged: () => scheduleRefresh(800),
      onUnauthenticated: ctx.signedOut,
    });

    // Live panel and inspection record side by side; the docked layout applies while live (styles.css).
    // Someone who reviews (an auditor) never takes part live: the record alone.
    const workspace = el('div', { class: 'workspace', testid: 'workspace' }, [acts ? live.el : null, record.el]);

    function paintParticulars(): void {
      replaceChildren(particulars, [
        ...field('list.registration', inspection.registrationNumber),
        ...field('list.kind', el('span', { t: kindKey(inspection.kind) })),
        ...field('list.place', inspection.place),
        ...field('list.scheduled', el('time', { date: inspection.scheduledAt })),
        ...field('detail.lead', inspection.surveyorName),
        ...field('detail.startedAt', el('time', { date: inspection.startedAt })),
        ...field('detail.endedAt', el('time', { date: inspection.endedAt })),
      ]);
    }

    function apply(next: InspectionDetailView): void {
      inspection = next;
      if (next.toBeContinued) bindText(endedBanner, 'detail.endedToBeContinued');
      setStatusBadge(badge, next.status);
      paintParticulars();
      participants.render(next.participants);
      members.render(next.members);
      review.refresh();
      if (isClosed(next.status) && !isEnded) markEnded();
    }

    /** Re-read the inspection soon (coalesces bursts of peer events into one request). */
    function scheduleRefresh(delayMs: number): void {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(async () => {
        if (!document.hidden) {
          try {
            const { inspection: next } = await api.getInspection(id);
            if (!disposed) apply(next);
          } catch (err) {
            if (errorCode(err) === 'UNAUTHENTICATED') return ctx.signedOut();
          }
        }
        if (!disposed) scheduleRefresh(POLL_MS);
      }, delayMs);
    }

    function markEnded(): void {
      if (isEnded) return;
      isEnded = true;
      setStatusBadge(badge, 'ended');
      setShown(endedBanner, 'ended', true);
      endButton.hidden = true;
      live.setEnded();
      crewLink?.close();
      record.refresh();
      scheduleRefresh(300);
    }

    async function endInspection(): Promise<void> {
      if (isEnded) return;
      endButton.disabled = true;
      const choice = await askToEnd(await record.latest()).finally(() => (endButton.disabled = false));
      if (choice === 'conclude') return record.focusConclusion();
      if (!choice || isEnded) return;
      actionError.show(null);
      endButton.disabled = true;
      const options = { toBeContinued: choice === 'to-be-continued' };
      try {
        const session = live.session();
        // Live: end over the socket, so that everyone in the room is told at once. Otherwise REST.
        if (session && session.state === 'connected') await session.endInspection(options);
        else await api.endInspection(id, options);
        markEnded();
      } catch (err) {
        const code = errorCode(err);
        if (code === 'INSPECTION_ENDED') markEnded();
        else if (code === 'UNAUTHENTICATED') ctx.signedOut();
        else actionError.showError(code);
      } finally {
        endButton.disabled = false;
      }
    }

    paintParticulars();
    participants.render(initial.participants);
    root.replaceChildren(
      el('a', { class: 'back', attrs: { href: '#/' }, t: 'detail.back' }),
      el('div', { class: 'page-head' }, [el('h1', {}, [el('span', { text: inspection.vesselName }), ' ', badge]), endButton]),
      endedBanner,
      actionError.el,
      workspace,
      el('div', { class: 'detail-side' }, [
        el('section', { class: 'card' }, [el('h2', { t: 'detail.particulars' }), particulars]),
        crewLink?.el,
        members.el,
        review.el,
      ]),
      participants.el,
    );
    scheduleRefresh(POLL_MS);

    return () => {
      clearTimeout(refreshTimer);
      record.dispose();
      live.dispose();
    };
  }

  return () => {
    disposed = true;
    cleanup();
  };
}
