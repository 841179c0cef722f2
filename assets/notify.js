// The page's shared feedback: one alert region (#alert, role="alert") for
// errors and one status line (#status, role="status") for brief successes.

import { h } from './dom.js';

const STATUS_MS = 6000;
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

/** Shows a short success message that clears itself. */
export function announce(text) {
  const el = document.getElementById('status');
  clearTimeout(statusTimer);
  // Emptying first makes screen readers repeat an identical message.
  el.textContent = '';
  setTimeout(() => {
    el.textContent = text;
  }, 50);
  statusTimer = setTimeout(() => {
    el.textContent = '';
  }, STATUS_MS);
}

export function describeError(error) {
  const wait = error?.retryAfter ? ` Try again in ${error.retryAfter} seconds.` : ' Try again in a moment.';
  switch (error?.status) {
    case undefined:
      return 'Something went wrong in this page. Reload it and try again.';
    case 0:
      return 'The server could not be reached. Check the connection and try again.';
    case 403:
      return `You are not allowed to do this (${error.message}). Ask an administrator if you need access.`;
    case 404:
      return 'Not found: it may have been deleted, or it belongs to another partner.';
    case 422: {
      const lines = Object.values(error.errors).flat().map(String);
      return lines.length ? lines : error.message;
    }
    case 429:
      return `${error.message}${wait}`;
    case 500:
      return 'Something went wrong on the server. Try again; if it keeps happening, tell support.';
    case 503:
      return `The service cannot save changes right now.${wait}`;
    default:
      return error.message;
  }
}
