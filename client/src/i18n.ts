// Language selection and translation (zh-CN and en).
//
// Text that must follow a language switch is bound to its element rather than re-rendered: `bindText`
// stores the key (and arguments) in data attributes, `bindDate` stores the ISO time, and
// `setLanguage` retranslates every bound element in place. That way a switch in the middle of a
// live session touches no media element and no state.
import { ERROR_MESSAGES, isClientErrorCode } from './error-codes';
import { en, zhCN, type MessageKey } from './i18n-messages';

export type { MessageKey } from './i18n-messages';
export type Lang = 'zh-CN' | 'en';
export type MessageArgs = Record<string, string | number>;

const STORAGE_KEY = 'cloudship.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const changeListeners = new Set<(lang: Lang) => void>();

function detectLanguage(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'zh-CN' || stored === 'en') return stored;
  } catch {
    // Storage can be disabled (private mode, embedded web views): fall back to the browser language.
  }
  return /^zh/i.test(navigator.language ?? '') ? 'zh-CN' : 'en';
}

let current: Lang = detectLanguage();

export function getLanguage(): Lang {
  return current;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** Translate a key, replacing `{name}` placeholders with `args`. */
export function t(key: MessageKey, args?: MessageArgs): string {
  const template = dictionaries[current][key] ?? en[key] ?? key;
  if (!args) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

/** The translated message for an error code (wire codes and the client's own, e.g. NETWORK). */
export function errorMessage(code: string): string {
  return isClientErrorCode(code) && code !== 'UNKNOWN' ? t(ERROR_MESSAGES[code]) : t('error.UNKNOWN', { code });
}

/** Locale-aware date and time, in the viewer's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Set an element's text to a translation and keep it translated after a language switch. */
export function bindText<T extends Element>(el: T, key: MessageKey, args?: MessageArgs): T {
  (el as unknown as HTMLElement).dataset.i18n = key;
  if (args) (el as unknown as HTMLElement).dataset.i18nArgs = JSON.stringify(args);
  else delete (el as unknown as HTMLElement).dataset.i18nArgs;
  el.textContent = t(key, args);
  return el;
}

/** Bind an element to the message of an error code. */
export function bindError<T extends Element>(el: T, code: string): T {
  return isClientErrorCode(code) && code !== 'UNKNOWN' ? bindText(el, ERROR_MESSAGES[code]) : bindText(el, 'error.UNKNOWN', { code });
}

/** Same as bindText for an attribute (placeholder, title, aria-label, alt). */
export function bindAttr<T extends Element>(el: T, attr: string, key: MessageKey): T {
  const html = el as unknown as HTMLElement;
  const pairs = (html.dataset.i18nAttrs ?? '').split(';').filter((p) => p && !p.startsWith(`${attr}:`));
  pairs.push(`${attr}:${key}`);
  html.dataset.i18nAttrs = pairs.join(';');
  el.setAttribute(attr, t(key));
  return el;
}

/** Show a date/time and keep its format in step with the language. */
export function bindDate<T extends Element>(el: T, iso: string | null | undefined): T {
  (el as unknown as HTMLElement).dataset.i18nDate = iso ?? '';
  el.textContent = formatDateTime(iso);
  return el;
}

/** Retranslate every bound element under `root`. */
export function translateTree(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const key = el.dataset.i18n ?? '';
    if (!isMessageKey(key)) return;
    const args = el.dataset.i18nArgs ? (JSON.parse(el.dataset.i18nArgs) as MessageArgs) : undefined;
    el.textContent = t(key, args);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-attrs]').forEach((el) => {
    for (const pair of (el.dataset.i18nAttrs ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key && isMessageKey(key)) el.setAttribute(attr, t(key));
    }
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-date]').forEach((el) => {
    el.textContent = formatDateTime(el.dataset.i18nDate || null);
  });
}

export function setLanguage(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but the switch still applies to this page.
  }
  document.documentElement.lang = lang;
  translateTree(document);
  for (const listener of [...changeListeners]) {
    try {
      listener(lang);
    } catch (err) {
      console.error('setLanguage() | listener threw', err);
    }
  }
}

/** Called after every switch, for text that is not simply bound (e.g. a default input value). */
export function onLanguageChange(listener: (lang: Lang) => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** Apply the detected language to the document; call once at page start. */
export function initI18n(): void {
  document.documentElement.lang = current;
  translateTree(document);
}

/** The button that switches between the two languages; its label names the other language. */
export function languageButton(): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'lang-switch';
  button.dataset.testid = 'lang-switch';
  bindText(button, 'lang.switch');
  bindAttr(button, 'title', 'lang.switchTitle');
  button.addEventListener('click', () => setLanguage(current === 'zh-CN' ? 'en' : 'zh-CN'));
  return button;
}
