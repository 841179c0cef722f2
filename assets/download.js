// Exports need the bearer token, which a link cannot send: the page fetches
// the file and offers it through an object URL.

import { h } from './dom.js';

// Long enough for the browser to have taken the file; then the memory is freed.
const KEEP_URL_MS = 60_000;

export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS);
}
