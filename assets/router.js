// Hash routes such as #/groups/5: a view name and an id, never a secret.

const ROUTES = [
  ['partners', /^\/partners$/],
  ['groups', /^\/groups$/],
  ['group', /^\/groups\/([1-9][0-9]*)$/],
  ['customers', /^\/customers$/],
  ['customer', /^\/customers\/([1-9][0-9]*)$/],
  ['users', /^\/users$/],
  ['user', /^\/users\/([1-9][0-9]*)$/],
  ['password', /^\/password$/],
];

/** `{ name, id }` for the current hash; ids stay strings, as they go back into paths. */
export function currentRoute() {
  const path = location.hash.replace(/^#/, '') || '/';
  if (path === '/') return { name: 'home', id: null };
  for (const [name, pattern] of ROUTES) {
    const match = pattern.exec(path);
    if (match) return { name, id: match[1] ?? null };
  }
  return { name: 'not-found', id: null };
}

/** Goes to `path` (e.g. "/groups"); going to the current path renders it again. */
export function navigate(path, { replace = false } = {}) {
  const hash = `#${path}`;
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (replace) {
    location.replace(hash);
  } else {
    location.hash = hash;
  }
}
