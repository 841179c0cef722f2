// A searchable, paginated table over one list endpoint (the API's
// `data`/`meta`/`links` envelope). Ids, from the `id` prefix:
// `${id}-list-title`, `${id}-search`, `${id}-table`, `${id}-empty`,
// `${id}-prev`, `${id}-next`, `${id}-page-info` ("Page X of Y"), `${id}-total`.

import { debounce, h } from './dom.js';
import { showError } from './notify.js';

/**
 * `load(query)` fetches one page; `row(item)` returns its <tr>.
 * `searchLabel` adds the search box (omit it for lists without `search`).
 * `alive()` says whether the view is still on screen, so late answers are dropped.
 */
export function pagedList({ id, title, noun, columns, load, row, searchLabel, emptyText, alive, perPage = 20 }) {
  let page = 1;
  let search = '';
  let seq = 0;

  const heading = h('h3', { id: `${id}-list-title`, tabindex: '-1' }, title);

  let searchBox = null;
  let searchForm = null;
  if (searchLabel) {
    searchBox = h('input', { id: `${id}-search`, type: 'search', autocomplete: 'off', 'aria-controls': `${id}-table` });
    searchForm = h('form', { id: `${id}-search-form`, class: 'search', role: 'search' },
      h('label', { for: `${id}-search` }, searchLabel),
      h('div', { class: 'search-row' }, searchBox,
        h('button', { type: 'submit', id: `${id}-search-submit`, class: 'button-secondary' }, 'Search')));
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
  const prev = h('button', { type: 'button', id: `${id}-prev`, class: 'button-secondary', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', id: `${id}-next`, class: 'button-secondary', disabled: true }, 'Next');
  const info = h('span', { id: `${id}-page-info`, class: 'page-info' });
  const total = h('span', { id: `${id}-total`, class: 'total' });
  const pager = h('nav', { class: 'pager', 'aria-label': `${title}: pages` }, prev, h('p', { class: 'page-text' }, info, ' ', total), next);

  prev.addEventListener('click', () => turn(page - 1, prev, next));
  next.addEventListener('click', () => turn(page + 1, next, prev));

  async function turn(target, button, other) {
    await fetchPage(target);
    // A button that just became disabled has dropped focus to <body>; put it somewhere useful.
    if (button.disabled) (other.disabled ? heading : other).focus();
  }

  async function fetchPage(target) {
    const mine = ++seq;
    wrap.setAttribute('aria-busy', 'true');
    try {
      const answer = await load({ page: target, per_page: perPage, search });
      if (mine !== seq || !alive()) return null;
      const { data, meta } = answer;
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
    empty.textContent = search ? `No ${noun} match “${search}”.` : emptyText;
    info.textContent = `Page ${meta.current_page} of ${meta.last_page}`;
    total.textContent = `(${meta.total} ${meta.total === 1 ? noun.replace(/s$/, '') : noun})`;
    prev.disabled = meta.current_page <= 1;
    next.disabled = meta.current_page >= meta.last_page;
  }

  return {
    element: h('section', { class: 'panel list', id: `${id}-list`, 'aria-labelledby': `${id}-list-title` },
      heading, searchForm, wrap, empty, pager),

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
