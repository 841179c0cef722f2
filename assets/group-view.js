// One group: its details and member count, the edit form, delete, CSV
// export, its members (search, page, add one or many, remove) and its history.

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { cell, fullName, h, oneAtATime, optional, panel, timeEl, viewShell } from './dom.js';
import { saveFile } from './download.js';
import { buildForm, fillForm, onSubmit, orNull } from './forms.js';
import { groupHistory } from './group-history.js';
import { GROUP_FIELDS } from './groups-view.js';
import { memberBatch } from './member-batch.js';
import { memberPicker } from './member-picker.js';
import { navigate } from './router.js';
import { announce, showAlert, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export function groupView(root, { partnerId, id: groupId, alive }) {
  const canUpdate = can('groups.update');
  const canDelete = can('groups.delete');

  let group = null;
  // The version the edit form is based on; sent as If-Match so an edit
  // never silently overwrites someone else's change.
  let etag = null;
  let editForm = null;

  const { section, title } = viewShell('Group');
  const back = h('p', { class: 'back' }, h('a', { href: '#/groups', id: 'back-to-groups' }, '← All groups'));
  section.prepend(back);
  const loading = h('p', { id: 'group-loading' }, 'Loading the group…');
  const count = h('span', { id: 'group-customers-count' });
  const description = optional(null);
  description.id = 'group-description-text';
  const content = h('div', { class: 'view-body', hidden: true },
    h('dl', { class: 'summary' },
      h('div', {}, h('dt', {}, 'Members'), h('dd', {}, count)),
      h('div', {}, h('dt', {}, 'Description'), h('dd', {}, description))));
  section.append(loading, content);
  root.append(section);

  // The export needs groups.read, as does this page (app.js), so everyone here may export.
  const exportButton = h('button', { type: 'button', id: 'group-export', class: 'button-secondary' }, 'Export CSV');
  exportButton.addEventListener('click', oneAtATime(async () => {
    try {
      const { blob, filename } = await api.groups.exportMembers(partnerId, groupId);
      saveFile(blob, filename);
      announce(`The members of “${group.name}” are saved as ${filename}.`);
    } catch (error) {
      showError(error);
    }
  }));
  content.append(h('div', { class: 'actions toolbar' }, exportButton));

  const history = can('audit.read') ? groupHistory({ partnerId, groupId, alive }) : null;

  function show(fresh, { refillForm = false } = {}) {
    group = fresh;
    title.textContent = group.name;
    document.title = `${group.name} · venue-groups`;
    count.textContent = String(group.customers_count);
    description.textContent = group.description ?? '';
    // Only on load and after a save: a member change must not wipe a half-typed edit.
    if (refillForm && editForm) fillForm(editForm, { name: group.name, description: group.description });
  }

  /** Fetches the group again; resolves to false when it is gone or could not be read. */
  async function loadGroup(options) {
    try {
      const answer = await api.groups.get(partnerId, groupId);
      if (!alive()) return false;
      etag = answer.etag;
      show(answer.group, options);
      return true;
    } catch (error) {
      if (!alive()) return false;
      if (error.status === 404) {
        loading.hidden = false;
        loading.textContent = 'This group does not exist (any more), or it belongs to another partner.';
        content.hidden = true;
      } else {
        if (!group) loading.textContent = 'The group could not be loaded.';
        showError(error);
      }
      return false;
    }
  }

  if (canUpdate) {
    editForm = buildForm({ prefix: 'group-edit', fields: GROUP_FIELDS, submitLabel: 'Save changes', className: 'form-wide' });
    onSubmit(editForm, async ({ name, description: text }) => {
      try {
        const answer = await api.groups.update(partnerId, groupId, { name, description: orNull(text) }, etag);
        etag = answer.etag;
        show(answer.group, { refillForm: true });
        announce(`Group “${answer.group.name}” saved.`);
        history?.reload();
      } catch (error) {
        if (error.status !== 412) throw error;
        await loadGroup({ refillForm: true });
        showAlert('Someone else changed this group in the meantime. The form now shows the latest version; make your change again.');
      }
    });
    content.append(panel('group-edit', 'Edit group', editForm));
  }

  if (canDelete) {
    const button = h('button', { type: 'button', id: 'group-delete', class: 'button-danger' }, 'Delete group');
    button.addEventListener('click', oneAtATime(async () => {
      const sure = await confirmDialog({
        title: 'Delete this group?',
        message: `“${group.name}” will be deleted with its ${group.customers_count} memberships. The customers themselves stay.`,
        confirmLabel: 'Delete group',
      });
      if (!sure) return;
      try {
        await api.groups.remove(partnerId, groupId);
        announce(`Group “${group.name}” deleted.`);
        navigate('/groups');
      } catch (error) {
        showError(error);
      }
    }));
    content.append(h('div', { class: 'danger-zone' }, button));
  }

  const members = pagedList({
    id: 'member',
    title: 'Members',
    noun: 'members',
    searchLabel: 'Search members by name or email',
    emptyText: 'This group has no members yet.',
    columns: ['Name', 'Email', 'Phone', 'Added', canUpdate && 'Actions'],
    alive,
    load: (query) => api.members.list(partnerId, groupId, query),
    row: (member) => h('tr', { testid: 'member-row', 'data-customer-id': member.id },
      cell('Name', h('span', { testid: 'member-name' }, fullName(member))),
      cell('Email', optional(member.email, 'member-email')),
      cell('Phone', optional(member.phone, 'member-phone')),
      cell('Added', timeEl(member.added_at, 'member-added')),
      canUpdate ? cell('Actions', h('button', {
        type: 'button',
        class: 'button-secondary button-small',
        testid: 'member-remove',
        'aria-label': `Remove ${fullName(member)} from the group`,
        onclick: oneAtATime(() => removeMember(member)),
      }, 'Remove')) : null),
  });

  // The count is the server's to tell: re-read the group after every change.
  const refresh = () => Promise.all([members.reload(), loadGroup(), history?.reload()]);

  async function removeMember(member) {
    try {
      await api.members.remove(partnerId, groupId, member.id);
      announce(`${fullName(member)} removed from “${group.name}”.`);
    } catch (error) {
      showError(error);
      if (error.status !== 404) return; // 404: no longer a member; refresh all the same
    }
    await refresh();
    members.focus();
  }

  async function addMember(customer) {
    try {
      await api.members.add(partnerId, groupId, customer.id);
      announce(`${fullName(customer)} added to “${group.name}”.`);
    } catch (error) {
      showError(error); // a 422 here is about customer_id, which has no field on screen
      return;
    }
    await refresh();
  }

  // Picking needs the customer list, which is customers.read.
  if (canUpdate && can('customers.read')) {
    const picker = memberPicker({ partnerId, alive, onPick: addMember });
    picker.append(memberBatch({ partnerId, groupId, alive, groupName: () => group.name, onAdded: refresh }));
    content.append(picker);
  }
  content.append(members.element);
  if (history) content.append(history.element);

  loadGroup({ refillForm: true }).then((found) => {
    if (!found) return;
    loading.hidden = true;
    content.hidden = false;
    members.reload();
    history?.reload();
  });
}
