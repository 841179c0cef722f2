// One staff account: its login (account.js); for an admin what it may do,
// in plain words, and its partners.

import { accountPanels } from './account.js';
import * as api from './api.js';
import { fullName, h, oneAtATime, panel, viewShell } from './dom.js';
import { t } from './i18n.js';
import { announce, showError } from './notify.js';
import { isAdmin, session } from './session.js';

// API.md's permission strings, by area, each said as what it lets someone do.
export const PERMISSION_GROUPS = [
  ['Groups', [
    ['groups.read', 'See groups and their members'],
    ['groups.create', 'Create groups'],
    ['groups.update', 'Edit groups and add or remove members'],
    ['groups.delete', 'Delete groups'],
  ]],
  ['Customers', [
    ['customers.read', 'See customers'],
    ['customers.create', 'Add customers and import spreadsheets'],
    ['customers.update', 'Edit customers'],
    ['customers.delete', 'Delete customers'],
  ]],
  ['Staff', [
    ['users.read', 'See the staff accounts'],
    ['users.create', 'Add staff accounts'],
    ['users.update', 'Change staff names, emails and passwords'],
    ['users.delete', 'Take staff off the partner'],
  ]],
  ['History', [
    ['audit.read', 'See the history of changes'],
  ]],
];

function checkbox(testid, value, label, checked) {
  const id = `${testid}-${String(value).replace(/\W/g, '-')}`;
  return h('div', { class: 'check' },
    h('input', { type: 'checkbox', id, value, testid, checked }),
    h('label', { for: id }, label));
}

export function userView(root, { id: userId, partnerId, alive }) {
  const { section, title } = viewShell(t('User'));
  section.prepend(h('p', { class: 'back' }, h('a', { href: '#/users', id: 'back-to-users' }, `← ${t('All users')}`)));
  const loading = h('p', { id: 'user-loading' }, t('Loading the user…'));
  const content = h('div', { class: 'view-body', hidden: true });
  section.append(loading, content);
  root.append(section);

  function permissionsPanel(user) {
    if (user.is_admin) {
      return panel('user-permissions', t('Permissions'),
        h('p', { id: 'user-permission-list' }, t('An administrator: may do everything, for every partner.')));
    }
    const held = new Set(user.permissions ?? []);
    const form = h('form', { id: 'user-permissions-form', class: 'form' },
      PERMISSION_GROUPS.map(([area, items]) => h('fieldset', { class: 'checks' },
        h('legend', {}, t(area)),
        items.map(([permission, label]) => checkbox('permission', permission, t(label), held.has(permission))))),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', id: 'user-permissions-submit' }, t('Save permissions'))));
    form.addEventListener('submit', oneAtATime(async (event) => {
      event.preventDefault();
      const chosen = [...form.querySelectorAll('[data-testid=permission]:checked')].map((box) => box.value);
      try {
        await api.users.setPermissions(user.id, chosen);
        announce(t('Permissions of {name} saved.', { name: fullName(user) || user.email }));
      } catch (error) {
        showError(error);
      }
    }));
    return panel('user-permissions', t('What {name} may do', { name: fullName(user) || user.email }), form);
  }

  function partnersPanel(user) {
    const held = new Set((user.partner_ids ?? []).map(String));
    const form = h('form', { id: 'user-partners-form', class: 'form' },
      h('fieldset', { class: 'checks' }, h('legend', {}, t('Works for')),
        session.partners.map((p) => checkbox('user-partner', p.id, p.name, held.has(String(p.id))))),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', id: 'user-partners-submit' }, t('Save partners'))));
    form.addEventListener('submit', oneAtATime(async (event) => {
      event.preventDefault();
      const ids = [...form.querySelectorAll('[data-testid=user-partner]:checked')].map((box) => Number(box.value));
      try {
        await api.users.setPartners(user.id, ids);
        announce(t('Partners of {name} saved.', { name: fullName(user) || user.email }));
      } catch (error) {
        showError(error);
      }
    }));
    return panel('user-partners', t('Partners'), form);
  }

  function show(user) {
    if (!alive()) return;
    title.textContent = fullName(user) || user.email;
    document.title = `${title.textContent} · venue-groups`;
    content.replaceChildren(
      h('dl', { class: 'summary' }, h('div', {}, h('dt', {}, t('Email')), h('dd', { class: 'email' }, user.email))),
      ...accountPanels(user, partnerId, show),
      isAdmin() ? permissionsPanel(user) : null,
      isAdmin() && !user.is_admin ? partnersPanel(user) : null,
    );
    loading.hidden = true;
    content.hidden = false;
  }

  // Others than admins see a user only under the partner they share.
  (isAdmin() ? api.users.getAny(userId) : api.users.get(partnerId, userId)).then(({ data }) => show(data), (error) => {
    if (!alive()) return;
    loading.textContent = error.status === 404
      ? t('This user does not exist (any more).')
      : t('The user could not be loaded.');
    if (error.status !== 404) showError(error);
  });
}
