// A group's history from the audit trail, newest first: who changed what, and
// when. Members appear as customer ids: the trail keeps ids, and a name looked
// up today could belong to a customer renamed or deleted since.

import * as api from './api.js';
import { h, panel, timeEl } from './dom.js';
import { showError } from './notify.js';
import { session } from './session.js';

const PER_PAGE = 20;

const ACTIONS = {
  'group.created': 'Created',
  'group.updated': 'Edited',
  'group.deleted': 'Deleted',
  'group.member_added': 'Member added',
  'group.member_removed': 'Member removed',
  'group.members_batch': 'Members added or removed in bulk',
};

const FIELDS = { customer_id: 'customer', name: 'name', description: 'description' };

function value(field, v) {
  if (v === null || v === undefined) return 'none';
  if (field === 'customer_id') return `#${v}`;
  return typeof v === 'string' ? `“${v}”` : String(v);
}

/** One line per changed field: `[old, new]` pairs, or the id lists of a batch. */
function changeLines(action, changes) {
  const lines = [];
  for (const [field, change] of Object.entries(changes ?? {})) {
    const label = FIELDS[field] ?? field.replaceAll('_', ' ');
    if (action === 'group.members_batch') {
      const ids = [].concat(change);
      if (ids.length) lines.push(`${label}: customers ${ids.map((id) => `#${id}`).join(', ')}`);
    } else if (Array.isArray(change) && change.length === 2) {
      const [before, after] = change;
      if (before === null && after === null) continue; // created without it
      // A creation or addition has no "before", a deletion or removal no "after":
      // show the side there is. An edit shows both, also when one is empty.
      if (/(created|added)$/.test(action)) lines.push(`${label}: ${value(field, after)}`);
      else if (/(deleted|removed)$/.test(action)) lines.push(`${label}: ${value(field, before)}`);
      else lines.push(`${label}: ${value(field, before)} → ${value(field, after)}`);
    } else {
      lines.push(`${label}: ${JSON.stringify(change)}`);
    }
  }
  return lines;
}

function who(userId) {
  if (userId === null || userId === undefined) return 'command line';
  return userId === session.user?.id ? `user ${userId} (you)` : `user ${userId}`;
}

function entryRow(entry) {
  const lines = changeLines(entry.action, entry.changes);
  return h('li', { testid: 'history-entry', 'data-action': entry.action, 'data-entry-id': entry.id },
    h('p', { class: 'history-head' },
      h('span', { class: 'history-what', testid: 'history-what' }, ACTIONS[entry.action] ?? entry.action),
      ' by ', h('span', { testid: 'history-who' }, who(entry.user_id)),
      ', ', timeEl(entry.created_at, 'history-when')),
    lines.length ? h('ul', { class: 'history-changes', testid: 'history-changes' }, lines.map((line) => h('li', {}, line))) : null);
}

export function groupHistory({ partnerId, groupId, alive }) {
  let page = 0;
  let seq = 0;

  const list = h('ol', { id: 'group-history', class: 'history' });
  const empty = h('p', { id: 'group-history-empty', class: 'empty', hidden: true }, 'No changes are recorded for this group.');
  const older = h('button', { type: 'button', id: 'group-history-more', class: 'button-secondary', hidden: true }, 'Show older changes');

  async function load(target) {
    const mine = ++seq;
    try {
      const { data, meta } = await api.audit.list(partnerId, {
        subject_type: 'group', subject_id: groupId, page: target, per_page: PER_PAGE,
      });
      if (mine !== seq || !alive()) return;
      const rows = data.map(entryRow);
      if (target === 1) list.replaceChildren(...rows);
      else list.append(...rows);
      page = target;
      empty.hidden = list.children.length > 0;
      older.hidden = meta.current_page >= meta.last_page;
    } catch (error) {
      if (mine === seq && alive()) showError(error);
    }
  }

  older.addEventListener('click', () => load(page + 1));

  return {
    element: panel('group-history-panel', 'History', list, empty, older),
    /** Shows the newest page again (after a change made here). */
    reload: () => load(1),
  };
}
