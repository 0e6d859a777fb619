// #/account: change one's own password; admins also list staff accounts and create new ones
// (surveyors, auditors, admins). The first admin's one-time password is meant to be changed here.
import { STAFF_ROLES, can, type AccountView, type StaffRole } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { el, messageBox, replaceChildren } from '../ui/dom';
import type { ConsoleContext } from './context';

function input(name: string, type = 'text', extra: Record<string, string | number | boolean> = {}): HTMLInputElement {
  return el('input', { attrs: { name, type, required: true, maxlength: 256, ...extra } });
}

function passwordCard(onChanged: () => void): HTMLElement {
  const current = input('currentPassword', 'password', { autocomplete: 'current-password' });
  const next = input('newPassword', 'password', { autocomplete: 'new-password', minlength: 10 });
  const message = messageBox('password-message', 'info');
  const error = messageBox('password-error');
  const form = el(
    'form',
    {
      class: 'card',
      testid: 'password-form',
      on: {
        submit: (e) => {
          e.preventDefault();
          void change();
        },
      },
    },
    [
      el('h2', { t: 'account.password' }),
      el('label', { class: 'field' }, [el('span', { t: 'account.current' }), current]),
      el('label', { class: 'field' }, [el('span', { t: 'account.new' }), next]),
      error.el,
      message.el,
      el('button', { class: 'btn btn-primary', t: 'account.change', attrs: { type: 'submit' } }),
    ],
  );
  async function change(): Promise<void> {
    error.show(null);
    message.show(null);
    try {
      await api.changePassword({ currentPassword: current.value, newPassword: next.value });
      form.reset();
      message.show('account.changed');
      onChanged();
    } catch (err) {
      const code = errorCode(err);
      if (code === 'UNAUTHENTICATED') error.show('account.wrongPassword');
      else error.showError(code);
    }
  }
  return form;
}

function staffCard(self: AccountView): HTMLElement {
  const list = el('tbody');
  const error = messageBox('accounts-error');
  const message = messageBox('accounts-message', 'info');
  const username = input('username', 'text', { maxlength: 64, pattern: '[A-Za-z0-9_.\\-]{3,64}', autocomplete: 'off' });
  const displayName = input('displayName', 'text', { maxlength: 80 });
  const password = input('password', 'password', { minlength: 10, autocomplete: 'new-password' });
  const role = el(
    'select',
    { attrs: { name: 'role' } },
    STAFF_ROLES.map((r) => el('option', { t: `role.${r}`, attrs: { value: r, selected: r === 'surveyor' } })),
  );

  async function load(): Promise<void> {
    try {
      const { accounts } = await api.listAccounts();
      replaceChildren(
        list,
        accounts.map((a: AccountView) =>
          el('tr', { testid: 'account-row', data: { username: a.username, disabled: String(a.disabled) } }, [
            el('td', { text: a.username }),
            el('td', { text: a.displayName }),
            el('td', { t: `role.${a.role}` }),
            el('td', { t: a.disabled ? 'account.disabled' : 'account.active' }),
            el(
              'td',
              {},
              a.id === self.id
                ? []
                : [
                    el('button', {
                      class: 'btn btn-ghost',
                      testid: 'account-toggle',
                      t: a.disabled ? 'account.enable' : 'account.disable',
                      attrs: { type: 'button' },
                      on: { click: () => void act(() => (a.disabled ? api.enableAccount(a.id) : api.disableAccount(a.id))) },
                    }),
                    el('button', {
                      class: 'btn btn-ghost',
                      testid: 'account-reset',
                      t: 'account.reset',
                      attrs: { type: 'button' },
                      on: { click: () => void reset(a) },
                    }),
                  ],
            ),
          ]),
        ),
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  const form = el(
    'form',
    {
      class: 'form-grid',
      testid: 'create-account',
      on: {
        submit: (e) => {
          e.preventDefault();
          void create();
        },
      },
    },
    [
      el('label', { class: 'field' }, [el('span', { t: 'account.username' }), username]),
      el('label', { class: 'field' }, [el('span', { t: 'account.displayName' }), displayName]),
      el('label', { class: 'field' }, [el('span', { t: 'account.role' }), role]),
      el('label', { class: 'field' }, [el('span', { t: 'account.initialPassword' }), password]),
      el('button', { class: 'btn btn-primary', t: 'account.create', attrs: { type: 'submit' } }),
    ],
  );

  async function act(call: () => Promise<unknown>): Promise<void> {
    error.show(null);
    message.show(null);
    try {
      await call();
      await load();
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  async function reset(a: AccountView): Promise<void> {
    error.show(null);
    message.show(null);
    try {
      const { oneTimePassword } = await api.resetPassword(a.id);
      message.show('account.resetDone', { username: a.username, password: oneTimePassword });
      await load();
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  async function create(): Promise<void> {
    error.show(null);
    message.show(null);
    try {
      const { account } = await api.createAccount({
        username: username.value.trim(),
        displayName: displayName.value.trim(),
        password: password.value,
        role: role.value as StaffRole,
      });
      form.reset();
      message.show('account.created', { username: account.username });
      await load();
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  void load();
  return el('section', { class: 'card' }, [
    el('h2', { t: 'account.staff' }),
    el('table', { class: 'table' }, [
      el('thead', {}, [
        el('tr', {}, [
          el('th', { t: 'account.username' }),
          el('th', { t: 'account.displayName' }),
          el('th', { t: 'account.role' }),
          el('th', { t: 'account.status' }),
          el('th'),
        ]),
      ]),
      list,
    ]),
    el('h3', { t: 'account.create' }),
    form,
    error.el,
    message.el,
  ]);
}

export function mountAccountView(root: HTMLElement, ctx: ConsoleContext): () => void {
  // A generated password (first admin, admin reset) must be replaced before anything else: only
  // the password form is shown, and once changed the console starts as usual.
  const forced = ctx.account.mustChangePassword;
  replaceChildren(root, [
    el('h1', { t: 'account.title' }),
    forced ? el('p', { class: 'message message-info', testid: 'must-change-password', t: 'account.mustChange' }) : null,
    passwordCard(() => forced && ctx.passwordChanged()),
    !forced && can(ctx.account.role, 'account.manage') ? staffCard(ctx.account) : null,
  ]);
  return () => undefined;
}
