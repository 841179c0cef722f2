// One customer: details, edit, delete (not its groups: no route for them).

import * as api from './api.js';
import { fullName, h, oneAtATime, optional, panel, timeEl, viewShell } from './dom.js';
import { buildForm, fillForm, onSubmit } from './forms.js';
import { customerBody, customerFields, deleteCustomer } from './customers-view.js';
import { t } from './i18n.js';
import { navigate } from './router.js';
import { announce, showError } from './notify.js';
import { can } from './session.js';

export function customerView(root, { partnerId, id: customerId, alive }) {
  const { section, title } = viewShell(t('Customer'));
  section.prepend(h('p', { class: 'back' }, h('a', { href: '#/customers', id: 'back-to-customers' }, `← ${t('All customers')}`)));
  const loading = h('p', { id: 'customer-loading' }, t('Loading the customer…'));
  const content = h('div', { class: 'view-body', hidden: true });
  section.append(loading, content);
  root.append(section);

  let customer = null;
  let editForm = null;
  const email = optional(null, 'customer-detail-email');
  const phone = optional(null, 'customer-detail-phone');
  const updated = h('span');
  content.append(h('dl', { class: 'summary' },
    h('div', {}, h('dt', {}, t('Email')), h('dd', {}, email)),
    h('div', {}, h('dt', {}, t('Phone')), h('dd', {}, phone)),
    h('div', {}, h('dt', {}, t('Last changed')), h('dd', {}, updated))));

  function show(fresh) {
    customer = fresh;
    title.textContent = fullName(customer);
    document.title = `${fullName(customer)} · venue-groups`;
    email.textContent = customer.email ?? '';
    phone.textContent = customer.phone ?? '';
    updated.replaceChildren(timeEl(customer.updated_at));
    if (editForm) fillForm(editForm, customer);
  }

  if (can('customers.update')) {
    editForm = buildForm({ prefix: 'customer-edit', fields: customerFields(), submitLabel: t('Save changes'), className: 'form-wide' });
    onSubmit(editForm, async (values) => {
      const { data } = await api.customers.update(partnerId, customerId, customerBody(values));
      show(data);
      announce(t('Customer {name} saved.', { name: fullName(data) }));
    });
    content.append(panel('customer-edit', t('Edit customer'), editForm));
  }

  if (can('customers.delete')) {
    const button = h('button', { type: 'button', id: 'customer-delete', class: 'button-danger' }, t('Delete customer'));
    button.addEventListener('click', oneAtATime(async () => {
      if (await deleteCustomer(partnerId, customer)) navigate('/customers');
    }));
    content.append(h('div', { class: 'danger-zone' }, button));
  }

  api.customers.get(partnerId, customerId).then(({ data }) => {
    if (!alive()) return;
    show(data);
    loading.hidden = true;
    content.hidden = false;
  }, (error) => {
    if (!alive()) return;
    loading.textContent = error.status === 404
      ? t('This customer does not exist (any more), or it belongs to another partner.')
      : t('The customer could not be loaded.');
    if (error.status !== 404) showError(error);
  });
}
