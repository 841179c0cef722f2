/**
 * venue-groups admin page: starts the session, keeps the header (partner
 * picker, navigation) in step with it, and mounts one view per hash route.
 *
 * Hooks browser tests can rely on (keep this list in step with the code).
 *
 * Always present (index.html)
 *   #alert            role="alert"; errors; `hidden` when there are none
 *   #status           role="status"; short success messages (clear after ~6 s)
 *   #busy             visible while a request runs; <main id="main"> gets aria-busy="true"
 *   #main             the current view; its heading is #view-title (focused on navigation)
 *   #session-bar, #current-user, #partner-select, #logout   (hidden when signed out)
 *   #nav, #nav-groups, #nav-customers, #nav-users, #nav-partners
 *                     (a link's <li> is hidden without the permission; active link has aria-current="page")
 *   #confirm-dialog, #confirm-title, #confirm-message, #confirm-ok, #confirm-cancel
 *
 * Forms (forms.js): `#P-form`, a control `#P-F` with its error `#P-F-error`
 * (shown only with a 422 message for that field, control gets aria-invalid="true"),
 * and `#P-submit`; F is the API field name with "_" written "-".
 *   login            P=login            F: email, password
 *   new partner      P=partner-create   F: name
 *   new group        P=group-create     F: name, description
 *   edit group       P=group-edit       F: name, description
 *   new customer     P=customer-create  F: first-name, last-name, email, phone
 *   edit customer    P=customer-edit    F: first-name, last-name, email, phone
 *   new user         P=user-create      F: email, password, first-name, last-name
 *
 * Lists (pagedlist.js), with L one of partner, group, member, customer, user:
 *   #L-search (not for partner), #L-table, #L-empty, #L-prev, #L-next,
 *   #L-page-info ("Page X of Y"), #L-total, #L-list-title
 *   each row has data-id="<id>" plus the row test ids below.
 *
 * Views and their rows
 *   #/partners        [data-testid=partner-row] > partner-name, partner-use (button)
 *   #/groups          [data-testid=group-row][data-group-id] > group-name (link to the group),
 *                     group-description, group-count (customers_count, digits only), group-delete
 *   #/groups/:id      #group-customers-count (digits only), #group-description-text,
 *                     #group-delete, #back-to-groups, #group-loading
 *                     member picker: #member-add-form, #member-add-search, #member-add-search-submit,
 *                       #member-add-results > [data-testid=customer-result][data-customer-id] (button: adds),
 *                       #member-add-empty, #member-add-more
 *                     add many (inside #member-add): #member-batch-open (aria-expanded), #member-batch-body,
 *                       #member-batch-search, #member-batch-search-submit, #member-batch-list >
 *                       [data-testid=batch-customer][data-customer-id] (checkbox), #member-batch-empty,
 *                       #member-batch-more, #member-batch-selected,
 *                       #member-batch-submit (disabled until someone is ticked; one batch call)
 *                     [data-testid=member-row][data-customer-id] > member-name, member-email,
 *                       member-phone, member-added, member-remove
 *                     #group-export (button: downloads the members as CSV)
 *                     history (audit.read): #group-history (ol, newest first) >
 *                       [data-testid=history-entry][data-action][data-entry-id] > history-what,
 *                       history-who ("user N", "user N (you)" or "command line"), history-when (<time>),
 *                       history-changes (one li per changed field); #group-history-empty, #group-history-more
 *   #/customers       [data-testid=customer-row][data-customer-id] > customer-name (link),
 *                     customer-email, customer-phone, customer-edit (link), customer-delete
 *                     import (customers.create): #customer-import-file (type=file),
 *                       #customer-import-group (with groups.update + groups.read; "" = no group),
 *                       #customer-import-preview (dry run), #customer-import-submit (disabled until a clean preview),
 *                       #customer-import-outcome, #customer-import-counts > import-created, import-matched, import-added,
 *                       #customer-import-problems > #customer-import-errors >
 *                       [data-testid=import-error][data-key] (text "rows.7.email: <message>")
 *   #/customers/:id   #customer-delete, #back-to-customers, #customer-loading,
 *                     [data-testid=customer-detail-email], [data-testid=customer-detail-phone]
 *   #/users           [data-testid=user-row][data-user-id] > user-name, user-email
 *   start-up failure  #retry
 *
 * Notes: an empty email or phone cell has empty text (the dash is CSS only);
 * the currently selected partner's row shows a "Selected" badge instead of
 * partner-use; a list's rows are replaced only after its answer arrives, while
 * its .table-wrap has aria-busy="true".
 */

