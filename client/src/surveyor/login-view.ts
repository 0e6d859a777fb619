// The sign-in form.
import type { AccountView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { el, messageBox } from '../ui/dom';

export function mountLoginView(root: HTMLElement, onSignedIn: (account: AccountView) => void): () => void {
  const username = el('input', {
    attrs: { id: 'username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 },
  });
  const password = el('input', {
    attrs: { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 256 },
  });
  const submit = el('button', { class: 'btn btn-primary btn-block', testid: 'login-submit', t: 'login.submit', attrs: { type: 'submit' } });
  const error = messageBox('login-error');

  const form = el(
    'form',
    {
      class: 'card login-card',
      testid: 'login-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          void signIn();
        },
      },
    },
    [
      el('h1', { t: 'login.title' }),
      el('label', { class: 'field', attrs: { for: 'username' } }, [el('span', { t: 'login.username' }), username]),
      el('label', { class: 'field', attrs: { for: 'password' } }, [el('span', { t: 'login.password' }), password]),
      error.el,
      submit,
    ],
  );

  async function signIn(): Promise<void> {
    error.show(null);
    submit.disabled = true;
    try {
      const { account } = await api.login({ username: username.value.trim(), password: password.value });
      onSignedIn(account);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'UNAUTHENTICATED' || code === 'BAD_REQUEST') error.show('login.invalid');
      else error.showError(code);
      password.select();
    } finally {
      submit.disabled = false;
    }
  }

  root.replaceChildren(el('main', { class: 'login-page' }, [form]));
  username.focus();
  return () => undefined;
}
