// A searchable, paginated table over one list endpoint (the API's
// `data`/`meta`/`links` envelope); its ids are in tests/browser/HOOKS.md.

import { debounce, h } from './dom.js';
import { number, t } from './i18n.js';
import { showError } from './notify.js';

// The API sorts by id only (API.md); the page sorts a list itself only when
// one request holds all of it, so a sorted page is never a sorted part of a list.
const SORT_ALL = 100;

/**
 * `load(query)` fetches a page, `row(item)` draws a <tr>; `searchLabel` adds a search box;
 * `sorts`: `[{ value, label, compare }]`, the first the API's order; `alive()`: still on screen.
 */
export function pagedList({
  id, title, countText, noMatch, columns, load, row, searchLabel, emptyText, alive, sorts, perPage = 20,
}) {
  let page = 1;
  let search = '';
  let seq = 0;
  let sort = sorts?.[0] ?? null;

  const heading = h('h3', { id: `${id}-list-title`, tabindex: '-1' }, title);

  let searchBox = null;
  let searchForm = null;
  if (searchLabel) {
    searchBox = h('input', { id: `${id}-search`, type: 'search', autocomplete: 'off', 'aria-controls': `${id}-table` });
    searchForm = h('form', { id: `${id}-search-form`, class: 'search' },
      h('label', { for: `${id}-search` }, searchLabel),
      h('div', { class: 'search-row' }, searchBox,
        h('button', { type: 'submit', id: `${id}-search-submit`, class: 'button-secondary' }, t('Search'))));
    const searchNow = () => {
      search = searchBox.value.trim();
      return fetchPage(1);
    };
    const searchSoon = debounce(searchNow);
    searchBox.addEventListener('input', searchSoon);
    searchForm.addEventListener('submit', (event) => {
      event.preventDefault();
      searchSoon.cancel();
      searchNow();
    });
  }

  let sortBox = null;
  const sortNote = h('p', { id: `${id}-sort-note`, class: 'hint', hidden: true });
  if (sorts) {
    sortBox = h('select', { id: `${id}-sort` }, sorts.map((s) => h('option', { value: s.value }, s.label)));
    sortBox.addEventListener('change', () => {
      sort = sorts.find((s) => s.value === sortBox.value) ?? sorts[0];
      fetchPage(1);
    });
  }

  // Explicit roles: the phone layout sets `display: block` on the table,
  // which makes some browsers drop its table semantics.
  const tbody = h('tbody', { role: 'rowgroup' });
  const table = h('table', { id: `${id}-table`, role: 'table' },
    h('caption', { class: 'visually-hidden' }, title),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
      columns.filter(Boolean).map((label) => h('th', { scope: 'col', role: 'columnheader' }, label)))),
    tbody);
  const wrap = h('div', { class: 'table-wrap', 'aria-busy': 'false' }, table);
  const empty = h('p', { id: `${id}-empty`, class: 'empty', hidden: true });
  const prev = h('button', { type: 'button', id: `${id}-prev`, class: 'button-secondary' }, t('Previous'));
  const next = h('button', { type: 'button', id: `${id}-next`, class: 'button-secondary' }, t('Next'));
  prev.disabled = true;
  next.disabled = true;
  const info = h('span', { id: `${id}-page-info`, class: 'page-info' });
  const total = h('span', { id: `${id}-total`, class: 'total' });
  const goto = h('input', { id: `${id}-goto`, type: 'number', min: '1', inputmode: 'numeric', class: 'goto-input' });
  const gotoForm = h('form', { id: `${id}-goto-form`, class: 'goto', hidden: true },
    h('label', { for: `${id}-goto` }, t('Go to page')), goto,
    h('button', { type: 'submit', id: `${id}-goto-submit`, class: 'button-secondary' }, t('Go')));
  const pager = h('nav', { class: 'pager', 'aria-label': t('{title}: pages', { title }) },
    prev, h('p', { class: 'page-text' }, info, ' ', total), next, gotoForm);

  prev.addEventListener('click', () => turn(page - 1, prev, next));
  next.addEventListener('click', () => turn(page + 1, next, prev));
  gotoForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const target = Math.max(1, Math.floor(Number(goto.value)) || 1);
    await fetchPage(target);
    heading.focus();
  });

  async function turn(target, button, other) {
    await fetchPage(target);
    // A button that just became disabled has dropped focus to <body>; put it somewhere useful.
    if (button.disabled) (other.disabled ? heading : other).focus();
  }

  async function fetchPage(target) {
    const mine = ++seq;
    wrap.setAttribute('aria-busy', 'true');
    try {
      const sorting = Boolean(sort?.compare);
      const query = sorting ? { page: 1, per_page: SORT_ALL, search } : { page: target, per_page: perPage, search };
      let answer = await load(query);
      if (mine !== seq || !alive()) return null;
      let { data, meta } = answer;
      sortNote.hidden = true;
      if (sorting && meta.last_page > 1) {
        // Too long to sort here honestly: say so and page in the API's order.
        sortNote.textContent = t('Sorting works for up to {max} entries; this list has {n}, so it is shown in the order they were created.',
          { max: number(SORT_ALL), n: number(meta.total) });
        sortNote.hidden = false;
        answer = await load({ page: target, per_page: perPage, search });
        if (mine !== seq || !alive()) return null;
        ({ data, meta } = answer);
      } else if (sorting) {
        data = [...data].sort(sort.compare);
      }
      // Past the end (the last row of the last page was deleted): show the real last page.
      if (data.length === 0 && target > 1 && target > meta.last_page) return fetchPage(meta.last_page);
      page = meta.current_page;
      render(data, meta);
      return answer;
    } catch (error) {
      if (mine === seq && alive()) showError(error);
      return null;
    } finally {
      if (mine === seq) wrap.setAttribute('aria-busy', 'false');
    }
  }

  function render(data, meta) {
    tbody.replaceChildren(...data.map((item) => {
      const tr = row(item);
      tr.dataset.id = String(item.id);
      tr.setAttribute('role', 'row');
      return tr;
    }));
    wrap.hidden = data.length === 0;
    empty.hidden = data.length > 0;
    empty.textContent = search ? noMatch(search) : emptyText;
    info.textContent = t('Page {page} of {last}', { page: number(meta.current_page), last: number(meta.last_page) });
    total.textContent = `(${countText(meta.total)})`;
    prev.disabled = meta.current_page <= 1;
    next.disabled = meta.current_page >= meta.last_page;
    gotoForm.hidden = meta.last_page <= 2;
    goto.max = String(meta.last_page);
    goto.value = String(meta.current_page);
  }

  const tools = searchForm || sortBox
    ? h('div', { class: 'list-tools' }, searchForm,
      sortBox ? h('div', { class: 'sort' }, h('label', { for: `${id}-sort` }, t('Sort by')), sortBox) : null)
    : null;

  return {
    element: h('section', { class: 'panel list', id: `${id}-list`, 'aria-labelledby': `${id}-list-title` },
      heading, tools, sortNote, wrap, empty, pager),

    /** Loads the current page again (after a change), keeping the search. */
    reload: () => fetchPage(page),

    /**
     * Shows where a new item landed: lists are ordered by id, so that is the
     * last page of the unfiltered list. Marks the item's row, if one is named.
     */
    async showNew(itemId) {
      search = '';
      if (searchBox) searchBox.value = '';
      const first = await fetchPage(page);
      if (first && first.meta.current_page < first.meta.last_page) await fetchPage(first.meta.last_page);
      const tr = [...tbody.rows].find((r) => r.dataset.id === String(itemId));
      tr?.classList.add('is-new');
    },

    focus: () => heading.focus(),
  };
}
