// The selected partner's groups: search, page through, create, delete.
// Editing happens on the group's own page (group-view.js).

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { byId, cell, h, oneAtATime, optional, panel, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { announce, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export const GROUP_FIELDS = [
  { name: 'name', label: 'Name', required: true, maxlength: 255 },
  { name: 'description', label: 'Description', multiline: true, maxlength: 2000 },
];

export function groupsView(root, { partnerId, alive }) {
  const { section } = viewShell('Groups');
  const canDelete = can('groups.delete');

  const list = pagedList({
    id: 'group',
    title: 'All groups',
    noun: 'groups',
    searchLabel: 'Search groups by name',
    emptyText: 'There are no groups yet.',
    columns: ['Name', 'Description', 'Members', canDelete && 'Actions'],
    alive,
    load: (query) => api.groups.list(partnerId, query),
    row: (group) => h('tr', { testid: 'group-row', 'data-group-id': group.id },
      cell('Name', h('a', { href: `#/groups/${group.id}`, testid: 'group-name' }, group.name)),
      cell('Description', optional(group.description, 'group-description')),
      cell('Members', h('span', { testid: 'group-count' }, String(group.customers_count))),
      canDelete ? cell('Actions', h('button', {
        type: 'button',
        class: 'button-danger button-small',
        testid: 'group-delete',
        'aria-label': `Delete group ${group.name}`,
        onclick: oneAtATime(() => remove(group)),
      }, 'Delete')) : null),
  });

  async function remove(group) {
    const sure = await confirmDialog({
      title: 'Delete this group?',
      message: `“${group.name}” will be deleted with its ${group.customers_count} memberships. The customers themselves stay.`,
      confirmLabel: 'Delete group',
    });
    if (!sure) return;
    try {
      await api.groups.remove(partnerId, group.id);
      announce(`Group “${group.name}” deleted.`);
    } catch (error) {
      showError(error);
      if (error.status !== 404) return; // 404: someone else deleted it; refresh all the same
    }
    await list.reload();
    list.focus();
  }

  if (can('groups.create')) {
    const form = buildForm({ prefix: 'group-create', fields: GROUP_FIELDS, submitLabel: 'Create group', className: 'form-wide' });
    onSubmit(form, async ({ name, description }) => {
      const body = description ? { name, description } : { name };
      const { data } = await api.groups.create(partnerId, body);
      form.reset();
      announce(`Group “${data.name}” created.`);
      await list.showNew(data.id);
      byId('group-create-name')?.focus();
    });
    section.append(panel('group-create', 'New group', form));
  }

  section.append(list.element);
  root.append(section);
  list.reload();
}
