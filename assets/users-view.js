// The partner's staff accounts: list, and add one (an admin then lands on its page).

import * as api from './api.js';
import { byId, cell, email, fullName, h, panel, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { t, tn } from './i18n.js';
import { announce } from './notify.js';
import { pagedList } from './pagedlist.js';
import { navigate } from './router.js';
import { can, isAdmin } from './session.js';

export function usersView(root, { partnerId, alive }) {
  const { section } = viewShell(t('Users'));

  const list = pagedList({
    id: 'user',
    title: t('Users of this partner'),
    countText: (n) => tn(n, '{n} user', '{n} users'),
    noMatch: (term) => t('No users match “{term}”.', { term }),
    searchLabel: t('Search users by name or email'),
    emptyText: t('This partner has no users yet.'),
    columns: [t('Name'), t('Email')],
    alive,
    load: (query) => api.users.list(partnerId, query),
    row: (user) => h('tr', { testid: 'user-row', 'data-user-id': user.id },
      // A user's page is for those who may change something there.
      cell(t('Name'), isAdmin() || can('users.update') || can('users.delete')
        ? h('a', { href: `#/users/${user.id}`, testid: 'user-name' }, fullName(user) || user.email)
        : h('span', { testid: 'user-name' }, fullName(user) || user.email)),
      cell(t('Email'), email(user.email, 'user-email'))),
  });
  section.append(list.element);

  if (can('users.create')) {
    const form = buildForm({
      prefix: 'user-create',
      submitLabel: t('Add user'),
      className: 'form-wide',
      fields: [
        {
          name: 'email',
          label: t('Email'),
          type: 'email',
          required: true,
          hint: t('If this email already has an account, that account is added to this partner and the name and password below are ignored.'),
        },
        { name: 'password', label: t('Password'), type: 'password', required: true, minlength: 8, autocomplete: 'new-password', hint: t('At least 8 characters.') },
        { name: 'first_name', label: t('First name'), required: true, maxlength: 255 },
        { name: 'last_name', label: t('Last name'), required: true, maxlength: 255 },
      ],
    });
    onSubmit(form, async (values) => {
      const { data } = await api.users.create(partnerId, values);
      form.reset();
      // New accounts start without permissions (API.md, "Users of a partner").
      if (isAdmin()) {
        announce(t('{email} can now log in for this partner. Choose what they may do.', { email: data.email }));
        navigate(`/users/${data.id}`);
        return;
      }
      announce(t('{email} can now log in for this partner. An administrator still has to grant permissions.', { email: data.email }));
      await list.showNew(data.id);
      byId('user-create-email')?.focus();
    });
    section.append(panel('user-create', t('Add a user'), form));
  }

  root.append(section);
  list.reload();
}
