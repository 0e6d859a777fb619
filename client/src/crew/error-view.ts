// A full-page explanation of why the crew cannot join (expired, revoked, ended, invalid...). A link
// open on another phone (SEAT_TAKEN), or taken over by another phone (SESSION_REPLACED), offers to
// film from this phone instead.
import type { ClientErrorCode } from '../error-codes';
import { bindError, languageButton } from '../i18n';
import { button, el } from '../ui/dom';

/** Codes that a second try may fix (the network, a busy server). */
const RETRYABLE: readonly ClientErrorCode[] = ['NETWORK', 'TIMEOUT', 'INTERNAL', 'DISCONNECTED'];
/** Codes that all mean "this link does not work": one clear sentence for them. */
const INVALID_LINK: readonly ClientErrorCode[] = ['UNAUTHENTICATED', 'NOT_FOUND', 'BAD_REQUEST', 'FORBIDDEN'];
/** Codes that mean "another phone has this link": this one may take it over. */
const SEAT: readonly ClientErrorCode[] = ['SEAT_TAKEN', 'SESSION_REPLACED'];

export function mountErrorView(root: HTMLElement, code: ClientErrorCode, retry: () => void, takeOver: () => void): void {
  const ended = code === 'INSPECTION_ENDED';
  const seat = SEAT.includes(code);
  const message = INVALID_LINK.includes(code)
    ? el('p', { class: 'lead', testid: 'crew-error-message', t: 'crew.invalidLink' })
    : bindError(el('p', { class: 'lead', testid: 'crew-error-message' }), code);

  root.replaceChildren(
    el('main', { class: 'crew-page' }, [
      el('div', { class: 'crew-bar' }, [el('span', { class: 'brand', t: 'app.name' }), languageButton()]),
      // An ended inspection is not an error for the crew: same marker as the end of a live session.
      el('section', { class: 'card crew-card', testid: ended ? 'ended' : 'crew-error', data: { code } }, [
        el('h1', { t: ended ? 'crew.ended' : seat ? 'crew.seatTitle' : 'crew.errorTitle' }),
        message,
        RETRYABLE.includes(code) && button({ kind: 'primary', class: 'btn-block btn-large', t: 'common.retry' }, retry),
        seat && el('p', { class: 'muted', t: 'crew.takeOverHint' }),
        seat && button({ kind: 'primary', class: 'btn-block btn-large', testid: 'take-over', t: 'crew.takeOver' }, takeOver),
      ]),
    ]),
  );
}
