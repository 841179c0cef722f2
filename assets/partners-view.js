// Partners (admins only): list, create, and switch to one.

import * as api from './api.js';
import { byId, cell, h, panel, timeEl, viewShell } from './dom.js';
import { buildForm, onSubmit } from './forms.js';
import { announce } from './notify.js';
import { pagedList } from './pagedlist.js';
import { session } from './session.js';

/** `usePartner(id)` selects a partner; `refreshPartners(newId)` reloads the header's picker. */
export function partnersView(root, { alive, usePartner, refreshPartners }) {
  const { section } = viewShell('Partners');

  // GET /partners takes no search, so this list has no search box.
  const list = pagedList({
    id: 'partner',
    title: 'All partners',
    noun: 'partners',
    emptyText: 'There are no partners yet. Create the first one above.',
    columns: ['Name', 'Created', 'Actions'],
    alive,
    load: (query) => api.partners.list(query),
    row: (partner) => {
      const current = String(partner.id) === String(session.partnerId);
      return h('tr', { testid: 'partner-row', 'data-partner-id': partner.id, class: current ? 'is-current' : null },
        cell('Name', h('span', { testid: 'partner-name' }, partner.name)),
        cell('Created', timeEl(partner.created_at)),
        cell('Actions', current
          ? h('span', { class: 'badge' }, 'Selected')
          : h('button', {
            type: 'button',
            class: 'button-secondary button-small',
            testid: 'partner-use',
            'aria-label': `Work with ${partner.name}`,
            onclick: () => usePartner(partner.id),
          }, 'Work with this partner')));
    },
  });

  const form = buildForm({
    prefix: 'partner-create',
    submitLabel: 'Create partner',
    fields: [{ name: 'name', label: 'Name', required: true, maxlength: 255 }],
  });
  onSubmit(form, async ({ name }) => {
    const { data } = await api.partners.create({ name });
    form.reset();
    announce(`Partner “${data.name}” created.`);
    await refreshPartners(data.id);
    await list.showNew(data.id);
    byId('partner-create-name')?.focus();
  });

  section.append(panel('partner-create', 'New partner', form), list.element);
  root.append(section);
  list.reload();
}
