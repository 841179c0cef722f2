// Transport for the API: the bearer token (in sessionStorage only; a new tab
// asks the open ones for it over a BroadcastChannel, README "Login across
// tabs"), JSON in and out, and every non-2xx answer an ApiError.

import { startBusy } from './busy.js';

const BASE = '/api/internal/v1';
const TOKEN_KEY = 'venue-groups.token';

/** A failed request. `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(status, body, headers) {
    super(messageOf(status, body));
    this.name = 'ApiError';
    this.status = status;
    this.errors = body && typeof body.errors === 'object' && body.errors !== null ? body.errors : {};
    this.retryAfter = retryAfterSeconds(headers);
    // A 401 the session hook dealt with: views stay quiet about it.
    this.handled = false;
  }
}

export const token = {
  get() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  /** `share`: tell the other tabs (a login here, not a token taken from them). */
  set(value, { share = true } = {}) {
    try {
      sessionStorage.setItem(TOKEN_KEY, value);
    } catch {
      // Storage disabled: the login works until the next request needs it.
    }
    if (share) channel?.postMessage({ type: 'token', token: value });
  },
  /** `share`: the token was revoked (a logout), so the tabs holding it are logged out too. */
  clear({ share = false } = {}) {
    const old = token.get();
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Nothing stored, nothing to clear.
    }
    if (share && old) channel?.postMessage({ type: 'logout', token: old });
  },
};

const hooks = { unauthenticated() {}, forbidden() {}, adopted() {}, loggedOut() {} };

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('venue-groups.session') : null;
let waiting = null;
if (channel) {
  channel.addEventListener('message', ({ data }) => {
    const mine = token.get();
    if (data?.type === 'ask' && mine) {
      channel.postMessage({ type: 'token', token: mine });
    } else if (data?.type === 'token' && typeof data.token === 'string' && !mine) {
      token.set(data.token, { share: false });
      if (waiting) waiting(data.token);
      else hooks.adopted();
    } else if (data?.type === 'logout' && mine && mine === data.token) {
      token.clear();
      hooks.loggedOut();
    }
  });
}

/** A token from another open tab, or null after `ms`. */
export function borrowToken(ms = 300) {
  if (!channel) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting = null;
      resolve(null);
    }, ms);
    waiting = (value) => {
      clearTimeout(timer);
      waiting = null;
      resolve(value);
    };
    channel.postMessage({ type: 'ask' });
  });
}

/** What a 401 (session over) and a 403 (permissions changed?) do. */
export function setHooks(given) {
  Object.assign(hooks, given);
}

/**
 * Resolves to `{ body, headers, status }`. `anonymous`: no token, a 401 is an answer (login);
 * `quiet`: no hooks (logout); `csv`: bytes to send; `blob`: the answer is a file.
 */
export async function send(method, path, {
  query, body, csv, headers = {}, anonymous = false, quiet = false, blob = false,
} = {}) {
  const accept = blob ? 'text/csv, application/json' : 'application/json';
  const init = { method, headers: { Accept: accept, ...headers }, cache: 'no-store' };
  const bearer = anonymous ? null : token.get();
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (csv !== undefined) {
    init.headers['Content-Type'] = 'text/csv; charset=utf-8';
    init.body = csv;
  }

  const done = startBusy();
  try {
    let response;
    try {
      response = await fetch(BASE + path + queryString(query), init);
    } catch {
      throw new ApiError(0, null, null);
    }
    // The whole file is read while the busy badge still shows.
    const payload = blob && response.ok ? await readBlob(response) : await readJson(response);
    if (response.ok) return { body: payload, headers: response.headers, status: response.status };

    const error = new ApiError(response.status, payload, response.headers);
    if (!anonymous && !quiet) runHooks(error, bearer);
    throw error;
  } finally {
    done();
  }
}

/** Like `send`, but resolves to the JSON body alone. */
export async function request(method, path, options) {
  return (await send(method, path, options)).body;
}

function runHooks(error, bearer) {
  if (error.status === 401) {
    error.handled = true;
    // A late answer to a request sent with an older token (before a logout or
    // a new login) must not end the session that is current now.
    if (bearer && token.get() === bearer) {
      token.clear();
      hooks.unauthenticated(error);
    }
  } else if (error.status === 403) {
    hooks.forbidden(error);
  }
}

function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readBlob(response) {
  try {
    return await response.blob();
  } catch {
    // The server broke the body off mid-way: a partial file must not pass for a whole one.
    throw new ApiError(0, null, null);
  }
}

async function readJson(response) {
  const text = await response.text().catch(() => '');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function messageOf(status, body) {
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return status === 0 ? 'The server could not be reached.' : `The request failed (HTTP ${status}).`;
}

// Retry-After is either seconds or an HTTP date.
function retryAfterSeconds(headers) {
  const raw = headers?.get('Retry-After');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
