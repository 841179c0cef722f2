// The selected partner's customers: search, page through, create, import
// from CSV (customer-import.js), delete. Editing happens on the customer's
// own page (customer-view.js).

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { customerImport } from './customer-import.js';
import { byId, cell, fullName, h, oneAtATime, optional, panel, viewShell } from './dom.js';
import { buildForm, onSubmit, orNull } from './forms.js';
import { announce, showError } from './notify.js';
import { pagedList } from './pagedlist.js';
import { can } from './session.js';

export const CUSTOMER_FIELDS = [
  { name: 'first_name', label: 'First name', required: true, maxlength: 255 },
  { name: 'last_name', label: 'Last name', required: true, maxlength: 255 },
  { name: 'email', label: 'Email', type: 'email' },
  { name: 'phone', label: 'Phone', type: 'tel', maxlength: 50 },
];

/** The request body for a create or a full edit: empty email or phone means none. */
export function customerBody({ first_name, last_name, email, phone }) {
  return { first_name, last_name, email: orNull(email), phone: orNull(phone) };
}

/** Asks, then deletes; resolves to true when the customer is gone (also when someone else deleted it first). */
export async function deleteCustomer(partnerId, customer) {
  const sure = await confirmDialog({
    title: 'Delete this customer?',
    message: `${fullName(customer)} will be deleted and removed from every group.`,
    confirmLabel: 'Delete customer',
  });
  if (!sure) return false;
  try {
    await api.customers.remove(partnerId, customer.id);
    announce(`Customer ${fullName(customer)} deleted.`);
    return true;
  } catch (error) {
    showError(error);
    return error.status === 404;
  }
}

export function customersView(root, { partnerId, alive }) {
  const { section } = viewShell('Customers');
  const canUpdate = can('customers.update');
  const canDelete = can('customers.delete');

  const list = pagedList({
    id: 'customer',
    title: 'All customers',
    noun: 'customers',
    searchLabel: 'Search customers by name or email',
    emptyText: 'There are no customers yet.',
    columns: ['Name', 'Email', 'Phone', (canUpdate || canDelete) && 'Actions'],
    alive,
    load: (query) => api.customers.list(partnerId, query),
    row: (customer) => h('tr', { testid: 'customer-row', 'data-customer-id': customer.id },
      cell('Name', h('a', { href: `#/customers/${customer.id}`, testid: 'customer-name' }, fullName(customer))),
      cell('Email', optional(customer.email, 'customer-email')),
      cell('Phone', optional(customer.phone, 'customer-phone')),
      canUpdate || canDelete ? cell('Actions', h('div', { class: 'actions' },
        canUpdate ? h('a', {
          href: `#/customers/${customer.id}`,
          class: 'button button-secondary button-small',
          testid: 'customer-edit',
          'aria-label': `Edit ${fullName(customer)}`,
        }, 'Edit') : null,
        canDelete ? h('button', {
          type: 'button',
          class: 'button-danger button-small',
          testid: 'customer-delete',
          'aria-label': `Delete ${fullName(customer)}`,
          onclick: oneAtATime(async () => {
            if (!(await deleteCustomer(partnerId, customer))) return;
            await list.reload();
            list.focus();
          }),
        }, 'Delete') : null)) : null),
  });

  if (can('customers.create')) {
    const form = buildForm({ prefix: 'customer-create', fields: CUSTOMER_FIELDS, submitLabel: 'Create customer', className: 'form-wide' });
    onSubmit(form, async (values) => {
      const { data } = await api.customers.create(partnerId, customerBody(values));
      form.reset();
      announce(`Customer ${fullName(data)} created.`);
      await list.showNew(data.id);
      byId('customer-create-first-name')?.focus();
    });
    section.append(panel('customer-create', 'New customer', form));
    // New customers land at the end of the id-ordered list.
    section.append(customerImport({ partnerId, alive, onImported: () => list.showNew() }));
  }

  section.append(list.element);
  root.append(section);
  list.reload();
}
