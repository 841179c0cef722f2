// The admin page: the session, the header in step with it, one view per
// hash route. Its ids for tests: tests/browser/HOOKS.md.

import { passwordView } from './account.js';
import * as api from './api.js';
import { dismissConfirm } from './confirm.js';
import { customerView } from './customer-view.js';
import { customersView } from './customers-view.js';
import { byId, h } from './dom.js';
import { groupView } from './group-view.js';
import { groupsView } from './groups-view.js';
import { borrowToken, setHooks, token } from './http.js';
import { currentLang, setLang, t, translateStatic } from './i18n.js';
import { loginView } from './login-view.js';
import { messageView } from './message-view.js';
import { announce, clearAlert, showAlert, showError } from './notify.js';
import { partnersView } from './partners-view.js';
import { currentRoute, navigate } from './router.js';
import {
  can, clearSession, currentPartner, isAdmin, selectPartner, session, setPartners, setUser,
} from './session.js';
import { userView } from './user-view.js';
import { usersView } from './users-view.js';

// `nav` names the header link a view belongs to; titles are English keys (i18n.js).
const VIEWS = {
  partners: { render: partnersView, title: 'Partners', nav: 'partners', allowed: isAdmin },
  groups: { render: groupsView, title: 'Groups', nav: 'groups', allowed: () => can('groups.read'), partner: true },
  group: { render: groupView, title: 'Group', nav: 'groups', allowed: () => can('groups.read'), partner: true },
  customers: { render: customersView, title: 'Customers', nav: 'customers', allowed: () => can('customers.read'), partner: true },
  customer: { render: customerView, title: 'Customer', nav: 'customers', allowed: () => can('customers.read'), partner: true },
  users: { render: usersView, title: 'Users', nav: 'users', allowed: () => can('users.read'), partner: true },
  user: { render: userView, title: 'User', nav: 'users', allowed: () => isAdmin() || can('users.update') || can('users.delete'), partner: true },
  password: { render: passwordView, title: 'Change my password', allowed: () => true },
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
    else mount(t('No access'), messageView(t('No access yet'), t('Your account has no permissions yet. Ask an administrator to grant them.')));
    return;
  }
  if (!def) {
    mount(t('Not found'), messageView(t('Page not found'), h('a', { href: '#/' }, t('Go to the start page'))));
    return;
  }
  if (!def.allowed()) {
    mount(t(def.title), messageView(t('No access'), t('Your account is not allowed to see this page.')));
    return;
  }
  if (def.partner && session.partnerId === null) {
    mount(t('Choose a partner'), choosePartnerView());
    return;
  }
  mount(t(def.title), def.render, { id: route.id, usePartner, refreshPartners });
}

function choosePartnerView() {
  if (session.partners.length > 0) {
    return messageView(t('Choose a partner'), t('Pick the partner to work for in the “Partner” list at the top of the page.'));
  }
  if (isAdmin()) {
    return messageView(t('No partners yet'), h('a', { href: '#/partners' }, t('Create the first partner')));
  }
  return messageView(t('No partner'), t('Your account does not belong to any partner yet. Ask an administrator to add you.'));
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

function renderLangSwitch() {
  const other = currentLang() === 'de' ? 'en' : 'de';
  const button = byId('lang-switch');
  // Named in the language it switches to, as language pickers are.
  button.textContent = other === 'de' ? 'Deutsch' : 'English';
  button.lang = other;
}

function renderHeader() {
  translateStatic();
  renderLangSwitch();
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
    options.unshift(h('option', { value: '' }, session.partners.length ? t('Choose a partner…') : t('No partners')));
  }
  select.replaceChildren(...options);
  select.value = session.partnerId === null ? '' : String(session.partnerId);
  select.disabled = session.partners.length === 0;
}

function usePartner(id) {
  selectPartner(id);
  renderPartnerSelect();
  const name = currentPartner()?.name;
  if (name) announce(t('Now working for {name}.', { name }));
  // A group or customer page belongs to the old partner; its list is the sensible place to land.
  const route = currentRoute().name;
  navigate(route === 'customer' || route === 'customers' ? '/customers' : route === 'users' || route === 'user' ? '/users' : '/groups');
}

/** Non-admins whose GET /partners is refused still have their partner ids from /me. */
async function loadPartners(user) {
  try {
    return await api.partners.all();
  } catch (error) {
    if (error.status !== 403) throw error;
    return (user.partner_ids ?? []).map((id) => ({ id, name: t('Partner {id}', { id }) }));
  }
}

async function refreshPartners(preferId) {
  setPartners(await loadPartners(session.user));
  if (session.partnerId === null && preferId !== undefined) selectPartner(preferId);
  renderPartnerSelect();
}

async function startSession() {
  const { data: user } = await api.auth.me();
  setUser(user);
  setPartners(await loadPartners(user));
  renderHeader();
  // The same hash again would not fire hashchange, so render directly.
  renderRoute();
}

function showLogin(message) {
  clearSession();
  renderHeader();
  mount(t('Log in'), (root) => loginView(root, { onLoggedIn: startSession }));
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
  token.clear({ share: true });
  // Whoever logs in next starts at the start page, not on this person's last one.
  history.replaceState(null, '', '#/');
  showLogin();
  announce(t('You are logged out.'));
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
  mount(t('Error'), (root) => {
    messageView(t('The page could not start'))(root);
    const retry = h('button', { type: 'button', id: 'retry' }, t('Try again'));
    retry.addEventListener('click', () => startSession().catch(bootFailed));
    root.querySelector('section').append(retry);
  });
  showError(error);
}

/**
 * Arrow keys on a closed <select> change its value at once in some browsers;
 * switching partner on each would reload the page under the person's
 * fingers (WCAG 3.2.2). A pointer choice applies at once; a keyboard one on
 * Enter or when focus leaves.
 */
function wirePartnerSelect() {
  const select = byId('partner-select');
  let keyed = false;
  const apply = () => {
    keyed = false;
    const partner = session.partners.find((p) => String(p.id) === select.value);
    if (partner && String(partner.id) !== String(session.partnerId)) usePartner(partner.id);
  };
  select.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      apply();
    } else if (/^(Arrow|Page|Home|End)/.test(event.key) || event.key.length === 1) {
      keyed = true;
    }
  });
  select.addEventListener('change', () => {
    if (!keyed) apply();
  });
  select.addEventListener('blur', () => {
    if (keyed) apply();
  });
}

function switchLanguage() {
  setLang(currentLang() === 'de' ? 'en' : 'de');
  renderHeader();
  if (session.user) renderRoute();
  else showLogin();
  byId('lang-switch').focus();
}

async function boot() {
  setHooks({
    unauthenticated: () => endSession(t('Your session has ended, please log in again.')),
    forbidden: refreshPermissions,
    // Another tab logged in while this one showed the login form.
    adopted: () => startSession().catch(bootFailed),
    loggedOut: () => {
      dismissConfirm();
      showLogin(t('You logged out in another tab.'));
    },
  });
  byId('logout').addEventListener('click', logout);
  byId('lang-switch').addEventListener('click', switchLanguage);
  byId('skip-link').addEventListener('click', (event) => {
    // The hash holds the route; the link must not change it.
    event.preventDefault();
    byId('main').focus();
  });
  wirePartnerSelect();
  window.addEventListener('hashchange', renderRoute);
  renderHeader();

  if (!token.get()) await borrowToken();
  if (token.get()) startSession().catch(bootFailed);
  else showLogin();
}

boot();
