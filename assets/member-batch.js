// "Add many": tick customers in a search list, add them with one all-or-nothing batch call.

import * as api from './api.js';
import { debounce, fullName, h, oneAtATime } from './dom.js';
import { number, t, tn } from './i18n.js';
import { announce, showAlert, showError } from './notify.js';

const PER_PAGE = 50;

/** `onAdded()` runs after a successful batch. */
export function memberBatch({ partnerId, groupId, alive, memberIds, groupName, onAdded }) {
  // Ticked customers by id; kept across searches, so several searches can fill one batch.
  const chosen = new Map();
  let seq = 0;
  let loaded = false;
  let members = new Set();

  const open = h('button', {
    type: 'button',
    id: 'member-batch-open',
    class: 'button-secondary',
    'aria-expanded': 'false',
    'aria-controls': 'member-batch-body',
  }, t('Add many…'));

  const input = h('input', { id: 'member-batch-search', type: 'search', autocomplete: 'off', 'aria-controls': 'member-batch-list' });
  const search = h('form', { id: 'member-batch-search-form', class: 'search' },
    h('label', { for: 'member-batch-search' }, t('Show customers matching')),
    h('div', { class: 'search-row' }, input,
      h('button', { type: 'submit', id: 'member-batch-search-submit', class: 'button-secondary' }, t('Find'))));
  const list = h('ul', { id: 'member-batch-list', class: 'checklist', 'aria-label': t('Customers to add') });
  const none = h('p', { id: 'member-batch-empty', class: 'empty', hidden: true });
  const more = h('p', { id: 'member-batch-more', class: 'hint', hidden: true });
  const selected = h('span', { id: 'member-batch-selected', class: 'hint', 'aria-live': 'polite' });
  const submit = h('button', { type: 'button', id: 'member-batch-submit', disabled: true }, t('Add selected'));
  const body = h('div', { id: 'member-batch-body', class: 'batch', hidden: true },
    h('p', { class: 'hint' }, t('Tick everyone to add, across as many searches as needed, then add them in one go.')),
    search, list, none, more,
    h('div', { class: 'form-actions' }, submit, selected));

  function updateSelection() {
    const n = chosen.size;
    submit.disabled = n === 0;
    submit.textContent = n ? t('Add {n} selected', { n: number(n) }) : t('Add selected');
    selected.textContent = n
      ? t('{n} ticked: {names}', { n: number(n), names: [...chosen.values()].map(fullName).join(', ') })
      : t('Nobody ticked yet.');
  }

  function item(customer) {
    const id = `member-batch-${customer.id}`;
    const member = members.has(customer.id);
    const box = h('input', {
      type: 'checkbox',
      id,
      testid: 'batch-customer',
      'data-customer-id': customer.id,
      'data-member': member ? 'true' : null,
      // Ticked and greyed: they are in already, and a tick would add nobody.
      checked: member || chosen.has(customer.id),
      disabled: member,
    });
    box.addEventListener('change', () => {
      if (box.checked) chosen.set(customer.id, customer);
      else chosen.delete(customer.id);
      updateSelection();
    });
    return h('li', { class: member ? 'is-member' : null }, box, h('label', { for: id },
      h('span', { class: 'result-name' }, fullName(customer)),
      customer.email ? h('span', { class: 'result-email' }, ` ${customer.email}`) : null,
      member ? h('span', { class: 'member-mark' }, ` ${t('(already a member)')}`) : null));
  }

  async function find() {
    const term = input.value.trim();
    const mine = ++seq;
    try {
      const [{ data, meta }, ids] = await Promise.all([
        api.customers.list(partnerId, { search: term, per_page: PER_PAGE }),
        memberIds(term),
      ]);
      if (mine !== seq || !alive()) return;
      members = ids;
      list.replaceChildren(...data.map(item));
      none.hidden = data.length > 0;
      none.textContent = term ? t('No customer matches “{term}”.', { term }) : t('There are no customers yet.');
      more.hidden = meta.total <= data.length;
      more.textContent = t('Showing {shown} of {total}. Type to narrow the list.', { shown: number(data.length), total: number(meta.total) });
    } catch (error) {
      if (mine === seq && alive()) showError(error);
    }
  }

  const findSoon = debounce(find);
  input.addEventListener('input', findSoon);
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    findSoon.cancel();
    find();
  });

  open.addEventListener('click', () => {
    const show = body.hidden;
    body.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (!show) return;
    input.focus();
    if (!loaded) {
      loaded = true;
      find();
    }
  });

  submit.addEventListener('click', oneAtATime(async () => {
    const ids = [...chosen.keys()];
    if (!ids.length) return;
    let answer;
    try {
      ({ data: answer } = await api.members.batch(partnerId, groupId, { add: ids }));
    } catch (error) {
      if (error.status === 422) reportUnknown(ids, error);
      else showError(error);
      return;
    }
    const already = ids.length - answer.added;
    announce(tn(answer.added, '{n} added to “{group}”.', '{n} added to “{group}”.', { group: groupName() })
      + (already ? ` ${tn(already, '{n} was already a member.', '{n} were already members.')}` : ''));
    chosen.clear();
    updateSelection();
    // The button just disabled itself; the search is where the next batch starts.
    input.focus();
    await onAdded();
    await find();
  }));

  // `add.N` names the N-th id sent: a customer deleted since the list was shown.
  // Nothing was added; untick those so the rest can go through on the next try.
  function reportUnknown(ids, error) {
    const lines = Object.entries(error.errors).map(([key, messages]) => {
      const at = /^add\.(\d+)$/.exec(key);
      const customer = at && chosen.get(ids[Number(at[1])]);
      if (!customer) return [].concat(messages).join(' ');
      chosen.delete(customer.id);
      list.querySelector(`[data-customer-id="${customer.id}"]`)?.closest('li')?.remove();
      return t('{name} is no longer a customer here (deleted meanwhile?) and was unticked.', { name: fullName(customer) });
    });
    updateSelection();
    showAlert([...lines, t('Nobody was added. Check the list and add again.')]);
  }

  updateSelection();
  return h('div', { class: 'batch-wrap' }, open, body);
}