import * as api from './api.js';
import { dismissConfirm } from './confirm.js';
import { customerView } from './customer-view.js';
import { customersView } from './customers-view.js';
import { byId, h } from './dom.js';
import { groupView } from './group-view.js';
import { groupsView } from './groups-view.js';
import { setHooks, token } from './http.js';
import { loginView } from './login-view.js';
import { messageView } from './message-view.js';
import { announce, clearAlert, showAlert, showError } from './notify.js';
import { partnersView } from './partners-view.js';
import { currentRoute, navigate } from './router.js';
import {
  can, clearSession, currentPartner, isAdmin, selectPartner, session, setPartners, setUser,
} from './session.js';
import { usersView } from './users-view.js';

const SESSION_ENDED = 'Your session has ended, please log in again.';

// `nav` names the header link a view belongs to.
const VIEWS = {
  partners: { render: partnersView, title: 'Partners', nav: 'partners', allowed: isAdmin },
  groups: { render: groupsView, title: 'Groups', nav: 'groups', allowed: () => can('groups.read'), partner: true },
  group: { render: groupView, title: 'Group', nav: 'groups', allowed: () => can('groups.read'), partner: true },
  customers: { render: customersView, title: 'Customers', nav: 'customers', allowed: () => can('customers.read'), partner: true },
  customer: { render: customerView, title: 'Customer', nav: 'customers', allowed: () => can('customers.read'), partner: true },
  users: { render: usersView, title: 'Users', nav: 'users', allowed: () => can('users.read'), partner: true },
};
const NAV_ORDER = ['groups', 'customers', 'users', 'partners'];

// Each mount bumps this; a view's `alive()` turns false once another view
// replaced it, so answers that arrive late are dropped instead of drawn.
let generation = 0;

function mount(title, render, extra = {}) {
  const mine = ++generation;
  const main = byId('main');
  clearAlert();
  main.replaceChildren();
  document.title = `${title} · venue-groups`;
  render(main, { partnerId: session.partnerId, alive: () => mine === generation, ...extra });
  // Move focus into the new view so keyboard and screen-reader users start there.
  (main.querySelector('[data-autofocus]') ?? byId('view-title'))?.focus();
}

function renderRoute() {
  if (!session.user) return; // signed out: the login form stays, the hash waits for after login
  const route = currentRoute();
  const def = VIEWS[route.name];
  updateNav(def?.nav);

  if (route.name === 'home') {
    const first = NAV_ORDER.find((name) => VIEWS[name].allowed());
    if (first) navigate(`/${first}`, { replace: true });
    else mount('No access', messageView('No access yet', 'Your account has no permissions yet. Ask an administrator to grant them.'));
    return;
  }
  if (!def) {
    mount('Not found', messageView('Page not found', h('a', { href: '#/' }, 'Go to the start page')));
    return;
  }
  if (!def.allowed()) {
    mount(def.title, messageView('No access', 'Your account is not allowed to see this page.'));
    return;
  }
  if (def.partner && session.partnerId === null) {
    mount('Choose a partner', choosePartnerView());
    return;
  }
  mount(def.title, def.render, { id: route.id, usePartner, refreshPartners });
}

function choosePartnerView() {
  if (session.partners.length > 0) {
    return messageView('Choose a partner', 'Pick the partner to work for in the “Partner” list at the top of the page.');
  }
  if (isAdmin()) {
    return messageView('No partners yet', h('a', { href: '#/partners' }, 'Create the first partner'));
  }
  return messageView('No partner', 'Your account does not belong to any partner yet. Ask an administrator to add you.');
}

