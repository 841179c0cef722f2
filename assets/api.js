// Every endpoint the page calls (API.md), resolving to the answer's body.

import { request, send } from './http.js';

const enc = encodeURIComponent;
const partnerPath = (partnerId) => `/partners/${enc(partnerId)}`;
const groupPath = (partnerId, groupId) => `${partnerPath(partnerId)}/groups/${enc(groupId)}`;
const customerPath = (partnerId, customerId) => `${partnerPath(partnerId)}/customers/${enc(customerId)}`;
const userPath = (partnerId, userId) => `${partnerPath(partnerId)}/users/${enc(userId)}`;
const anyUser = (userId) => `/users/${enc(userId)}`;
const get = (path, query) => request('GET', path, { query });
const post = (path, body) => request('POST', path, { body });
const put = (path, body) => request('PUT', path, { body });
const del = (path) => request('DELETE', path);

export const auth = {
  login: (email, password) =>
    request('POST', '/auth/login', { body: { email, password }, anonymous: true }),
  logout: () => request('POST', '/auth/logout', { body: {}, quiet: true }),
  me: () => get('/me'),
  changePassword: (body) => put('/me/password', body),
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
  list: (query) => get('/partners', query),
  create: (body) => post('/partners', body),
  update: (partnerId, body) => put(partnerPath(partnerId), body),
  /** A partner that still has groups or customers is a 409. */
  remove: (partnerId) => del(partnerPath(partnerId)),
  all: () => allPages(partners.list),
};

// Groups carry an ETag, so an edit can say which version it was based on.
export const groups = {
  list: (partnerId, query) => get(`${partnerPath(partnerId)}/groups`, query),
  async get(partnerId, groupId) {
    const { body, headers } = await send('GET', groupPath(partnerId, groupId));
    return { group: body.data, etag: headers.get('ETag') };
  },
  create: (partnerId, body) => post(`${partnerPath(partnerId)}/groups`, body),
  async update(partnerId, groupId, changes, etag) {
    const headers = etag ? { 'If-Match': etag } : {};
    const { body, headers: answer } = await send('PUT', groupPath(partnerId, groupId), { body: changes, headers });
    return { group: body.data, etag: answer.get('ETag') };
  },
  remove: (partnerId, groupId) => del(groupPath(partnerId, groupId)),
  all: (partnerId) => allPages((query) => groups.list(partnerId, query)),

  /** The members as CSV: `{ blob, filename }`. */
  async exportMembers(partnerId, groupId) {
    const { body, headers } = await send('GET', `${groupPath(partnerId, groupId)}/customers/export`, { blob: true });
    const named = /filename="([^"]+)"/.exec(headers.get('Content-Disposition') ?? '');
    return { blob: body, filename: named ? named[1] : `group-${groupId}-members.csv` };
  },
};

export const members = {
  list: (partnerId, groupId, query) => get(`${groupPath(partnerId, groupId)}/customers`, query),
  add: (partnerId, groupId, customerId) => post(`${groupPath(partnerId, groupId)}/customers`, { customer_id: customerId }),
  remove: (partnerId, groupId, customerId) => del(`${groupPath(partnerId, groupId)}/customers/${enc(customerId)}`),
  /** All or nothing; a 422 names `add.N`. */
  batch: (partnerId, groupId, { add = [], remove = [] }) => post(`${groupPath(partnerId, groupId)}/customers/batch`, { add, remove }),
};

export const customers = {
  list: (partnerId, query) => get(`${partnerPath(partnerId)}/customers`, query),
  get: (partnerId, customerId) => get(customerPath(partnerId, customerId)),
  create: (partnerId, body) => post(`${partnerPath(partnerId)}/customers`, body),
  update: (partnerId, customerId, body) => put(customerPath(partnerId, customerId), body),
  remove: (partnerId, customerId) => del(customerPath(partnerId, customerId)),
  /** A CSV file's bytes; `dryRun` writes nothing; a 422 names `rows.N.field`. */
  import: (partnerId, csv, { groupId, dryRun }) =>
    request('POST', `${partnerPath(partnerId)}/customers/import`, {
      csv, query: { group_id: groupId, dry_run: dryRun ? 'true' : undefined },
    }),
};

export const audit = {
  list: (partnerId, query) => get(`${partnerPath(partnerId)}/audit`, query),
};

export const users = {
  list: (partnerId, query) => get(`${partnerPath(partnerId)}/users`, query),
  create: (partnerId, body) => post(`${partnerPath(partnerId)}/users`, body),
  all: (partnerId) => allPages((query) => users.list(partnerId, query)),
  get: (partnerId, userId) => get(userPath(partnerId, userId)),
  update: (partnerId, userId, body) => put(userPath(partnerId, userId), body),
  detach: (partnerId, userId) => del(userPath(partnerId, userId)),
  // Admin only (API.md, "Admin only"); permissions and partners replace the whole set.
  getAny: (userId) => get(anyUser(userId)),
  updateAny: (userId, body) => put(anyUser(userId), body),
  revokeTokens: (userId) => post(`${anyUser(userId)}/revoke-tokens`, {}),
  setPermissions: (userId, permissions) => put(`${anyUser(userId)}/permissions`, { permissions }),
  setPartners: (userId, partnerIds) => put(`${anyUser(userId)}/partners`, { partner_ids: partnerIds }),
};
