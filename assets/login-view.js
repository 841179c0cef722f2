// The login form; its token goes to sessionStorage only (http.js).

import * as api from './api.js';
import { viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { token } from './http.js';
import { t } from './i18n.js';

export function loginView(root, { onLoggedIn }) {
  const { section } = viewShell(t('Log in'), 'view-login');
  const form = buildForm({
    prefix: 'login',
    submitLabel: t('Log in'),
    fields: [
      { name: 'email', label: t('Email'), type: 'email', required: true, autocomplete: 'username', autofocus: true },
      { name: 'password', label: t('Password'), type: 'password', required: true, autocomplete: 'current-password' },
    ],
  });
  onSubmit(form, async ({ email, password }) => {
    try {
      const { data } = await api.auth.login(email, password);
      token.set(data.token);
    } catch (error) {
      if (error.status === 401) error.message = t('The email or the password is wrong.');
      throw error;
    }
    await onLoggedIn();
  });
  section.append(form);
  root.append(section);
}
