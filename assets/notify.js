// Feedback: #alert for errors, #status for brief successes.

import { h } from './dom.js';
import { t } from './i18n.js';

// Gone at the next key press or click: a lingering toast covers work.
const STATUS_MS = 4000;
let statusTimer = 0;

/** Shows one or more error lines in #alert; an empty list hides it. */
export function showAlert(lines) {
  const el = document.getElementById('alert');
  const list = [].concat(lines ?? []).filter(Boolean);
  el.replaceChildren(...list.map((line) => h('p', {}, line)));
  el.hidden = list.length === 0;
  // The region sits at the top; someone far down a long list would miss it.
  if (list.length) el.scrollIntoView({ block: 'nearest' });
}

export function clearAlert() {
  showAlert([]);
}

/** Reports a failed action in #alert, worded for the person at the desk. */
export function showError(error) {
  if (error?.handled) return; // a 401 already took the page back to the login form
  if (typeof error?.status !== 'number') console.error(error);
  showAlert(describeError(error));
}

function clearStatus() {
  clearTimeout(statusTimer);
  document.getElementById('status').textContent = '';
}

/** Shows a short success message that clears itself. */
export function announce(text) {
  const el = document.getElementById('status');
  clearTimeout(statusTimer);
  // Emptying first makes screen readers repeat an identical message.
  el.textContent = '';
  setTimeout(() => {
    el.textContent = text;
    statusTimer = setTimeout(clearStatus, STATUS_MS);
  }, 50);
}

// The next deliberate action (not the one that caused the message) ends it.
for (const type of ['keydown', 'pointerdown']) {
  document.addEventListener(type, (event) => {
    if (event.key === 'Tab' || event.key === 'Shift') return;
    const el = document.getElementById('status');
    if (el?.textContent) setTimeout(clearStatus, 600);
  }, true);
}

/** The page's words for the API's validation messages; others stay as written. */
export function localMessage(message) {
  const text = String(message);
  let m;
  if (/ field is required\.$/.test(text)) return t('This is required.');
  if ((m = / must not be greater than (\d+) characters\./.exec(text))) return t('At most {max} characters.', { max: m[1] });
  if ((m = / must be at least (\d+) characters\./.exec(text))) return t('At least {min} characters.', { min: m[1] });
  if (/ must be a valid email address\./.test(text)) return t('This is not a valid email address.');
  if (/ has already been taken\./.test(text)) return t('This is already taken; choose another.');
  if (/ must be a single line of text\./.test(text)) return t('Only one line of text, please.');
  if (/ confirmation does not match\./.test(text)) return t('The two passwords differ.');
  if (/ has a duplicate value\./.test(text)) return t('This appears twice.');
  if (/^The password is incorrect\./.test(text)) return t('This password is wrong.');
  return text;
}

export function describeError(error) {
  const wait = error?.retryAfter
    ? t(' Try again in {n} seconds.', { n: error.retryAfter })
    : t(' Try again in a moment.');
  switch (error?.status) {
    case undefined:
      return t('Something went wrong in this page. Reload it and try again.');
    case 0:
      return t('The server could not be reached. Check the connection and try again.');
    case 403:
      return t('You are not allowed to do this. Ask an administrator if you need access.');
    case 404:
      return t('Not found: it may have been deleted, or it belongs to another partner.');
    case 409:
      return /last enabled admin/.test(error.message) ? t('The last enabled admin must stay one.') : t('This cannot be done while other data depends on it.');
    case 422: {
      const lines = Object.values(error.errors).flat().map(String);
      return lines.length ? lines : error.message;
    }
    case 429:
      return t('Too many attempts.') + wait;
    case 500:
      return t('Something went wrong on the server. Try again; if it keeps happening, tell support.');
    case 503:
      return t('The service cannot save changes right now.') + wait;
    default:
      return error.message;
  }
}
