// Surveyor console (index.html): sign-in, then hash routes
//   #/                    inspection list and "new inspection" (auditors: assigned to me)
//   #/inspections/<id>    one inspection, with its live session
//   #/reports             savings dashboard
//   #/account             password; admins: staff accounts
//   #/samples             admins: random review samples
import '../styles.css';
import { can, type AccountView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { initI18n, languageButton } from '../i18n';
import { exposeSession } from '../test-hooks';
import { button, el, messageBox } from '../ui/dom';
import { icon } from '../ui/icons';
import type { ConsoleContext } from './context';
import { mountAccountView } from './account-view';
import { mountAssignedView } from './assigned-view';
import { mountInspectionView } from './inspection-view';
import { mountInspectionsView } from './inspections-view';
import { mountLoginView } from './login-view';
import { mountReportsView } from './reports-view';
import { mountSamplesView } from './samples-view';

initI18n();
exposeSession(null);

const app = document.getElementById('app') ?? document.body;
const main = el('main', { class: 'container' });
let account: AccountView | null = null;
let disposeView: () => void = () => undefined;

function header(): HTMLElement {
  const right: HTMLElement[] = [];
  if (account) {
    right.push(
      el('a', { class: 'nav-link', testid: 'nav-replay', t: 'assigned.replayList', attrs: { href: '/replay.html' } }),
      el('a', { class: 'nav-link', testid: 'nav-reports', t: 'reports.link', attrs: { href: '#/reports' } }),
      ...(can(account.role, 'review.sample')
        ? [el('a', { class: 'nav-link', testid: 'nav-samples', t: 'sample.link', attrs: { href: '#/samples' } })]
        : []),
      el('a', { class: 'nav-link', testid: 'nav-account', t: 'account.link', attrs: { href: '#/account' } }),
      el('span', { class: 'who', testid: 'account-name', text: account.displayName }),
      button({ kind: 'ghost', testid: 'logout', t: 'header.logout' }, () => void signOut()),
    );
  }
  right.push(languageButton());
  return el('header', { class: 'topbar' }, [
    el('a', { class: 'brand', attrs: { href: '#/' } }, [icon('anchor', 'brand-mark'), el('span', { t: 'app.name' })]),
    el('div', { class: 'topbar-right' }, right),
  ]);
}

const ctx = (): ConsoleContext => ({
  account: account as AccountView,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  signedOut: () => showLogin(),
  passwordChanged: () => void boot(),
});

function unmount(): void {
  const dispose = disposeView;
  disposeView = () => undefined;
  dispose();
}

function route(): void {
  if (!account) return;
  unmount();
  window.scrollTo(0, 0);
  if (location.hash === '#/reports') {
    disposeView = mountReportsView(main, ctx());
    return;
  }
  if (location.hash === '#/samples' && can(account.role, 'review.sample') && !account.mustChangePassword) {
    disposeView = mountSamplesView(main, ctx());
    return;
  }
  if (location.hash === '#/account' || account.mustChangePassword) {
    disposeView = mountAccountView(main, ctx());
    return;
  }
  const match = /^#\/inspections\/([^/?#]+)/.exec(location.hash);
  // An auditor lands on what is assigned to them (every other list entry is not theirs to read).
  const home = account.role === 'auditor' ? mountAssignedView : mountInspectionsView;
  disposeView = match ? mountInspectionView(main, ctx(), decodeURIComponent(match[1]!)) : home(main, ctx());
}

function showApp(signedIn: AccountView): void {
  account = signedIn;
  app.replaceChildren(header(), main);
  route();
}

function showLogin(): void {
  unmount();
  account = null;
  const loginRoot = el('div');
  app.replaceChildren(header(), loginRoot);
  disposeView = mountLoginView(loginRoot, showApp);
}

async function signOut(): Promise<void> {
  unmount();
  await api.logout().catch(() => undefined);
  showLogin();
}

async function boot(): Promise<void> {
  try {
    const { account: me } = await api.me();
    showApp(me);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'UNAUTHENTICATED') return showLogin();
    // Server unreachable or failing: say so, and offer to try again.
    const error = messageBox('boot-error');
    app.replaceChildren(
      header(),
      el('main', { class: 'container' }, [error.el, button({ kind: 'primary', t: 'common.retry' }, () => void boot())]),
    );
    error.showError(code);
  }
}

window.addEventListener('hashchange', route);
// Leaving the page: close the live session so the room sees us go at once (not after a timeout).
window.addEventListener('pagehide', () => window.cloudship.session?.close());
window.addEventListener('pageshow', (event) => event.persisted && window.cloudship.session && location.reload());
void boot();
