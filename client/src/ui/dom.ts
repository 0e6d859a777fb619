// Small DOM helpers: build elements declaratively without a framework.
import { bindAttr, bindDate, bindError, bindText, type MessageArgs, type MessageKey } from '../i18n';

export type Child = Node | string | null | undefined | false;

export interface ElProps {
  class?: string;
  /** Literal text (not translated). */
  text?: string;
  /** Translated text, kept current on a language switch. */
  t?: MessageKey;
  tArgs?: MessageArgs;
  /** Translated attributes, e.g. { placeholder: 'login.username' }. */
  tAttrs?: Record<string, MessageKey>;
  /** An ISO time shown in the current locale. */
  date?: string | null;
  attrs?: Record<string, string | number | boolean | null | undefined>;
  data?: Record<string, string>;
  testid?: string;
  on?: Partial<{ [E in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[E]) => void }>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElProps = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.testid) node.dataset.testid = props.testid;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(props.data ?? {})) node.dataset[name] = value;
  for (const [name, key] of Object.entries(props.tAttrs ?? {})) bindAttr(node, name, key);
  if (props.t) bindText(node, props.t, props.tArgs);
  else if (props.date !== undefined) bindDate(node, props.date);
  else if (props.text !== undefined) node.textContent = props.text;
  for (const [event, handler] of Object.entries(props.on ?? {})) {
    node.addEventListener(event, handler as EventListener);
  }
  append(node, children);
  return node;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replace all children of `parent`. */
export function replaceChildren(parent: Element, children: Child[]): void {
  parent.textContent = '';
  append(parent, children);
}

/**
 * A button. An async `onClick` handles its own errors (it shows them); one it did not handle is
 * logged rather than lost as an unhandled rejection.
 */
export function button(
  props: ElProps & { kind?: 'primary' | 'secondary' | 'danger' | 'ghost' },
  onClick?: () => void | Promise<void>,
): HTMLButtonElement {
  const b = el('button', { ...props, class: `btn btn-${props.kind ?? 'secondary'} ${props.class ?? ''}`.trim() });
  b.type = 'button';
  if (onClick) b.addEventListener('click', () => void Promise.resolve(onClick()).catch((err: unknown) => console.error('button |', err)));
  return b;
}

/** A labelled definition row: <dt>label</dt><dd>value</dd>. */
export function field(label: MessageKey, value: Child): HTMLElement[] {
  return [el('dt', { t: label }), el('dd', {}, [value])];
}

/** Show or hide an element; its `data-testid` is only present while shown, so that a test that
 * waits for the selector waits for the message to appear (not for a hidden placeholder). */
export function setShown(node: HTMLElement, testid: string, shown: boolean): void {
  node.hidden = !shown;
  if (shown) node.dataset.testid = testid;
  else delete node.dataset.testid;
}

/**
 * Scrolls a node into view, smoothly unless the user asked the system for less motion
 * (prefers-reduced-motion), in which case it jumps.
 */
export function scrollIntoViewGently(node: Element, block: ScrollLogicalPosition): void {
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  node.scrollIntoView({ block, behavior: reduce ? 'auto' : 'smooth' });
}

/** An inline message area whose text is translated and cleared with `show(null)`. */
export function messageBox(testid: string, kind: 'error' | 'info' = 'error') {
  const box = el('p', { class: `message message-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status', hidden: true } });
  return {
    el: box,
    show(key: MessageKey | null, args?: MessageArgs) {
      if (key) bindText(box, key, args);
      setShown(box, testid, key !== null);
    },
    /** Show the translated message of an error code (wire or client code); `data-code` holds it. */
    showError(code: string) {
      bindError(box, code);
      box.dataset.code = code;
      setShown(box, testid, true);
    },
  };
}