function updateNav(active = currentNav()) {
  for (const name of NAV_ORDER) {
    const link = byId(`nav-${name}`);
    link.parentElement.hidden = !VIEWS[name].allowed();
    if (name === active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function currentNav() {
  return VIEWS[currentRoute().name]?.nav;
}

function renderHeader() {
  const signedIn = Boolean(session.user);
  byId('session-bar').hidden = !signedIn;
  byId('nav').hidden = !signedIn;
  if (!signedIn) return;
  const { first_name: first, last_name: last, email } = session.user;
  byId('current-user').textContent = [first, last].filter(Boolean).join(' ') || email;
  renderPartnerSelect();
  updateNav();
}

function renderPartnerSelect() {
  const select = byId('partner-select');
  const options = session.partners.map((p) => h('option', { value: String(p.id) }, p.name));
  if (session.partnerId === null) {
    options.unshift(h('option', { value: '' }, session.partners.length ? 'Choose a partner…' : 'No partners'));
  }
  select.replaceChildren(...options);
  select.value = session.partnerId === null ? '' : String(session.partnerId);
  select.disabled = session.partners.length === 0;
}

function usePartner(id) {
  selectPartner(id);
  renderPartnerSelect();
  const name = currentPartner()?.name;
  if (name) announce(`Now working for ${name}.`);
  // A group or customer page belongs to the old partner; its list is the sensible place to land.
  const route = currentRoute().name;
  navigate(route === 'customer' || route === 'customers' ? '/customers' : route === 'users' ? '/users' : '/groups');
}

/** Non-admins whose GET /partners is refused still have their partner ids from /me. */
async function loadPartners(user) {
  try {
    return await api.partners.all();
  } catch (error) {
    if (error.status !== 403) throw error;
    return (user.partner_ids ?? []).map((id) => ({ id, name: `Partner ${id}` }));
  }
}

async function refreshPartners(preferId) {
  setPartners(await loadPartners(session.user));
  if (session.partnerId === null && preferId !== undefined) selectPartner(preferId);
  renderPartnerSelect();
}

async function startSession() {
  const { data: user } = await api.auth.me();
  const partners = await loadPartners(user);
  setUser(user);
  setPartners(partners);
  renderHeader();
  // The same hash again would not fire hashchange, so render directly.
  renderRoute();
}

function showLogin(message) {
  clearSession();
  renderHeader();
  mount('Log in', (root) => loginView(root, { onLoggedIn: startSession }));
  if (message) showAlert(message);
}

function endSession(message) {
  dismissConfirm();
  token.clear();
  showLogin(message);
}

async function logout() {
  try {
    await api.auth.logout();
  } catch {
    // Forget the token either way; a server that can't be reached can't be helped here.
  }
  token.clear();
  showLogin();
  announce('You are logged out.');
}

// Permissions apply to existing tokens at once, so a 403 may mean they just
// changed: re-read them so the header stops offering what is gone.
async function refreshPermissions() {
  try {
    const { data } = await api.auth.me();
    if (!session.user) return;
    setUser(data);
    renderHeader();
  } catch {
    // The 403 itself is already on screen.
  }
}

function bootFailed(error) {
  if (error?.handled) return;
  mount('Error', (root) => {
    messageView('The page could not start')(root);
    const retry = h('button', { type: 'button', id: 'retry' }, 'Try again');
    retry.addEventListener('click', () => startSession().catch(bootFailed));
    root.querySelector('section').append(retry);
  });
  showError(error);
}

function boot() {
  setHooks({ unauthenticated: () => endSession(SESSION_ENDED), forbidden: refreshPermissions });
  byId('logout').addEventListener('click', logout);
  byId('partner-select').addEventListener('change', (event) => {
    const partner = session.partners.find((p) => String(p.id) === event.target.value);
    if (partner) usePartner(partner.id);
  });
  window.addEventListener('hashchange', renderRoute);

  if (token.get()) startSession().catch(bootFailed);
  else showLogin();
}

boot();
