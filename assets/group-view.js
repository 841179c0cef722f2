// One group: members first; export, edit and delete behind "More actions"; its history.

import * as api from './api.js';
import { cell, email, fullName, h, oneAtATime, optional, panel, timeEl, viewShell } from './dom.js';
import { saveFile } from './download.js';
import { buildForm, fillForm, onSubmit, orNull } from './forms.js';
import { groupHistory } from './group-history.js';
import { deleteGroup, groupFields } from './groups-view.js';
import { locale, t, tn } from './i18n.js';
import { memberBatch } from './member-batch.js';
import { memberPicker } from './member-picker.js';
import { navigate } from './router.js';
import { announce, showAlert, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

/** "Season tickets-2026-12-03.csv": the group's name (without characters file systems refuse) and today's date. */
export function exportName(groupName, today = new Date()) {
  const safe = groupName.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').replace(/^[\s.]+|[\s.]+$/g, '') || 'group';
  const pad = (n) => String(n).padStart(2, '0');
  return `${safe}-${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}.csv`;
}

export function groupView(root, { partnerId, id: groupId, alive }) {
  const canUpdate = can('groups.update');
  const canDelete = can('groups.delete');
  const canPick = canUpdate && can('customers.read');

  let group = null;
  // The version the edit form is based on; sent as If-Match so an edit
  // never silently overwrites someone else's change.
  let etag = null;
  let editForm = null;

  const { section, title } = viewShell(t('Group'));
  const back = h('p', { class: 'back' }, h('a', { href: '#/groups', id: 'back-to-groups' }, `← ${t('All groups')}`));
  section.prepend(back);
  const loading = h('p', { id: 'group-loading' }, t('Loading the group…'));
  const count = h('span', { id: 'group-customers-count' });
  const description = optional(null);
  description.id = 'group-description-text';
  const content = h('div', { class: 'view-body', hidden: true },
    h('dl', { class: 'summary' },
      h('div', {}, h('dt', {}, t('Members')), h('dd', {}, count)),
      h('div', {}, h('dt', {}, t('Description')), h('dd', {}, description))));
  section.append(loading, content);
  root.append(section);

  const toolbar = h('div', { class: 'actions toolbar' });
  content.append(toolbar);

  // The export needs groups.read, as does this page (app.js), so everyone here may export.
  const exportButton = h('button', { type: 'button', id: 'group-export', class: 'button-secondary' }, t('Export CSV'));
  exportButton.addEventListener('click', oneAtATime(async () => {
    try {
      const { blob } = await api.groups.exportMembers(partnerId, groupId);
      const filename = exportName(group.name);
      saveFile(blob, filename);
      announce(t('The members of “{name}” are saved as {file}.', { name: group.name, file: filename }));
    } catch (error) {
      showError(error);
    }
  }));
  const more = h('details', { id: 'group-more', class: 'more' },
    h('summary', { class: 'button button-secondary' }, t('More actions')));
  const moreBody = h('div', { class: 'more-body' }, h('div', { class: 'actions' }, exportButton));
  more.append(moreBody);

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
        loading.textContent = t('This group does not exist (any more), or it belongs to another partner.');
        content.hidden = true;
      } else {
        if (!group) loading.textContent = t('The group could not be loaded.');
        showError(error);
      }
      return false;
    }
  }

  if (canUpdate) {
    editForm = buildForm({ prefix: 'group-edit', fields: groupFields(), submitLabel: t('Save changes'), className: 'form-wide' });
    onSubmit(editForm, async ({ name, description: text }) => {
      try {
        const answer = await api.groups.update(partnerId, groupId, { name, description: orNull(text) }, etag);
        etag = answer.etag;
        show(answer.group, { refillForm: true });
        announce(t('Group “{name}” saved.', { name: answer.group.name }));
        history?.reload();
      } catch (error) {
        if (error.status !== 412) throw error;
        await loadGroup({ refillForm: true });
        showAlert(t('Someone else changed this group in the meantime. The form now shows the latest version; make your change again.'));
      }
    });
    moreBody.append(panel('group-edit', t('Edit group'), editForm));
  }

  if (canDelete) {
    const button = h('button', { type: 'button', id: 'group-delete', class: 'button-danger' }, t('Delete group'));
    button.addEventListener('click', oneAtATime(async () => {
      if (await deleteGroup(partnerId, group)) navigate('/groups');
    }));
    moreBody.append(h('div', { class: 'danger-zone' }, button));
  }

  const byName = (a, b) => (a.last_name + ' ' + a.first_name).localeCompare(b.last_name + ' ' + b.first_name, locale())
    || a.id - b.id;
  const members = pagedList({
    id: 'member',
    title: t('Members'),
    countText: (n) => tn(n, '{n} member', '{n} members'),
    noMatch: (term) => t('No members match “{term}”.', { term }),
    searchLabel: t('Search members by name or email'),
    emptyText: t('This group has no members yet.'),
    columns: [t('Name'), t('Email'), t('Phone'), t('Added'), canUpdate && t('Actions')],
    sorts: [
      { value: 'id', label: t('Customer number') },
      { value: 'name', label: t('Name (A–Z)'), compare: byName },
      { value: 'added', label: t('Date added (oldest first)'), compare: (a, b) => a.added_at.localeCompare(b.added_at) || a.id - b.id },
      { value: 'added-desc', label: t('Date added (newest first)'), compare: (a, b) => b.added_at.localeCompare(a.added_at) || b.id - a.id },
    ],
    alive,
    load: (query) => api.members.list(partnerId, groupId, query),
    row: (member) => h('tr', { testid: 'member-row', 'data-customer-id': member.id },
      cell(t('Name'), h('a', { href: `#/customers/${member.id}`, testid: 'member-name' }, fullName(member))),
      cell(t('Email'), email(member.email, 'member-email')),
      cell(t('Phone'), optional(member.phone, 'member-phone')),
      cell(t('Added'), timeEl(member.added_at, 'member-added')),
      canUpdate ? cell(t('Actions'), h('button', {
        type: 'button',
        class: 'button-secondary button-small',
        testid: 'member-remove',
        'aria-label': t('Remove {name} from the group', { name: fullName(member) }),
        onclick: oneAtATime(() => removeMember(member)),
      }, t('Remove'))) : null),
  });

  // The count is the server's to tell: re-read the group after every change.
  const refresh = () => Promise.all([members.reload(), loadGroup(), history?.reload()]);

  async function removeMember(member) {
    try {
      await api.members.remove(partnerId, groupId, member.id);
      announce(t('{name} removed from “{group}”.', { name: fullName(member), group: group.name }));
    } catch (error) {
      showError(error);
      if (error.status !== 404) return; // 404: no longer a member; refresh all the same
    }
    await refresh();
    members.focus();
  }

  async function addMember(customer, alreadyMember) {
    if (alreadyMember) {
      announce(t('{name} is already a member of “{group}”.', { name: fullName(customer), group: group.name }));
      return;
    }
    try {
      const before = group.customers_count;
      await api.members.add(partnerId, groupId, customer.id);
      await refresh();
      // Adding a member again answers 200 and changes nothing (API.md): the count tells.
      announce(group.customers_count === before
        ? t('{name} is already a member of “{group}”.', { name: fullName(customer), group: group.name })
        : t('{name} added to “{group}”.', { name: fullName(customer), group: group.name }));
    } catch (error) {
      showError(error); // a 422 here is about customer_id, which has no field on screen
    }
  }

  /** The ids among `customers` that are members now (the members list searched with the same words). */
  async function memberIds(term) {
    const ids = new Set();
    for (let page = 1; page <= 10; page += 1) {
      const { data, meta } = await api.members.list(partnerId, groupId, { search: term, page, per_page: 100 });
      for (const m of data) ids.add(m.id);
      if (page >= meta.last_page) break;
    }
    return ids;
  }

  if (canPick) {
    const addOpen = h('button', {
      type: 'button', id: 'member-add-open', 'aria-expanded': 'false', 'aria-controls': 'member-add',
    }, t('Add members'));
    toolbar.append(addOpen);
    const picker = memberPicker({ partnerId, alive, memberIds, onPick: addMember });
    picker.hidden = true;
    picker.append(memberBatch({
      partnerId, groupId, alive, memberIds, groupName: () => group.name, onAdded: refresh,
    }));
    addOpen.addEventListener('click', () => {
      const open = picker.hidden;
      picker.hidden = !open;
      addOpen.setAttribute('aria-expanded', String(open));
      if (open) document.getElementById('member-add-search')?.focus();
    });
    content.append(picker);
  }
  toolbar.append(more);
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
