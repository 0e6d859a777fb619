// A full-page explanation of why the crew cannot join (expired, revoked, ended, invalid...).
import type { ClientErrorCode } from '../error-codes';
import { bindError, languageButton } from '../i18n';
import { button, el } from '../ui/dom';

/** Codes that a second try may fix (the network, a busy server). */
const RETRYABLE: readonly ClientErrorCode[] = ['NETWORK', 'TIMEOUT', 'INTERNAL', 'DISCONNECTED'];
/** Codes that all mean "this link does not work": one clear sentence for them. */
const INVALID_LINK: readonly ClientErrorCode[] = ['UNAUTHENTICATED', 'NOT_FOUND', 'BAD_REQUEST', 'FORBIDDEN'];

export function mountErrorView(root: HTMLElement, code: ClientErrorCode, retry: () => void): void {
  const ended = code === 'INSPECTION_ENDED';
  const message = INVALID_LINK.includes(code)
    ? el('p', { class: 'lead', testid: 'crew-error-message', t: 'crew.invalidLink' })
    : bindError(el('p', { class: 'lead', testid: 'crew-error-message' }), code);

  root.replaceChildren(
    el('main', { class: 'crew-page' }, [
      el('div', { class: 'crew-bar' }, [el('span', { class: 'brand', t: 'app.name' }), languageButton()]),
      // An ended inspection is not an error for the crew: same marker as the end of a live session.
      el('section', { class: 'card crew-card', testid: ended ? 'ended' : 'crew-error', data: { code } }, [
        el('h1', { t: ended ? 'crew.ended' : 'crew.errorTitle' }),
        message,
        RETRYABLE.includes(code) && button({ kind: 'primary', class: 'btn-block btn-large', t: 'common.retry' }, retry),
      ]),
    ]),
  );
}
