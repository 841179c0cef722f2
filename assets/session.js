// Who is signed in, their partners and the one selected (remembered per user
// in localStorage: an id, not a secret).

const PARTNER_KEY = 'venue-groups.partner.';

export const session = { user: null, partners: [], partnerId: null };

/** Admins hold every permission (API.md, "Permissions and partner access"). */
export function can(permission) {
  const user = session.user;
  return Boolean(user && (user.is_admin || user.permissions?.includes(permission)));
}

export function isAdmin() {
  return Boolean(session.user?.is_admin);
}

export function setUser(user) {
  session.user = user;
}

/** New partners: the selection stays if it can; a lone partner is picked. */
export function setPartners(partners) {
  session.partners = partners;
  const find = (id) => partners.find((p) => id !== null && id !== undefined && String(p.id) === String(id));
  const chosen = find(session.partnerId) ?? find(stored()) ?? (partners.length === 1 ? partners[0] : null);
  session.partnerId = chosen ? chosen.id : null;
}

export function selectPartner(id) {
  session.partnerId = id;
  if (id === null || !session.user) return;
  try {
    localStorage.setItem(PARTNER_KEY + session.user.id, String(id));
  } catch {
    // Storage disabled: the choice just isn't remembered.
  }
}

export function currentPartner() {
  return session.partners.find((p) => String(p.id) === String(session.partnerId)) ?? null;
}

export function clearSession() {
  session.user = null;
  session.partners = [];
  session.partnerId = null;
}

function stored() {
  try {
    return session.user ? localStorage.getItem(PARTNER_KEY + session.user.id) : null;
  } catch {
    return null;
  }
}
