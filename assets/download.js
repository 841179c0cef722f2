// Hands a file the page fetched to the browser's downloads. Exports need the
// bearer token, which a plain link to the API cannot send, so the page
// fetches the file itself and offers it through an object URL. (A download
// is a navigation, which the CSP's default-src does not govern.)

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
