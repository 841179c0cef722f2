// DOM helpers. Text goes in as text nodes: nothing from the API is parsed as HTML.

import { dateTime } from './i18n.js';

/** An element; `on<event>` props are listeners (the CSP forbids inline handlers), `true` a boolean attribute. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'value') el.value = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const byId = (id) => document.getElementById(id);

/** A cell whose label shows on phones, where rows are cards; the wrapper is one flex item. */
export function cell(label, ...children) {
  return h('td', { 'data-label': label, role: 'cell' }, h('div', { class: 'cell' }, ...children));
}

/** The top of every view: a section with the focusable heading `#view-title`. */
export function viewShell(titleText, className = '') {
  const title = h('h2', { id: 'view-title', tabindex: '-1' }, titleText);
  const section = h('section', { class: `view ${className}`.trim(), 'aria-labelledby': 'view-title' }, title);
  return { section, title };
}

/** A titled box inside a view. */
export function panel(id, titleText, ...children) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, tabindex: '-1' }, titleText), ...children);
}

export function fullName(person) {
  return [person.first_name, person.last_name].filter(Boolean).join(' ');
}

/** A <time> element showing an RFC 3339 timestamp in the page's locale (i18n.js). */
export function timeEl(iso, testid) {
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime()) ? '' : dateTime(date);
  return h('time', { datetime: iso, testid }, text);
}

/** Text that may be null; the CSS shows a dash for an empty one. */
export function optional(text, testid) {
  return h('span', { class: 'maybe-empty', testid }, text ?? '');
}

/** An email (or null), breakable only after "@" and before ".". */
export function email(text, testid) {
  const parts = String(text ?? '').split(/(?=[.@])/);
  return h('span', { class: 'maybe-empty email', testid }, parts.flatMap((part, i) => (i ? [h('wbr'), part] : [part])));
}

/** A second click while the action runs does nothing (disabling the button would drop focus). */
export function oneAtATime(action) {
  let running = false;
  return async (...args) => {
    if (running) return;
    running = true;
    try {
      await action(...args);
    } finally {
      running = false;
    }
  };
}

/** Runs `fn` once typing has paused, so a search doesn't fire per keystroke. */
export function debounce(fn, ms = 300) {
  let timer = 0;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
