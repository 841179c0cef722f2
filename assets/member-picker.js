// Finds customers by name or email; each hit is a button that adds it to the group.

import * as api from './api.js';
import { debounce, fullName, h, oneAtATime, panel } from './dom.js';
import { number, t } from './i18n.js';
import { showError } from './notify.js';

const MAX_RESULTS = 10;

/** `onPick(customer, alreadyMember)` adds one; `memberIds(term)`: the members matching the words. */
export function memberPicker({ partnerId, alive, memberIds, onPick }) {
  let seq = 0;
  let members = new Set();

  const input = h('input', {
    id: 'member-add-search',
    type: 'search',
    autocomplete: 'off',
    'aria-describedby': 'member-add-hint',
    'aria-controls': 'member-add-results',
  });
  const form = h('form', { id: 'member-add-form', class: 'search' },
    h('label', { for: 'member-add-search' }, t('Find a customer')),
    h('p', { id: 'member-add-hint', class: 'hint' }, t('Type a name (first, last or both) or an email address.')),
    h('div', { class: 'search-row' }, input,
      h('button', { type: 'submit', id: 'member-add-search-submit', class: 'button-secondary' }, t('Find'))));
  const results = h('ul', { id: 'member-add-results', class: 'results', 'aria-label': t('Matching customers') });
  const none = h('p', { id: 'member-add-empty', class: 'empty', hidden: true });
  const more = h('p', { id: 'member-add-more', class: 'hint', hidden: true });
  let last = { customers: [], total: 0, term: '' };

  async function find() {
    const term = input.value.trim();
    const mine = ++seq;
    if (!term) {
      show([], 0, term);
      return;
    }
    try {
      // The whole string goes to the API, which matches every word (API.md, `search`).
      const [{ data, meta }, ids] = await Promise.all([
        api.customers.list(partnerId, { search: term, per_page: MAX_RESULTS }),
        memberIds(term),
      ]);
      if (mine !== seq || !alive()) return;
      members = ids;
      show(data, meta.total, term);
    } catch (error) {
      if (mine === seq && alive()) showError(error);
    }
  }

  function result(customer) {
    const member = members.has(customer.id);
    // The visible text is the accessible name (no aria-label), so speech
    // input users can say what they see (WCAG 2.5.3).
    return h('li', {},
      h('button', {
        type: 'button',
        class: member ? 'result is-member' : 'result',
        testid: 'customer-result',
        'data-customer-id': customer.id,
        'data-member': member ? 'true' : null,
        onclick: oneAtATime(async () => {
          await onPick(customer, members.has(customer.id));
          members.add(customer.id);
          show(last.customers, last.total, last.term);
          results.querySelector(`[data-customer-id="${customer.id}"]`)?.focus();
        }),
      },
      h('span', { class: 'result-action' }, member ? t('Already a member:') : t('Add')),
      h('span', { class: 'result-name' }, fullName(customer)),
      h('span', { class: 'result-email' }, customer.email ?? '')));
  }

  function show(customers, total, term) {
    last = { customers, total, term };
    results.replaceChildren(...customers.map(result));
    none.hidden = !term || customers.length > 0;
    none.textContent = t('No customer matches “{term}”.', { term });
    more.hidden = total <= customers.length;
    more.textContent = t('Showing {shown} of {total}. Type more to narrow the search.', { shown: number(customers.length), total: number(total) });
  }

  const findSoon = debounce(find);
  input.addEventListener('input', findSoon);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    findSoon.cancel();
    find();
  });

  return panel('member-add', t('Add a member'), form, results, none, more);
}
