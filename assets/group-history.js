// A group's history, newest first, with names looked up for the trail's ids
// (a deleted customer's from its customer.deleted entry).

import * as api from './api.js';
import { fullName, h, panel, timeEl } from './dom.js';
import { number, t } from './i18n.js';
import { showError } from './notify.js';
import { can, isAdmin, session } from './session.js';

const PER_PAGE = 20;
// A batch may hold 1000 ids; naming the first few says enough.
const NAMED_IN_BATCH = 10;

const ACTIONS = {
  'group.created': 'Created',
  'group.updated': 'Edited',
  'group.deleted': 'Deleted',
  'group.member_added': 'Member added',
  'group.member_removed': 'Member removed',
  'group.members_batch': 'Members added or removed in bulk',
};

const FIELDS = { name: 'Name', description: 'Description' };

/** Names for the history's ids, each asked for once. */
function nameBook(partnerId) {
  const users = new Map();
  const customers = new Map();
  // Non-admins have no route to one user: the partner's list, read once.
  let staff = null;

  async function userName(id) {
    if (id === session.user?.id) return t('{name} (you)', { name: fullName(session.user) || session.user.email });
    try {
      let found = null;
      if (isAdmin()) {
        found = (await api.users.getAny(id)).data;
      } else if (can('users.read')) {
        staff ??= api.users.all(partnerId);
        found = (await staff).find((u) => u.id === id);
      }
      if (found) return fullName(found) || found.email;
    } catch {
      // Gone, or not to be read: the id is all there is.
    }
    return t('user {id}', { id });
  }

  async function customerName(id) {
    if (!can('customers.read')) return t('customer {id}', { id });
    try {
      const { data } = await api.customers.get(partnerId, id);
      return fullName(data);
    } catch (error) {
      if (error.status !== 404) return t('customer {id}', { id });
    }
    try {
      const { data } = await api.audit.list(partnerId, {
        subject_type: 'customer', subject_id: id, action: 'customer.deleted', per_page: 1,
      });
      const changes = data[0]?.changes ?? {};
      const name = fullName({ first_name: changes.first_name?.[0], last_name: changes.last_name?.[0] });
      if (name) return t('{name} (deleted since)', { name });
    } catch {
      // Fall back to the id.
    }
    return t('customer {id}', { id });
  }

  const once = (cache, look) => (id) => {
    if (!cache.has(id)) cache.set(id, look(id));
    return cache.get(id);
  };
  return { user: once(users, userName), customer: once(customers, customerName) };
}

function quoted(v) {
  if (v === null || v === undefined || v === '') return t('none');
  return `“${v}”`;
}

/** One line per change, with names. */
async function changeLines(entry, book) {
  const { action, changes } = entry;
  if (action === 'group.members_batch') {
    const lines = [];
    for (const [field, label] of [['added', 'Added: {names}'], ['removed', 'Removed: {names}']]) {
      const ids = [].concat(changes?.[field] ?? []);
      if (!ids.length) continue;
      const names = await Promise.all(ids.slice(0, NAMED_IN_BATCH).map(book.customer));
      const rest = ids.length - names.length;
      lines.push(t(label, { names: names.join(', ') + (rest > 0 ? ` ${t('and {n} more', { n: number(rest) })}` : '') }));
    }
    return lines;
  }
  if (action === 'group.member_added' || action === 'group.member_removed') {
    const [before, after] = changes?.customer_id ?? [];
    const id = after ?? before;
    return id === undefined || id === null ? [] : [await book.customer(id)];
  }
  const lines = [];
  for (const [field, change] of Object.entries(changes ?? {})) {
    if (!Array.isArray(change) || change.length !== 2) continue;
    const [before, after] = change;
    if (before === null && after === null) continue; // created without it
    const label = t(FIELDS[field] ?? field.replaceAll('_', ' '));
    if (action === 'group.created') lines.push(`${label}: ${quoted(after)}`);
    else if (action === 'group.deleted') lines.push(`${label}: ${quoted(before)}`);
    else lines.push(`${label}: ${quoted(before)} → ${quoted(after)}`);
  }
  return lines;
}

async function entryRow(entry, book) {
  const [who, lines] = await Promise.all([
    entry.user_id === null || entry.user_id === undefined ? t('the command line') : book.user(entry.user_id),
    changeLines(entry, book),
  ]);
  const what = ACTIONS[entry.action] ? t(ACTIONS[entry.action]) : entry.action;
  return h('li', { testid: 'history-entry', 'data-action': entry.action, 'data-entry-id': entry.id },
    h('p', { class: 'history-head' },
      h('span', { class: 'history-what', testid: 'history-what' }, what),
      lines.length === 1 && /member_/.test(entry.action)
        ? [': ', h('span', { class: 'history-subject', testid: 'history-subject' }, lines[0])] : null,
      ` · ${t('by')} `, h('span', { testid: 'history-who' }, who),
      ', ', timeEl(entry.created_at, 'history-when')),
    lines.length && !/member_/.test(entry.action)
      ? h('ul', { class: 'history-changes', testid: 'history-changes' }, lines.map((line) => h('li', {}, line))) : null);
}

export function groupHistory({ partnerId, groupId, alive }) {
  let page = 0;
  let seq = 0;
  const book = nameBook(partnerId);

  const list = h('ol', { id: 'group-history', class: 'history' });
  const empty = h('p', { id: 'group-history-empty', class: 'empty', hidden: true }, t('No changes are recorded for this group.'));
  const older = h('button', { type: 'button', id: 'group-history-more', class: 'button-secondary', hidden: true }, t('Show older changes'));

  async function load(target) {
    const mine = ++seq;
    try {
      const { data, meta } = await api.audit.list(partnerId, {
        subject_type: 'group', subject_id: groupId, page: target, per_page: PER_PAGE,
      });
      const rows = await Promise.all(data.map((entry) => entryRow(entry, book)));
      if (mine !== seq || !alive()) return;
      if (target === 1) list.replaceChildren(...rows);
      else list.append(...rows);
      page = target;
      empty.hidden = list.children.length > 0;
      older.hidden = meta.current_page >= meta.last_page;
    } catch (error) {
      if (mine === seq && alive()) showError(error);
    }
  }

  older.addEventListener('click', async () => {
    await load(page + 1);
    // The button may have hidden itself (no older page): keep focus in the list.
    if (older.hidden) document.getElementById('group-history-panel-title')?.focus();
  });

  return {
    element: panel('group-history-panel', t('History'), list, empty, older),
    /** Shows the newest page again (after a change made here). */
    reload: () => load(1),
  };
}
