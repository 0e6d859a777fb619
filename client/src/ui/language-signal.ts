// The current language as a signal, for the Preact components: a component that translates with
// `tr()` renders again on a language switch (the DOM helpers use bindText for the same).
import { signal } from '@preact/signals';
import { getLanguage, onLanguageChange, t, type MessageArgs, type MessageKey } from '../i18n';

export const language = signal(getLanguage());
onLanguageChange(() => (language.value = getLanguage()));

/** t(), subscribing the rendering component to language switches. */
export function tr(key: MessageKey, args?: MessageArgs): string {
  void language.value;
  return t(key, args);
}
