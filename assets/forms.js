// Forms of one id scheme (tests/browser/HOOKS.md). The server validates;
// its 422 `errors` land next to the matching control.

import { h } from './dom.js';
import { t } from './i18n.js';
import { clearAlert, localMessage, showAlert, showError } from './notify.js';

/** A form of field specs (see `field`); `novalidate`: the server's messages are the ones to show. */
export function buildForm({ prefix, fields, submitLabel, className = '' }) {
  const form = h('form', { id: `${prefix}-form`, class: `form ${className}`.trim(), novalidate: true },
    fields.map((spec) => field(prefix, spec)),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', id: `${prefix}-submit` }, submitLabel)));
  // Editing a flagged field clears its flag; the message would be stale.
  form.addEventListener('input', (event) => {
    if (event.target.getAttribute?.('aria-invalid') === 'true') clearFieldError(event.target);
  });
  return form;
}

function field(prefix, spec) {
  const id = `${prefix}-${spec.name.replaceAll('_', '-')}`;
  const attrs = {
    id,
    name: spec.name,
    'data-field': spec.name,
    'aria-describedby': [spec.hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(' '),
    required: spec.required,
    maxlength: spec.maxlength,
    minlength: spec.minlength,
    // Most fields hold other people's details: the browser must not fill in the staff member's own.
    autocomplete: spec.autocomplete ?? 'off',
    'data-autofocus': spec.autofocus,
  };
  const control = spec.multiline
    ? h('textarea', { ...attrs, rows: 3 })
    : h('input', { ...attrs, type: spec.type ?? 'text' });
  return h('div', { class: 'field' },
    h('label', { for: id }, spec.label, spec.required ? null : h('span', { class: 'optional' }, ` ${t('(optional)')}`)),
    spec.hint ? h('p', { id: `${id}-hint`, class: 'hint' }, spec.hint) : null,
    control,
    h('p', { id: `${id}-error`, class: 'field-error', hidden: true }));
}

/** The form's values by field name; text is trimmed as the server would, passwords are not. */
export function readForm(form) {
  const values = {};
  for (const control of form.querySelectorAll('[data-field]')) {
    values[control.dataset.field] = control.type === 'password' ? control.value : control.value.trim();
  }
  return values;
}

export function fillForm(form, values) {
  for (const control of form.querySelectorAll('[data-field]')) {
    control.value = values[control.dataset.field] ?? '';
  }
}

/** An empty optional field means "no value": the API wants null, not "". */
export const orNull = (text) => (text === '' ? null : text);

/**
 * Handles submission: clears old errors, marks the form busy, runs `action`
 * with the values, and puts a failure next to its fields or in #alert.
 */
export function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // A second Enter while the first request runs must not create twice.
    if (form.getAttribute('aria-busy') === 'true') return;
    clearFieldErrors(form);
    clearAlert();
    form.setAttribute('aria-busy', 'true');
    try {
      await action(readForm(form));
    } catch (error) {
      reportFormError(form, error);
    } finally {
      form.setAttribute('aria-busy', 'false');
    }
  });
}

export function reportFormError(form, error) {
  if (error?.status !== 422) {
    showError(error);
    return;
  }
  const unplaced = showFieldErrors(form, error.errors);
  if (unplaced.length) showAlert(unplaced);
  else if (Object.keys(error.errors).length === 0) showAlert(error.message);
}

/** Shows each field's messages beside it and focuses the first; returns the ones with no field here. */
export function showFieldErrors(form, errors) {
  const unplaced = [];
  let first = null;
  for (const [name, messages] of Object.entries(errors)) {
    const control = [...form.querySelectorAll('[data-field]')].find((c) => c.dataset.field === name);
    if (!control) {
      unplaced.push([].concat(messages).join(' '));
      continue;
    }
    // Beside its field, the page's own words fit (the label already names the field).
    const text = [].concat(messages).map(localMessage).join(' ');
    const slot = document.getElementById(`${control.id}-error`);
    slot.textContent = text;
    slot.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  first?.focus();
  return unplaced;
}

export function clearFieldErrors(form) {
  for (const control of form.querySelectorAll('[data-field]')) clearFieldError(control);
}

function clearFieldError(control) {
  control.removeAttribute('aria-invalid');
  const slot = document.getElementById(`${control.id}-error`);
  if (slot) {
    slot.textContent = '';
    slot.hidden = true;
  }
}
