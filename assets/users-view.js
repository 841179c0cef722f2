// The staff accounts of the selected partner: list, and add one.

import * as api from './api.js';
import { byId, cell, fullName, h, panel, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { announce } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export function usersView(root, { partnerId, alive }) {
  const { section } = viewShell('Users');

  const list = pagedList({
    id: 'user',
    title: 'Users of this partner',
    noun: 'users',
    searchLabel: 'Search users by name or email',
    emptyText: 'This partner has no users yet.',
    columns: ['Name', 'Email'],
    alive,
    load: (query) => api.users.list(partnerId, query),
    row: (user) => h('tr', { testid: 'user-row', 'data-user-id': user.id },
      cell('Name', h('span', { testid: 'user-name' }, fullName(user))),
      cell('Email', h('span', { testid: 'user-email' }, user.email))),
  });

  if (can('users.create')) {
    const form = buildForm({
      prefix: 'user-create',
      submitLabel: 'Add user',
      className: 'form-wide',
      fields: [
        {
          name: 'email',
          label: 'Email',
          type: 'email',
          required: true,
          hint: 'If this email already has an account, that account is added to this partner and the name and password below are ignored.',
        },
        { name: 'password', label: 'Password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password', hint: 'At least 8 characters.' },
        { name: 'first_name', label: 'First name', required: true, maxlength: 255 },
        { name: 'last_name', label: 'Last name', required: true, maxlength: 255 },
      ],
    });
    onSubmit(form, async (values) => {
      const { data } = await api.users.create(partnerId, values);
      form.reset();
      // New accounts start without permissions (API.md, "Users of a partner").
      announce(`${data.email} can now sign in for this partner. An administrator still has to grant permissions.`);
      await list.showNew(data.id);
      byId('user-create-email')?.focus();
    });
    section.append(panel('user-create', 'Add a user', form));
  }

  section.append(list.element);
  root.append(section);
  list.reload();
}
