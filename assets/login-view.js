// The login form. The token it receives goes to sessionStorage only.

import * as api from './api.js';
import { viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { token } from './http.js';

export function loginView(root, { onLoggedIn }) {
  const { section } = viewShell('Log in', 'view-login');
  const form = buildForm({
    prefix: 'login',
    submitLabel: 'Log in',
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username', autofocus: true },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
    ],
  });
  onSubmit(form, async ({ email, password }) => {
    const { data } = await api.auth.login(email, password);
    token.set(data.token);
    await onLoggedIn();
  });
  section.append(form);
  root.append(section);
}
