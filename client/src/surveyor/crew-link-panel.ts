// The crew link of an inspection: URL, QR code, copy and revoke.
//
// The server only hands out new links (POST), it never shows an old one again (the token is a
// credential). So the panel creates a link when it first opens for an inspection that can still be
// joined, and remembers it for the lifetime of the page; "New link" makes another one.
import { isClosed } from '@cloudship/shared';
import type { CrewLinkView, InspectionView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { t } from '../i18n';
import { copyText, selectText } from '../ui/clipboard';
import { button, el, messageBox, replaceChildren } from '../ui/dom';

/** Links created (or revoked) in this page, by inspection id. */
const known = new Map<string, CrewLinkView | 'revoked'>();

export interface CrewLinkPanel {
  el: HTMLElement;
  /** The inspection ended: links are no use any more. */
  close(): void;
}

export function createCrewLinkPanel(inspection: InspectionView, onUnauthenticated: () => void): CrewLinkPanel {
  const body = el('div', { class: 'crew-link-body' });
  const status = messageBox('crew-link-message', 'info');
  const error = messageBox('crew-link-error');
  let closed = isClosed(inspection.status);

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

  async function create(): Promise<void> {
    error.show(null);
    status.show(null);
    try {
      const link = await api.createCrewLink(inspection.id);
      known.set(inspection.id, link);
      render();
    } catch (err) {
      fail(err);
    }
  }

  async function revoke(): Promise<void> {
    if (!window.confirm(t('link.revokeConfirm'))) return;
    error.show(null);
    try {
      await api.revokeCrewLinks(inspection.id);
      known.set(inspection.id, 'revoked');
      render();
      status.show('link.revoked');
    } catch (err) {
      fail(err);
    }
  }

  function renderLink(link: CrewLinkView): HTMLElement[] {
    const url = el('span', { class: 'link-url', testid: 'crew-link-url', text: link.url });
    const copy = button({ kind: 'primary', testid: 'copy-crew-link', t: 'link.copy' }, async () => {
      const ok = await copyText(link.url);
      if (ok) {
        status.show('link.copied');
        setTimeout(() => status.show(null), 2_500);
      } else {
        selectText(url);
        status.show('link.copyFailed');
      }
    });
    // The QR code is shown through <img>: an SVG loaded as an image cannot run script, so markup
    // from the server never becomes part of this page.
    const qr = el('img', {
      class: 'qr',
      testid: 'crew-link-qr',
      tAttrs: { alt: 'link.qrAlt' },
      attrs: { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qrSvg)}`, width: 220, height: 220 },
    });
    return [
      el('div', { class: 'crew-link-grid' }, [
        qr,
        el('div', { class: 'crew-link-text' }, [
          url,
          el('p', { class: 'muted small' }, [el('span', { t: 'link.expires' }), ' ', el('time', { date: link.expiresAt })]),
          el('div', { class: 'button-row' }, [
            copy,
            button({ testid: 'new-crew-link', t: 'link.new' }, () => void create()),
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
    const link = known.get(inspection.id);
    if (link && link !== 'revoked' && Date.parse(link.expiresAt) > Date.now()) {
      replaceChildren(body, renderLink(link));
    } else {
      replaceChildren(body, [button({ kind: 'primary', testid: 'create-crew-link', t: 'link.create' }, () => void create())]);
    }
  }

  render();
  // First visit of a joinable inspection: make a link right away, that is what the surveyor came for.
  if (!closed && !known.has(inspection.id)) void create();

  return {
    el: panel,
    close() {
      closed = true;
      status.show(null);
      render();
    },
  };
}
