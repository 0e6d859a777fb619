// Crew phone page (join.html), served for /join/<token>: invitation -> consent -> live. The token
// leaves the address bar at once (history.replaceState to /join; kept in this tab's sessionStorage),
// so it does not travel in a Referer or show on a screenshot of the address bar; a reload of /join
// in the same tab finds it there.
import '../styles.css';
import { api, errorCode } from '../api';
import type { ClientErrorCode } from '../error-codes';
import { initI18n } from '../i18n';
import { exposeSession } from '../test-hooks';
import { el } from '../ui/dom';
import { mountConsentView } from './consent-view';
import { mountErrorView } from './error-view';
import { mountLiveView } from './live-view';
import { attachCrewRecord } from '../inspection-record/crew-capture';

initI18n();
exposeSession(null);

const app = document.getElementById('app') ?? document.body;

/** The token is the last path segment of the crew link: https://host/join/<token>. */
function tokenFromPath(pathname: string): string | null {
  const match = /^\/join\/([^/?#]+)\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

const TOKEN_KEY = 'cloudship.crewToken';

/** The crew token: from the link just opened (then moved out of the URL), or from this tab. */
function crewToken(): string | null {
  const fromPath = tokenFromPath(location.pathname);
  if (fromPath) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromPath);
      history.replaceState(null, '', '/join');
    } catch {
      // Storage disabled (private mode in an embedded view): keep the token in the URL, so a reload still works.
    }
    return fromPath;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

const token = crewToken();
const retry = (): void => void boot();
const takeOver = (): void => void boot({ takeOver: true });
const showError = (code: ClientErrorCode): void => mountErrorView(app, code, retry, takeOver);

async function boot(options: { takeOver?: boolean } = {}): Promise<void> {
  if (!token) return showError('UNAUTHENTICATED');
  app.replaceChildren(el('main', { class: 'crew-page' }, [el('p', { class: 'muted center', t: 'common.loading' })]));
  try {
    const invitation = await api.crewInvitation(token);
    mountConsentView(
      app,
      invitation,
      token,
      (session) => {
        mountLiveView(app, session, token, showError);
        // Inspection record: HD stills on request, acknowledgement of the conclusion.
        attachCrewRecord(session, token);
      },
      options,
    );
  } catch (err) {
    showError(errorCode(err));
  }
}

// Closing or leaving the page: leave the room at once instead of after the server's timeout.
window.addEventListener('pagehide', () => window.cloudship.session?.close());
// Back from the back/forward cache with that session closed: start over from the invitation.
window.addEventListener('pageshow', (event) => event.persisted && window.cloudship.session && location.reload());
void boot();
