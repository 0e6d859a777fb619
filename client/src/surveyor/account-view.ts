// #/account: change one's own password; admins also list staff accounts, create new ones
// (surveyors, auditors, admins), edit their display name and role, disable, enable and reset them.
// The first admin's one-time password is meant to be changed here.
import { STAFF_ROLES, USERNAME_RULE, can, type AccountView, type StaffRole, type UpdateAccountRequest } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { t } from '../i18n';
import { button, el, messageBox, replaceChildren } from '../ui/dom';
import './account-view.css';
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

/** One row of the staff table: its cells, and while edited, a name field and a role choice. */
function accountRow(a: AccountView, self: AccountView, actions: RowActions): HTMLElement {
  const row = el('tr', { testid: 'account-row', data: { username: a.username, disabled: String(a.disabled), role: a.role } });
  const isSelf = a.id === self.id;
  const show = () =>
    replaceChildren(row, [
      el('td', { text: a.username }),
      el('td', {}, [el('span', { text: a.displayName }), isSelf ? el('span', { class: 'badge account-you', t: 'account.you' }) : null]),
      el('td', { t: `role.${a.role}` }),
      el('td', {}, [
        el('span', { class: a.disabled ? 'badge badge-muted' : 'badge badge-live', t: a.disabled ? 'account.disabled' : 'account.active' }),
      ]),
      el('td', { class: 'actions' }, [
        el('div', { class: 'button-row account-actions' }, [
          button({ kind: 'ghost', testid: 'account-edit', t: 'account.edit' }, edit),
          isSelf
            ? null
            : button({ kind: 'ghost', testid: 'account-toggle', t: a.disabled ? 'account.enable' : 'account.disable' }, () =>
                actions.act(() => (a.disabled ? api.enableAccount(a.id) : api.disableAccount(a.id))),
              ),
          isSelf ? null : button({ kind: 'ghost', testid: 'account-reset', t: 'account.reset' }, () => actions.reset(a)),
        ]),
      ]),
    ]);
  function edit(): void {
    const name = el('input', {
      attrs: {
        name: 'displayName',
        type: 'text',
        required: true,
        maxlength: 80,
        value: a.displayName,
        'aria-label': t('account.displayName'),
      },
    });
    const role = el(
      'select',
      { attrs: { name: 'role', disabled: isSelf, 'aria-label': t('account.role') } },
      STAFF_ROLES.map((r) => el('option', { t: `role.${r}`, attrs: { value: r, selected: r === a.role } })),
    );
    const error = messageBox('account-edit-error');
    const save = async () => {
      error.show(null);
      const displayName = name.value.trim();
      if (!name.reportValidity() || !displayName) return;
      const body: UpdateAccountRequest = {};
      if (displayName !== a.displayName) body.displayName = displayName;
      if (!isSelf && role.value !== a.role) body.role = role.value as StaffRole;
      if (!Object.keys(body).length) return show();
      try {
        const { account } = await api.updateAccount(a.id, body);
        actions.saved(account, body.role !== undefined);
      } catch (err) {
        const code = errorCode(err);
        if (code === 'CONFLICT' && body.role === 'auditor' && a.role !== 'admin')
          error.show('account.roleOpenInspections', { username: a.username });
        else if (code === 'CONFLICT' && a.role === 'admin') error.show('account.lastAdmin');
        else error.showError(code);
      }
    };
    const form = el('div', { class: 'account-edit', testid: 'account-edit-form' }, [name, error.el]);
    replaceChildren(row, [
      el('td', { text: a.username }),
      el('td', {}, [form]),
      el('td', {}, [role, isSelf ? el('small', { class: 'field-hint', t: 'account.ownRole' }) : null]),
      el('td', {}, [
        el('span', { class: a.disabled ? 'badge badge-muted' : 'badge badge-live', t: a.disabled ? 'account.disabled' : 'account.active' }),
      ]),
      el('td', { class: 'actions' }, [
        el('div', { class: 'button-row account-actions' }, [
          button({ kind: 'primary', testid: 'account-save', t: 'account.save' }, save),
          button({ kind: 'ghost', testid: 'account-cancel', t: 'account.cancel' }, show),
        ]),
      ]),
    ]);
    name.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.isComposing) void save();
    });
    name.focus();
  }
  show();
  return row;
}

