// The replay page's top bar: the way back to the console, and once signed in who it is, the list
// of recordings and a sign-out (the console's bar has the same).
import type { AccountView } from '@cloudship/shared';
import { call } from '../api';
import { languageButton } from '../i18n';
import { button, el } from '../ui/dom';
import { icon } from '../ui/icons';

/** `beforeSignOut`: stops what the page still loads (a seal check hashing files), so nothing asks after the session ends. */
export function replayHeader(account: AccountView | null, beforeSignOut: () => void = () => undefined): HTMLElement {
  const right: HTMLElement[] = [];
  if (account) {
    right.push(
      el('a', { class: 'nav-link', testid: 'nav-console', t: 'replay.console', attrs: { href: '/' } }),
      el('a', { class: 'nav-link', testid: 'nav-replay', t: 'assigned.replayList', attrs: { href: '#/' } }),
      el('span', { class: 'who', testid: 'account-name', text: account.displayName }),
      button({ kind: 'ghost', testid: 'logout', t: 'header.logout' }, async () => {
        beforeSignOut();
        await call('POST', '/api/auth/logout').catch(() => undefined);
        location.assign('/');
      }),
    );
  }
  right.push(languageButton());
  return el('header', { class: 'topbar' }, [
    el('a', { class: 'brand', attrs: { href: '/' } }, [icon('anchor', 'brand-mark'), el('span', { t: 'app.name' })]),
    el('div', { class: 'topbar-right' }, right),
  ]);
}
