// Finds the partner's customers by name or email so one can be added to a
// group. Each hit is a button ([data-testid="customer-result"]) that adds it.

import * as api from './api.js';
import { debounce, fullName, h, oneAtATime, panel } from './dom.js';
import { showError } from './notify.js';

const MAX_RESULTS = 10;

/** `onPick(customer)` adds the customer; the picker keeps its results so several can be added in a row. */
export function memberPicker({ partnerId, alive, onPick }) {
  let seq = 0;

  const input = h('input', {
    id: 'member-add-search',
    type: 'search',
    autocomplete: 'off',
    'aria-describedby': 'member-add-hint',
    'aria-controls': 'member-add-results',
  });
  const form = h('form', { id: 'member-add-form', class: 'search', role: 'search' },
    h('label', { for: 'member-add-search' }, 'Find a customer'),
    h('p', { id: 'member-add-hint', class: 'hint' }, 'Type part of a name or an email address.'),
    h('div', { class: 'search-row' }, input,
      h('button', { type: 'submit', id: 'member-add-search-submit', class: 'button-secondary' }, 'Find')));
  const results = h('ul', { id: 'member-add-results', class: 'results', 'aria-label': 'Matching customers' });
  const none = h('p', { id: 'member-add-empty', class: 'empty', hidden: true });
  const more = h('p', { id: 'member-add-more', class: 'hint', hidden: true });

  async function find() {
    const term = input.value.trim();
    const mine = ++seq;
    if (!term) {
      show([], 0, term);
      return;
    }
    try {
      const { data, meta } = await api.customers.list(partnerId, { search: term, per_page: MAX_RESULTS });
      if (mine === seq && alive()) show(data, meta.total, term);
    } catch (error) {
      if (mine === seq && alive()) showError(error);
    }
  }

  function show(customers, total, term) {
    results.replaceChildren(...customers.map((customer) => h('li', {},
      h('button', {
        type: 'button',
        class: 'result',
        testid: 'customer-result',
        'data-customer-id': customer.id,
        'aria-label': `Add ${fullName(customer)}${customer.email ? ` (${customer.email})` : ''}`,
        onclick: oneAtATime(() => onPick(customer)),
      },
      h('span', { class: 'result-name' }, fullName(customer)),
      h('span', { class: 'result-email' }, customer.email ?? ''),
      h('span', { class: 'result-action', 'aria-hidden': 'true' }, 'Add')))));
    none.hidden = !term || customers.length > 0;
    none.textContent = `No customer matches “${term}”.`;
    more.hidden = total <= customers.length;
    more.textContent = `Showing ${customers.length} of ${total}. Type more to narrow the search.`;
  }

  const findSoon = debounce(find);
  input.addEventListener('input', findSoon);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    findSoon.cancel();
    find();
  });

  return panel('member-add', 'Add a member', form, results, none, more);
}
