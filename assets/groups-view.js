// The partner's groups: search, page, create, delete (edits: group-view.js).

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { byId, cell, h, oneAtATime, optional, panel, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { number, t, tn } from './i18n.js';
import { announce, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export const groupFields = () => [
  { name: 'name', label: t('Name'), required: true, maxlength: 255 },
  { name: 'description', label: t('Description'), multiline: true, maxlength: 2000 },
];

/** Asks, then deletes; true once it is gone (whoever deleted it). */
export async function deleteGroup(partnerId, group) {
  const sure = await confirmDialog({
    title: t('Delete this group?'),
    message: t('“{name}” will be deleted with its {n} memberships. The customers themselves stay.',
      { name: group.name, n: number(group.customers_count) }),
    confirmLabel: t('Delete group'),
  });
  if (!sure) return false;
  try {
    await api.groups.remove(partnerId, group.id);
    announce(t('Group “{name}” deleted.', { name: group.name }));
    return true;
  } catch (error) {
    showError(error);
    return error.status === 404;
  }
}

export function groupsView(root, { partnerId, alive }) {
  const { section } = viewShell(t('Groups'));
  const canDelete = can('groups.delete');

  const list = pagedList({
    id: 'group',
    title: t('All groups'),
    countText: (n) => tn(n, '{n} group', '{n} groups'),
    noMatch: (term) => t('No groups match “{term}”.', { term }),
    searchLabel: t('Search groups by name'),
    emptyText: t('There are no groups yet.'),
    columns: [t('Name'), t('Description'), t('Members'), canDelete && t('Actions')],
    alive,
    load: (query) => api.groups.list(partnerId, query),
    row: (group) => h('tr', { testid: 'group-row', 'data-group-id': group.id },
      cell(t('Name'), h('a', { href: `#/groups/${group.id}`, testid: 'group-name' }, group.name)),
      cell(t('Description'), optional(group.description, 'group-description')),
      cell(t('Members'), h('span', { testid: 'group-count' }, String(group.customers_count))),
      canDelete ? cell(t('Actions'), h('button', {
        type: 'button',
        class: 'button-danger button-small',
        testid: 'group-delete',
        'aria-label': t('Delete group {name}', { name: group.name }),
        onclick: oneAtATime(async () => {
          if (!(await deleteGroup(partnerId, group))) return;
          await list.reload();
          list.focus();
        }),
      }, t('Delete'))) : null),
  });

  section.append(list.element);
  // The list is what people come for; the form to make a new one follows it.
  if (can('groups.create')) {
    const form = buildForm({ prefix: 'group-create', fields: groupFields(), submitLabel: t('Create group'), className: 'form-wide' });
    onSubmit(form, async ({ name, description }) => {
      const body = description ? { name, description } : { name };
      const { data } = await api.groups.create(partnerId, body);
      form.reset();
      announce(t('Group “{name}” created.', { name: data.name }));
      await list.showNew(data.id);
      byId('group-create-name')?.focus();
    });
    section.append(panel('group-create', t('New group'), form));
  }
  root.append(section);
  list.reload();
}
