// The crew link of an inspection: the short link (`/j/<code>`) as text and QR code, "Copy",
// "Send by SMS" and "Revoke".
//
// The server keeps one link per inspection and hands the same one out again (POST …/crew-link), so
// opening the page again, in any tab, shows the link the crew may already have; a new one is made
// only when there is none left (revoked, expired). Without PUBLIC_URL the link carries the host the
// console was opened with: opened as localhost, that is a link no phone can open, and the panel says so.
import './crew-link-panel.css';
import { isClosed } from '@cloudship/shared';
import type { CrewLinkView, InspectionView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { t } from '../i18n';
import { copyText, selectText } from '../ui/clipboard';
import { ask } from '../ui/dialog';
import { button, el, messageBox, replaceChildren, type Child } from '../ui/dom';

export interface CrewLinkPanel {
  el: HTMLElement;
  /** The inspection ended: links are no use any more. */
  close(): void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Opened as localhost: a link made from this address cannot be opened on a phone. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || hostname.toLowerCase().endsWith('.localhost') || /^127\./.test(hostname);
}

/** An `sms:` URI with the message prefilled (no recipient: the phone's messaging app asks). */
export function smsUri(body: string): string {
  // `sms:?&body=` is understood by Android and by iOS (which wants `&body` after an empty recipient).
  return `sms:?&body=${encodeURIComponent(body)}`;
}

export function createCrewLinkPanel(inspection: InspectionView, onUnauthenticated: () => void): CrewLinkPanel {
  const body = el('div', { class: 'crew-link-body' });
  const status = messageBox('crew-link-message', 'info');
  const error = messageBox('crew-link-error');
  let closed = isClosed(inspection.status);
  let link: CrewLinkView | 'revoked' | null = null;

  const panel = el('section', { class: 'card crew-link', testid: 'crew-link-panel' }, [
    el('h2', { t: 'link.title' }),
    el('p', { class: 'muted', t: 'link.hint' }),
    body,
    status.el,
    error.el,
  ]);

  function fail(err: unknown): void {
    const code = errorCode(err);
    if (code === 'UNAUTHENTICATED') return onUnauthenticated();
    error.showError(code);
  }

  async function load(): Promise<void> {
    error.show(null);
    status.show(null);
    try {
      link = await api.crewLink(inspection.id);
      render();
    } catch (err) {
      fail(err);
    }
  }

  async function revoke(): Promise<void> {
    const sure = await ask({
      testid: 'revoke-dialog',
      title: 'link.revoke',
      body: [el('p', { t: 'link.revokeConfirm' })],
      answers: [
        { value: false, t: 'dialog.cancel', testid: 'revoke-cancel' },
        { value: true, t: 'link.revoke', kind: 'danger', testid: 'revoke-confirm' },
      ],
    });
    if (!sure) return;
    error.show(null);
    try {
      await api.revokeCrewLinks(inspection.id);
      link = 'revoked';
      render();
      status.show('link.revoked');
    } catch (err) {
      fail(err);
    }
  }

  function renderLink(current: CrewLinkView): Child[] {
    const url = el('span', { class: 'link-url', testid: 'crew-link-url', text: current.shortUrl });
    const copy = button({ kind: 'primary', testid: 'copy-crew-link', t: 'link.copy' }, async () => {
      if (await copyText(current.shortUrl)) {
        status.show('link.copied');
        setTimeout(() => status.show(null), 2_500);
      } else {
        selectText(url);
        status.show('link.copyFailed');
      }
    });
    // The message is made when clicked, so it is in the language the console shows then.
    const message = () => t('link.smsBody', { vessel: inspection.vesselName, url: current.shortUrl });
    const sms = el('a', { class: 'btn btn-secondary', testid: 'sms-crew-link', t: 'link.sms', attrs: { href: smsUri(message()) } });
    sms.addEventListener('click', () => (sms.href = smsUri(message())));
    // The QR code is shown through <img>: an SVG loaded as an image cannot run script, so markup
    // from the server never becomes part of this page.
    const qr = el('img', {
      class: 'qr',
      testid: 'crew-link-qr',
      tAttrs: { alt: 'link.qrAlt' },
      attrs: { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(current.qrSvg)}`, width: 180, height: 180 },
    });
    const unreachable = !current.publicUrlConfigured && isLoopbackHost(location.hostname);
    return [
      unreachable &&
        el('p', {
          class: 'message message-warning',
          testid: 'crew-link-localhost',
          attrs: { role: 'alert' },
          t: 'link.localhostWarning',
          tArgs: { host: location.hostname },
        }),
      url,
      el('div', { class: 'crew-link-grid' }, [
        qr,
        el('div', { class: 'crew-link-text' }, [
          el('p', { class: 'muted small' }, [el('span', { t: 'link.expires' }), ' ', el('time', { date: current.expiresAt })]),
          el('div', { class: 'crew-link-actions' }, [
            copy,
            sms,
            button({ kind: 'danger', testid: 'revoke-crew-link', t: 'link.revoke' }, () => void revoke()),
          ]),
        ]),
      ]),
    ];
  }

  function render(): void {
    if (closed) {
      replaceChildren(body, [el('p', { class: 'muted', t: 'link.closed' })]);
      return;
    }
    if (link && link !== 'revoked' && Date.parse(link.expiresAt) > Date.now()) {
      replaceChildren(body, renderLink(link));
    } else if (link) {
      replaceChildren(body, [button({ kind: 'primary', testid: 'create-crew-link', t: 'link.create' }, () => void load())]);
    } else {
      replaceChildren(body, [el('p', { class: 'muted', t: 'common.loading' })]);
    }
  }

  render();
  // A joinable inspection: show its link right away (the current one, or a first one), that is what
  // the surveyor came for.
  if (!closed) void load();

  return {
    el: panel,
    close() {
      closed = true;
      status.show(null);
      render();
    },
  };
}
