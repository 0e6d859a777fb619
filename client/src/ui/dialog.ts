// A question asked in the page: a modal <dialog> (showModal: focus stays inside, the page behind
// is inert) with a title, a body and one button per answer. Escape, or the browser closing it,
// answers null. The dialog is removed from the page once answered.
import './dialog.css';
import type { MessageArgs, MessageKey } from '../i18n';
import { button, el, type Child } from './dom';

export interface DialogAnswer<T> {
  value: T;
  t: MessageKey;
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
  testid: string;
}

export interface DialogOptions<T> {
  testid: string;
  title: MessageKey;
  titleArgs?: MessageArgs;
  body: Child[];
  /** In the order shown; the first one has the focus (make it the one that changes nothing). */
  answers: DialogAnswer<T>[];
}

export function ask<T>(options: DialogOptions<T>): Promise<T | null> {
  return new Promise((resolve) => {
    let answered = false;
    const dialog = el('dialog', { class: 'dialog', testid: options.testid, attrs: { 'aria-labelledby': `${options.testid}-title` } });
    const finish = (value: T | null) => {
      if (answered) return;
      answered = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    const buttons = options.answers.map((a) => button({ kind: a.kind, testid: a.testid, t: a.t }, () => finish(a.value)));
    dialog.append(
      el('h2', { t: options.title, tArgs: options.titleArgs, attrs: { id: `${options.testid}-title` } }),
      el('div', { class: 'dialog-body' }, options.body),
      el('div', { class: 'button-row dialog-actions' }, buttons),
    );
    dialog.addEventListener('close', () => finish(null));
    document.body.append(dialog);
    dialog.showModal();
    buttons[0]?.focus();
  });
}