interface RowActions {
  act(call: () => Promise<unknown>): Promise<void>;
  reset(a: AccountView): Promise<void>;
  saved(a: AccountView, roleChanged: boolean): void;
}

function staffCard(self: AccountView): HTMLElement {
  const list = el('tbody');
  const error = messageBox('accounts-error');
  const message = messageBox('accounts-message', 'info');
  const createError = messageBox('create-account-error');
  const createMessage = messageBox('create-account-message', 'info');
  // The one username rule (shared/src/api.ts): the browser checks it before sending, the hint says it.
  const username = input('username', 'text', {
    minlength: USERNAME_RULE.minLength,
    maxlength: USERNAME_RULE.maxLength,
    pattern: USERNAME_RULE.pattern,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    'aria-describedby': 'username-hint',
  });
  const usernameHint = el('small', {
    class: 'field-hint',
    testid: 'username-hint',
    t: 'account.usernameRule',
    tArgs: { min: USERNAME_RULE.minLength, max: USERNAME_RULE.maxLength },
    attrs: { id: 'username-hint' },
  });
  const usernameError = messageBox('username-error');
  username.addEventListener('input', () => {
    usernameError.show(null);
    username.removeAttribute('aria-invalid');
  });
  const displayName = input('displayName', 'text', { maxlength: 80 });
  const password = input('password', 'password', { minlength: 10, autocomplete: 'new-password' });
  const role = el(
    'select',
    { attrs: { name: 'role' } },
    STAFF_ROLES.map((r) => el('option', { t: `role.${r}`, attrs: { value: r, selected: r === 'surveyor' } })),
  );

  const actions: RowActions = {
    act,
    reset,
    saved(account, roleChanged) {
      if (roleChanged) message.show('account.roleChanged', { username: account.username, role: t(`role.${account.role}`) });
      else message.show('account.saved', { username: account.username });
      void load();
    },
  };

  async function load(): Promise<void> {
    try {
      const { accounts } = await api.listAccounts();
      replaceChildren(
        list,
        accounts.map((a: AccountView) => accountRow(a, self, actions)),
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  const form = el(
    'form',
    {
      class: 'form-grid account-create',
      testid: 'create-account',
      on: {
        submit: (e) => {
          e.preventDefault();
          void create();
        },
      },
    },
    [
      el('label', { class: 'field' }, [el('span', { t: 'account.username' }), username, usernameHint, usernameError.el]),
      el('label', { class: 'field' }, [el('span', { t: 'account.displayName' }), displayName]),
      el('label', { class: 'field' }, [el('span', { t: 'account.role' }), role]),
      el('label', { class: 'field' }, [el('span', { t: 'account.initialPassword' }), password]),
      el('div', { class: 'form-actions' }, [el('button', { class: 'btn btn-primary', t: 'account.create', attrs: { type: 'submit' } })]),
    ],
  );

  async function act(call: () => Promise<unknown>): Promise<void> {
    error.show(null);
    message.show(null);
    try {
      await call();
      await load();
    } catch (err) {
      const code = errorCode(err);
      if (code === 'CONFLICT') error.show('account.lastAdmin');
      else error.showError(code);
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
    createError.show(null);
    createMessage.show(null);
    usernameError.show(null);
    const name = username.value.trim();
    try {
      const { account } = await api.createAccount({
        username: name,
        displayName: displayName.value.trim(),
        password: password.value,
        role: role.value as StaffRole,
      });
      form.reset();
      createMessage.show('account.created', { username: account.username });
      await load();
    } catch (err) {
      const code = errorCode(err);
      // The only unique field: a conflict is a taken username, said next to it.
      if (code === 'CONFLICT') {
        usernameError.show('account.usernameTaken', { username: name });
        username.setAttribute('aria-invalid', 'true');
        username.focus();
      } else createError.showError(code);
    }
  }

  void load();
  return el('section', { class: 'card' }, [
    el('h2', { t: 'account.staff' }),
    el('p', { class: 'muted account-note', t: 'account.roleNote' }),
    error.el,
    message.el,
    el('div', { class: 'table-wrap' }, [
      el('table', { class: 'table accounts-table' }, [
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
    ]),
    el('h3', { class: 'account-create-title', t: 'account.create' }),
    form,
    createError.el,
    createMessage.el,
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
