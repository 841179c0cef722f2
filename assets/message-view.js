// A view that only says something: no access, nothing found, pick a partner.

import { h, viewShell } from './dom.js';

/** `lines` are strings or nodes (already in the page's language), each shown as a paragraph. */
export function messageView(title, ...lines) {
  return (root) => {
    const { section } = viewShell(title, 'view-message');
    section.append(...lines.map((line) => h('p', {}, line)));
    root.append(section);
  };
}
