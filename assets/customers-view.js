// The partner's customers: search, page, create, import, delete (edits: customer-view.js).

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { customerImport } from './customer-import.js';
import { byId, cell, email, fullName, h, oneAtATime, optional, panel, viewShell } from './dom.js';
import { buildForm, onSubmit, orNull } from './forms.js';
import { t, tn } from './i18n.js';
import { announce, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export const customerFields = () => [
  { name: 'first_name', label: t('First name'), required: true, maxlength: 255 },
  { name: 'last_name', label: t('Last name'), required: true, maxlength: 255 },
  { name: 'email', label: t('Email'), type: 'email' },
  { name: 'phone', label: t('Phone'), type: 'tel', maxlength: 50 },
];

/** The request body for a create or a full edit: empty email or phone means none. */
export function customerBody({ first_name, last_name, email, phone }) {
  return { first_name, last_name, email: orNull(email), phone: orNull(phone) };
}

/** Asks, then deletes; true once it is gone (whoever deleted it). */
export async function deleteCustomer(partnerId, customer) {
  const sure = await confirmDialog({
    title: t('Delete this customer?'),
    message: t('{name} will be deleted and removed from every group.', { name: fullName(customer) }),
    confirmLabel: t('Delete customer'),
  });
  if (!sure) return false;
  try {
    await api.customers.remove(partnerId, customer.id);
    announce(t('Customer {name} deleted.', { name: fullName(customer) }));
    return true;
  } catch (error) {
    showError(error);
    return error.status === 404;
  }
}

export function customersView(root, { partnerId, alive }) {
  const { section } = viewShell(t('Customers'));
  const canUpdate = can('customers.update');
  const canDelete = can('customers.delete');

  const list = pagedList({
    id: 'customer',
    title: t('All customers'),
    countText: (n) => tn(n, '{n} customer', '{n} customers'),
    noMatch: (term) => t('No customers match “{term}”.', { term }),
    searchLabel: t('Search customers by name or email'),
    emptyText: t('There are no customers yet.'),
    columns: [t('Name'), t('Email'), t('Phone'), (canUpdate || canDelete) && t('Actions')],
    alive,
    load: (query) => api.customers.list(partnerId, query),
    row: (customer) => h('tr', { testid: 'customer-row', 'data-customer-id': customer.id },
      cell(t('Name'), h('a', { href: `#/customers/${customer.id}`, testid: 'customer-name' }, fullName(customer))),
      cell(t('Email'), email(customer.email, 'customer-email')),
      cell(t('Phone'), optional(customer.phone, 'customer-phone')),
      canUpdate || canDelete ? cell(t('Actions'), h('div', { class: 'actions' },
        canUpdate ? h('a', {
          href: `#/customers/${customer.id}`,
          class: 'button button-secondary button-small',
          testid: 'customer-edit',
          'aria-label': t('Edit {name}', { name: fullName(customer) }),
        }, t('Edit')) : null,
        canDelete ? h('button', {
          type: 'button',
          class: 'button-danger button-small',
          testid: 'customer-delete',
          'aria-label': t('Delete {name}', { name: fullName(customer) }),
          onclick: oneAtATime(async () => {
            if (!(await deleteCustomer(partnerId, customer))) return;
            await list.reload();
            list.focus();
          }),
        }, t('Delete')) : null)) : null),
  });

  // The list first; the forms that add to it follow.
  section.append(list.element);
  if (can('customers.create')) {
    const form = buildForm({ prefix: 'customer-create', fields: customerFields(), submitLabel: t('Create customer'), className: 'form-wide' });
    onSubmit(form, async (values) => {
      const { data } = await api.customers.create(partnerId, customerBody(values));
      form.reset();
      announce(t('Customer {name} created.', { name: fullName(data) }));
      await list.showNew(data.id);
      byId('customer-create-first-name')?.focus();
    });
    section.append(panel('customer-create', t('New customer'), form));
    // New customers land at the end of the id-ordered list.
    section.append(customerImport({ partnerId, alive, onImported: () => list.showNew() }));
  }

  root.append(section);
  list.reload();
}
