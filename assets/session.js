// Who is signed in, which partners they work for and which one is selected.
// The last partner chosen is remembered per user in localStorage (an id, not
// a secret), so someone who works for several partners lands where they left.

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

/** Replaces the partner list, keeping the selection if it is still there; a lone partner is picked for you. */
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
