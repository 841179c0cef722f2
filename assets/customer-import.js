// Customers from a CSV file: the preview is the server's dry run; Import comes
// alive after a clean one and sends the very bytes previewed.

import * as api from './api.js';
import { fullName, h, oneAtATime, panel } from './dom.js';
import { number, t } from './i18n.js';
import { announce, clearAlert, localMessage, showAlert, showError } from './notify.js';
import { can } from './session.js';

const MAX_BYTES = 5 * 1024 * 1024; // the server's limit (API.md)
// A broken export can fail on every row; past this many, more lines don't help.
const MAX_SHOWN_ERRORS = 100;

/** Row errors first by row number (the server's keys sort as text: rows.10 before rows.2). */
function errorOrder([a], [b]) {
  const row = (key) => Number(/^rows\.(\d+)/.exec(key)?.[1] ?? 0);
  return row(a) - row(b) || a.localeCompare(b);
}

/** The data rows as the server counts them (`rows.N`, from 1, blank lines skipped), each with its file line. */
export function readRows(bytes) {
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const sep = (headerLine.match(/;/g) ?? []).length > (headerLine.match(/,/g) ?? []).length ? ';' : ',';
  const records = [];
  let record = [];
  let cellText = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const endRecord = () => {
    record.push(cellText);
    if (any || record.length > 1) records.push({ line: start, cells: record });
    record = [];
    cellText = '';
    any = false;
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cellText += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        cellText += c;
      }
    } else if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === sep) {
      record.push(cellText);
      cellText = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else {
      cellText += c;
      any = true;
    }
  }
  if (any || record.length) endRecord();
  const [header = { cells: [] }, ...data] = records;
  const columns = header.cells.map((name) => name.trim().toLowerCase());
  return data.map((r) => ({ line: r.line, values: Object.fromEntries(columns.map((name, i) => [name, r.cells[i] ?? ''])) }));
}

const COLUMN_LABELS = { first_name: 'first name', last_name: 'last name', email: 'email', phone: 'phone' };

/** "Line 3 (Bert Broken), email: ..." for the API's `rows.N.field` error. */
export function problemText(key, messages, rows) {
  const text = [].concat(messages).join(' ');
  const at = /^rows\.(\d+)(?:\.(\w+))?$/.exec(key);
  if (!at) return localMessage(text);
  const row = rows[Number(at[1]) - 1];
  const line = row ? row.line : Number(at[1]) + 1;
  const who = row ? fullName({ first_name: row.values.first_name?.trim(), last_name: row.values.last_name?.trim() }) : '';
  const where = who ? t('Line {line} ({who})', { line: number(line), who }) : t('Line {line}', { line: number(line) });
  const field = at[2];
  if (!field) {
    const cells = /has (\d+) cells; the header has (\d+)/.exec(text);
    return cells ? `${where}: ${t('{n} cells, but the header row has {m}', { n: cells[1], m: cells[2] })}` : `${where}: ${text}`;
  }
  const value = (row?.values[field] ?? '').trim();
  let problem;
  let m;
  if (/valid email/.test(text)) problem = t("'{value}' is not a valid email address", { value });
  else if (/is required/.test(text)) problem = t('empty, but it is required');
  else if ((m = /greater than (\d+) characters/.exec(text))) problem = t('longer than {max} characters', { max: m[1] });
  else if (/duplicate/.test(text)) problem = t("'{value}' appears more than once in the file", { value });
  else problem = localMessage(text);
  return `${where}, ${t(COLUMN_LABELS[field] ?? field)}: ${problem}`;
}

