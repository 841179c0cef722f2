// Every endpoint the page calls, in one place (paths under /api/internal/v1;
// see API.md). List functions take `{ page, per_page, search }` and resolve to
// the `{ data, meta, links }` envelope; the others to `{ data }`.

import { request, send } from './http.js';

const enc = encodeURIComponent;
const partnerPath = (partnerId) => `/partners/${enc(partnerId)}`;
const groupPath = (partnerId, groupId) => `${partnerPath(partnerId)}/groups/${enc(groupId)}`;
const customerPath = (partnerId, customerId) => `${partnerPath(partnerId)}/customers/${enc(customerId)}`;

export const auth = {
  login: (email, password) =>
    request('POST', '/auth/login', { body: { email, password }, anonymous: true }),
  logout: () => request('POST', '/auth/logout', { body: {}, quiet: true }),
  me: () => request('GET', '/me'),
  changePassword: (body) => request('PUT', '/me/password', { body }),
};

/** Every item of a list, all pages (pickers need them all). */
async function allPages(list) {
  const found = [];
  // The cap only guards against a server that never reports the last page.
  for (let page = 1; page <= 100; page += 1) {
    const { data, meta } = await list({ page, per_page: 100 });
    found.push(...data);
    if (!meta || page >= meta.last_page || data.length === 0) break;
  }
  return found;
}

export const partners = {
  list: (query) => request('GET', '/partners', { query }),
  create: (body) => request('POST', '/partners', { body }),
  update: (partnerId, body) => request('PUT', partnerPath(partnerId), { body }),
  /** A partner that still has groups or customers is a 409. */
  remove: (partnerId) => request('DELETE', partnerPath(partnerId)),
  all: () => allPages(partners.list),
};

// Groups carry an ETag, so an edit can say which version it was based on.
export const groups = {
  list: (partnerId, query) => request('GET', `${partnerPath(partnerId)}/groups`, { query }),
  async get(partnerId, groupId) {
    const { body, headers } = await send('GET', groupPath(partnerId, groupId));
    return { group: body.data, etag: headers.get('ETag') };
  },
  create: (partnerId, body) => request('POST', `${partnerPath(partnerId)}/groups`, { body }),
  async update(partnerId, groupId, changes, etag) {
    const headers = etag ? { 'If-Match': etag } : {};
    const { body, headers: answer } = await send('PUT', groupPath(partnerId, groupId), { body: changes, headers });
    return { group: body.data, etag: answer.get('ETag') };
  },
  remove: (partnerId, groupId) => request('DELETE', groupPath(partnerId, groupId)),
  all: (partnerId) => allPages((query) => groups.list(partnerId, query)),

  /** The members as CSV: `{ blob, filename }` (the server's name for it, if it gave one). */
  async exportMembers(partnerId, groupId) {
    const { body, headers } = await send('GET', `${groupPath(partnerId, groupId)}/customers/export`, { blob: true });
    const named = /filename="([^"]+)"/.exec(headers.get('Content-Disposition') ?? '');
    return { blob: body, filename: named ? named[1] : `group-${groupId}-members.csv` };
  },
};

export const members = {
  list: (partnerId, groupId, query) =>
    request('GET', `${groupPath(partnerId, groupId)}/customers`, { query }),
  add: (partnerId, groupId, customerId) =>
    request('POST', `${groupPath(partnerId, groupId)}/customers`, { body: { customer_id: customerId } }),
  remove: (partnerId, groupId, customerId) =>
    request('DELETE', `${groupPath(partnerId, groupId)}/customers/${enc(customerId)}`),
  /** All or nothing; answers `{ added, removed, customers_count }`; a 422 names `add.N`. */
  batch: (partnerId, groupId, { add = [], remove = [] }) =>
    request('POST', `${groupPath(partnerId, groupId)}/customers/batch`, { body: { add, remove } }),
};

export const customers = {
  list: (partnerId, query) => request('GET', `${partnerPath(partnerId)}/customers`, { query }),
  get: (partnerId, customerId) => request('GET', customerPath(partnerId, customerId)),
  create: (partnerId, body) => request('POST', `${partnerPath(partnerId)}/customers`, { body }),
  update: (partnerId, customerId, body) => request('PUT', customerPath(partnerId, customerId), { body }),
  remove: (partnerId, customerId) => request('DELETE', customerPath(partnerId, customerId)),
  /**
   * Imports a CSV file's bytes; `dryRun` validates and counts without writing.
   * Answers `{ created, matched, added_to_group, dry_run }`; a 422 names `rows.N.field`.
   */
  import: (partnerId, csv, { groupId, dryRun }) =>
    request('POST', `${partnerPath(partnerId)}/customers/import`, {
      csv, query: { group_id: groupId, dry_run: dryRun ? 'true' : undefined },
    }),
};

export const audit = {
  /** One page of the partner's audit trail, newest first; `query` takes the filters too. */
  list: (partnerId, query) => request('GET', `${partnerPath(partnerId)}/audit`, { query }),
};

export const users = {
  list: (partnerId, query) => request('GET', `${partnerPath(partnerId)}/users`, { query }),
  create: (partnerId, body) => request('POST', `${partnerPath(partnerId)}/users`, { body }),
  all: (partnerId) => allPages((query) => users.list(partnerId, query)),
  // Admin only (API.md, "Admin only"); both replace the whole set.
  getAny: (userId) => request('GET', `/users/${enc(userId)}`),
  setPermissions: (userId, permissions) => request('PUT', `/users/${enc(userId)}/permissions`, { body: { permissions } }),
  updateAny: (userId, body) => request('PUT', `/users/${enc(userId)}`, { body }),
  revokeTokens: (userId) => request('POST', `/users/${enc(userId)}/revoke-tokens`, { body: {} }),
  // A partner's user managers (users.read, users.update, users.delete).
  get: (partnerId, userId) => request('GET', `${partnerPath(partnerId)}/users/${enc(userId)}`),
  update: (partnerId, userId, body) => request('PUT', `${partnerPath(partnerId)}/users/${enc(userId)}`, { body }),
  detach: (partnerId, userId) => request('DELETE', `${partnerPath(partnerId)}/users/${enc(userId)}`),
  setPartners: (userId, partnerIds) => request('PUT', `/users/${enc(userId)}/partners`, { body: { partner_ids: partnerIds } }),
};
