// Customers from a spreadsheet (CSV): preview first, then import. The preview
// is the server's dry run, so its counts and row errors are exactly what the
// import would do; the import button only comes alive after a clean preview,
// and sends the very bytes that were previewed.

import * as api from './api.js';
import { h, oneAtATime, panel } from './dom.js';
import { announce, clearAlert, showAlert, showError } from './notify.js';
import { can } from './session.js';

const MAX_BYTES = 5 * 1024 * 1024; // the server's limit (API.md)
// A broken export can fail on every row; past this many, more lines don't help.
const MAX_SHOWN_ERRORS = 100;

/** Row errors first by row number (the server's keys sort as text: rows.10 before rows.2). */
function errorOrder([a], [b]) {
  const row = (key) => Number(/^rows\.(\d+)/.exec(key)?.[1] ?? 0);
  return row(a) - row(b) || a.localeCompare(b);
}

/** `onImported()` runs after a real import, to show the new customers. */
export function customerImport({ partnerId, alive, onImported }) {
  // What the last clean preview was of; null until there is one.
  let previewed = null;

  const file = h('input', {
    id: 'customer-import-file',
    type: 'file',
    accept: '.csv,text/csv',
    'aria-describedby': 'customer-import-hint',
  });
  const group = h('select', { id: 'customer-import-group' }, h('option', { value: '' }, 'No group'));
  // Adding to a group needs groups.update; listing the groups, groups.read.
  const withGroups = can('groups.update') && can('groups.read');

  const preview = h('button', { type: 'button', id: 'customer-import-preview', class: 'button-secondary' }, 'Preview');
  const submit = h('button', { type: 'button', id: 'customer-import-submit', disabled: true }, 'Import');

  const outcome = h('p', { id: 'customer-import-outcome', class: 'import-outcome' });
  const count = (testid) => h('dd', { testid });
  const created = count('import-created');
  const matched = count('import-matched');
  const added = count('import-added');
  const addedRow = h('div', {}, h('dt', {}, 'Added to the group'), added);
  const counts = h('dl', { id: 'customer-import-counts', class: 'summary', hidden: true },
    h('div', {}, h('dt', {}, 'New customers'), created),
    h('div', {}, h('dt', {}, 'Already known (same email)'), matched),
    addedRow);

  const errorList = h('ul', { id: 'customer-import-errors', class: 'import-errors', 'aria-labelledby': 'customer-import-errors-title' });
  const problems = h('div', { id: 'customer-import-problems', hidden: true },
    h('p', { id: 'customer-import-errors-title', class: 'field-error' }), errorList);

  function reset() {
    previewed = null;
    submit.disabled = true;
    counts.hidden = true;
    problems.hidden = true;
    outcome.textContent = '';
  }

  function showCounts(data, groupChosen) {
    created.textContent = String(data.created);
    matched.textContent = String(data.matched);
    added.textContent = String(data.added_to_group);
    addedRow.hidden = !groupChosen;
    counts.hidden = false;
  }

  function showProblems(errors) {
    const entries = Object.entries(errors).sort(errorOrder);
    const shown = entries.slice(0, MAX_SHOWN_ERRORS);
    errorList.replaceChildren(...shown.map(([key, messages]) => h('li', { testid: 'import-error', 'data-key': key },
      h('code', { class: 'error-key' }, key), ': ', [].concat(messages).join(' '))));
    if (entries.length > shown.length) errorList.append(h('li', {}, `…and ${entries.length - shown.length} more.`));
    problems.firstChild.textContent = `The file has ${entries.length === 1 ? 'a problem' : `${entries.length} problems`}; nothing was saved. `
      + 'Fix the file and preview it again.';
    problems.hidden = false;
  }

  /** Sends the file; a 422 lists its problems here. Resolves to the answer, or null. */
  async function send(bytes, groupId, dryRun) {
    clearAlert();
    try {
      const { data } = await api.customers.import(partnerId, bytes, { groupId, dryRun });
      return alive() ? data : null;
    } catch (error) {
      if (!alive()) return null;
      if (error.status === 422) showProblems(error.errors);
      else showError(error);
      return null;
    }
  }

  preview.addEventListener('click', oneAtATime(async () => {
    reset();
    const chosen = file.files?.[0];
    if (!chosen) {
      showAlert('Choose a CSV file first.');
      return;
    }
    if (chosen.size > MAX_BYTES) {
      showAlert('The file is larger than 5 MB, the most one import takes. Split it into smaller files.');
      return;
    }
    let bytes;
    try {
      // Raw bytes, not text: the server checks the encoding, and a file saved in
      // another encoding must be refused rather than silently garbled here.
      bytes = await chosen.arrayBuffer();
    } catch {
      showAlert('The file could not be read. Choose it again.');
      return;
    }
    const groupId = group.value || undefined;
    const data = await send(bytes, groupId, true);
    if (!data) return;
    showCounts(data, groupId);
    if (data.created + data.matched === 0) {
      outcome.textContent = 'The file has no customers in it.';
      return;
    }
    previewed = { bytes, groupId };
    submit.disabled = false;
    outcome.textContent = 'Preview: nothing is saved yet. Check the numbers, then import.';
  }));

  submit.addEventListener('click', oneAtATime(async () => {
    if (!previewed) return;
    const { bytes, groupId } = previewed;
    submit.disabled = true;
    const data = await send(bytes, groupId, false);
    if (!data) {
      // Preview again whatever went wrong: the data may have changed meanwhile,
      // and after a lost answer the preview tells whether the import went through.
      previewed = null;
      counts.hidden = true;
      outcome.textContent = '';
      return;
    }
    previewed = null;
    file.value = '';
    showCounts(data, groupId);
    outcome.textContent = 'Imported.';
    announce(`Import done: ${data.created} new, ${data.matched} already known.`);
    await onImported();
  }));

  // A new file or group makes the last preview stale.
  file.addEventListener('change', reset);
  group.addEventListener('change', reset);

  if (withGroups) {
    api.groups.all(partnerId).then((groups) => {
      if (!alive()) return;
      group.append(...groups.map((g) => h('option', { value: String(g.id) }, g.name)));
    }, (error) => {
      if (alive()) showError(error);
    });
  }

  return panel('customer-import', 'Import from a CSV file',
    h('p', { id: 'customer-import-hint', class: 'hint' },
      'A header row names the columns first_name, last_name, email, phone (comma or semicolon separated). '
      + 'A row whose email matches an existing customer reuses that customer. Nothing is saved until you import.'),
    h('div', { class: 'form form-wide' },
      h('div', { class: 'field' }, h('label', { for: 'customer-import-file' }, 'CSV file'), file),
      withGroups ? h('div', { class: 'field' },
        h('label', { for: 'customer-import-group' }, 'Also add them to', h('span', { class: 'optional' }, ' (optional)')),
        group) : null,
      h('div', { class: 'form-actions' }, preview, submit)),
    outcome, counts, problems);
}