/** `onImported()` runs after a real import. */
export function customerImport({ partnerId, alive, onImported }) {
  // What the last clean preview was of; null until there is one.
  let previewed = null;

  const file = h('input', {
    id: 'customer-import-file',
    type: 'file',
    accept: '.csv,text/csv',
    'aria-describedby': 'customer-import-hint',
  });
  const group = h('select', { id: 'customer-import-group' }, h('option', { value: '' }, t('No group')));
  // Adding to a group needs groups.update; listing the groups, groups.read.
  const withGroups = can('groups.update') && can('groups.read');

  const preview = h('button', { type: 'button', id: 'customer-import-preview', class: 'button-secondary' }, t('Preview'));
  const submit = h('button', { type: 'button', id: 'customer-import-submit', disabled: true }, t('Import'));

  // Focusable: the Import button disables itself, and focus goes here to the outcome.
  const outcome = h('p', { id: 'customer-import-outcome', class: 'import-outcome', tabindex: '-1' });
  const count = (testid) => h('dd', { testid });
  const created = count('import-created');
  const matched = count('import-matched');
  const added = count('import-added');
  const addedRow = h('div', {}, h('dt', {}, t('Added to the group')), added);
  const counts = h('dl', { id: 'customer-import-counts', class: 'summary', hidden: true },
    h('div', {}, h('dt', {}, t('New customers')), created),
    h('div', {}, h('dt', {}, t('Already known (same email)')), matched),
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
    created.textContent = number(data.created);
    matched.textContent = number(data.matched);
    added.textContent = number(data.added_to_group);
    addedRow.hidden = !groupChosen;
    counts.hidden = false;
  }

  function showProblems(errors, bytes) {
    const entries = Object.entries(errors).sort(errorOrder);
    const shown = entries.slice(0, MAX_SHOWN_ERRORS);
    let rows = [];
    try {
      rows = readRows(bytes);
    } catch {
      // Unreadable here too: the lines are still numbered, just without names.
    }
    errorList.replaceChildren(...shown.map(([key, messages]) => h('li', { testid: 'import-error', 'data-key': key },
      problemText(key, messages, rows))));
    if (entries.length > shown.length) errorList.append(h('li', {}, t('…and {n} more.', { n: number(entries.length - shown.length) })));
    problems.firstChild.textContent = (entries.length === 1
      ? t('The file has a problem; nothing was saved.')
      : t('The file has {n} problems; nothing was saved.', { n: number(entries.length) }))
      + ' ' + t('Fix the file and preview it again.');
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
      if (error.status === 422) showProblems(error.errors, bytes);
      else showError(error);
      return null;
    }
  }

  preview.addEventListener('click', oneAtATime(async () => {
    reset();
    const chosen = file.files?.[0];
    if (!chosen) {
      showAlert(t('Choose a CSV file first.'));
      return;
    }
    if (chosen.size > MAX_BYTES) {
      showAlert(t('The file is larger than 5 MB, the most one import takes. Split it into smaller files.'));
      return;
    }
    let bytes;
    try {
      // Raw bytes, not text: the server checks the encoding, and a file saved in
      // another encoding must be refused rather than silently garbled here.
      bytes = await chosen.arrayBuffer();
    } catch {
      showAlert(t('The file could not be read. Choose it again.'));
      return;
    }
    const groupId = group.value || undefined;
    const data = await send(bytes, groupId, true);
    if (!data) return;
    showCounts(data, groupId);
    if (data.created + data.matched === 0) {
      outcome.textContent = t('The file has no customers in it.');
      return;
    }
    previewed = { bytes, groupId };
    submit.disabled = false;
    outcome.textContent = t('Preview: nothing is saved yet. Check the numbers, then import.');
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
      preview.focus();
      return;
    }
    previewed = null;
    file.value = '';
    showCounts(data, groupId);
    outcome.textContent = t('Imported.');
    // The Import button disabled itself; the outcome is what to read next.
    outcome.focus();
    announce(t('Import done: {created} new, {matched} already known.', { created: number(data.created), matched: number(data.matched) }));
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

  return panel('customer-import', t('Import from a CSV file'),
    h('p', { id: 'customer-import-hint', class: 'hint' },
      t('A header row names the columns first_name, last_name, email, phone (comma or semicolon separated). '
      + 'A row whose email matches an existing customer reuses that customer. Nothing is saved until you import.')),
    h('div', { class: 'form form-wide' },
      h('div', { class: 'field' }, h('label', { for: 'customer-import-file' }, t('CSV file')), file),
      withGroups ? h('div', { class: 'field' },
        h('label', { for: 'customer-import-group' }, t('Also add them to'), h('span', { class: 'optional' }, ` ${t('(optional)')}`)),
        group) : null,
      h('div', { class: 'form-actions' }, preview, submit)),
    outcome, counts, problems);
}
