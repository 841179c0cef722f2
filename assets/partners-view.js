// Partners (admins only): list, switch to one, rename, delete, create.

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { byId, cell, h, oneAtATime, panel, timeEl, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { t, tn } from './i18n.js';
import { announce, showAlert, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { session } from './session.js';

/** `usePartner(id)` selects one; `refreshPartners(newId)` reloads the picker. */
export function partnersView(root, { alive, usePartner, refreshPartners }) {
  const { section } = viewShell(t('Partners'));
  // The partner being renamed, and the button to return focus to.
  let renaming = null;

  // GET /partners takes no search, so this list has no search box.
  const list = pagedList({
    id: 'partner',
    title: t('All partners'),
    countText: (n) => tn(n, '{n} partner', '{n} partners'),
    noMatch: () => '',
    emptyText: t('There are no partners yet. Create the first one below.'),
    columns: [t('Name'), t('Created'), t('Actions')],
    alive,
    load: (query) => api.partners.list(query),
    row: (partner) => {
      const current = String(partner.id) === String(session.partnerId);
      return h('tr', { testid: 'partner-row', 'data-partner-id': partner.id, class: current ? 'is-current' : null },
        cell(t('Name'), h('span', { testid: 'partner-name' }, partner.name)),
        cell(t('Created'), timeEl(partner.created_at)),
        cell(t('Actions'), h('div', { class: 'actions' },
          current
            ? h('span', { class: 'badge' }, t('Selected'))
            : h('button', {
              type: 'button',
              class: 'button-secondary button-small',
              testid: 'partner-use',
              onclick: () => usePartner(partner.id),
            }, t('Work with this partner')),
          h('button', {
            type: 'button',
            class: 'button-secondary button-small',
            testid: 'partner-rename',
            'aria-label': t('Rename {name}', { name: partner.name }),
            onclick: (event) => startRename(partner, event.currentTarget),
          }, t('Rename')),
          h('button', {
            type: 'button',
            class: 'button-danger button-small',
            testid: 'partner-delete',
            'aria-label': t('Delete {name}', { name: partner.name }),
            onclick: oneAtATime(() => remove(partner)),
          }, t('Delete')))));
    },
  });

  const renameForm = buildForm({
    prefix: 'partner-rename',
    submitLabel: t('Save name'),
    fields: [{ name: 'name', label: t('New name'), required: true, maxlength: 255 }],
  });
  const cancel = h('button', { type: 'button', id: 'partner-rename-cancel', class: 'button-secondary' }, t('Cancel'));
  renameForm.querySelector('.form-actions').append(cancel);
  const renamePanel = panel('partner-rename', t('Rename partner'), renameForm);
  renamePanel.hidden = true;

  function startRename(partner, button) {
    renaming = { partner, button };
    renamePanel.querySelector('h3').textContent = t('Rename “{name}”', { name: partner.name });
    renamePanel.hidden = false;
    byId('partner-rename-name').value = partner.name;
    byId('partner-rename-name').focus();
  }

  function endRename() {
    const id = renaming?.partner.id;
    renaming = null;
    renamePanel.hidden = true;
    // Back to the row's own button (the row was drawn anew).
    const again = id && section.querySelector(`[data-partner-id="${id}"] [data-testid=partner-rename]`);
    (again ?? list).focus?.();
  }

  cancel.addEventListener('click', endRename);
  onSubmit(renameForm, async ({ name }) => {
    const { data } = await api.partners.update(renaming.partner.id, { name });
    announce(t('Partner renamed to “{name}”.', { name: data.name }));
    await Promise.all([list.reload(), refreshPartners()]);
    endRename();
  });

  async function remove(partner) {
    const sure = await confirmDialog({
      title: t('Delete this partner?'),
      message: t('“{name}” will be deleted. This works only once it has no groups and no customers left.', { name: partner.name }),
      confirmLabel: t('Delete partner'),
    });
    if (!sure) return;
    try {
      await api.partners.remove(partner.id);
      announce(t('Partner “{name}” deleted.', { name: partner.name }));
    } catch (error) {
      if (error.status === 409) {
        showAlert(t('“{name}” still has groups or customers, so it was not deleted. Delete or move them first; its staff accounts stay either way.', { name: partner.name }));
      } else {
        showError(error);
      }
      if (error.status !== 404) return;
    }
    await Promise.all([list.reload(), refreshPartners()]);
    list.focus();
  }

  const form = buildForm({
    prefix: 'partner-create',
    submitLabel: t('Create partner'),
    fields: [{ name: 'name', label: t('Name'), required: true, maxlength: 255 }],
  });
  onSubmit(form, async ({ name }) => {
    const { data } = await api.partners.create({ name });
    form.reset();
    announce(t('Partner “{name}” created.', { name: data.name }));
    await refreshPartners(data.id);
    await list.showNew(data.id);
    byId('partner-create-name')?.focus();
  });

  section.append(renamePanel, list.element, panel('partner-create', t('New partner'), form));
  root.append(section);
  list.reload();
}
