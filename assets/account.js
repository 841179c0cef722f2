// A login's life: "Change my password", and on a user's page what the
// viewer may change; whatever ends sessions or access asks first.

import * as api from './api.js';
import { confirmDialog } from './confirm.js';
import { fullName, h, panel, viewShell } from './dom.js';
import { buildForm, fillForm, onSubmit } from './forms.js';
import { t } from './i18n.js';
import { announce, showError } from './notify.js';
import { navigate } from './router.js';
import { can, isAdmin, session } from './session.js';

const pw = (name, label, extra) => ({ name, label, type: 'password', required: true, autocomplete: 'new-password', ...extra });
const newPassword = () => [
  pw('new_password', t('New password'), { hint: t('At least 8 characters.') }),
  pw('new_password_confirmation', t('New password again')),
];

/** #/password: this session stays, the user's others end. */
export function passwordView(root) {
  const { section } = viewShell(t('Change my password'));
  const form = buildForm({
    prefix: 'password-change',
    submitLabel: t('Change my password'),
    fields: [pw('current_password', t('Current password'), { autocomplete: 'current-password', autofocus: true }), ...newPassword()],
  });
  onSubmit(form, async (values) => {
    await api.auth.changePassword(values);
    form.reset();
    announce(t('Password changed. Your other sessions have ended.'));
  });
  section.append(form);
  root.append(section);
}

/** The panels of `user`'s page for this viewer; `show` redraws it. */
export function accountPanels(user, partnerId, show) {
  const name = fullName(user) || user.email;
  const ends = t('Every session of {name} ends now.', { name });
  const ask = (label, message) => confirmDialog({ title: `${label}: ${name}?`, message, confirmLabel: label });
  // An admin's route: the user may not be this partner's.
  const update = async (body) => {
    const { data } = await (isAdmin() ? api.users.updateAny(user.id, body) : api.users.update(partnerId, user.id, body));
    show(data);
    announce(t('{name} saved.', { name: fullName(data) || data.email }));
  };
  const out = [];
  if (can('users.update')) {
    const edit = buildForm({
      prefix: 'user-edit',
      submitLabel: t('Save'),
      fields: [
        { name: 'first_name', label: t('First name'), required: true, maxlength: 255 },
        { name: 'last_name', label: t('Last name'), required: true, maxlength: 255 },
        { name: 'email', label: t('Email'), type: 'email', required: true },
      ],
    });
    fillForm(edit, user);
    onSubmit(edit, update);
    const label = t('Set password');
    const password = buildForm({ prefix: 'user-password', submitLabel: label, fields: newPassword() });
    onSubmit(password, async (values) => {
      if (await ask(label, ends)) await update(values);
    });
    out.push(panel('user-edit', t('Name and email'), edit), panel('user-password', t('New password'), password));
  }
  // [id, label, what follows (null: nothing to ask), what it does]
  const actions = [];
  if (can('users.delete')) {
    // Their page is no longer this partner's.
    actions.push(['user-detach', t('Take off this partner'), t('The account stays.'),
      () => api.users.detach(partnerId, user.id).then(() => navigate('/users'))]);
  }
  if (isAdmin()) {
    actions.push(user.disabled
      ? ['user-disable', t('Enable login'), null, () => update({ disabled: false })]
      : ['user-disable', t('Disable login'), ends, () => update({ disabled: true })]);
    actions.push(user.is_admin
      ? ['user-admin', t('Remove admin rights'), '', () => update({ is_admin: false })]
      : ['user-admin', t('Make admin'), t('An administrator: may do everything, for every partner.'), () => update({ is_admin: true })]);
    if (user.id !== session.user?.id) {
      actions.push(['user-revoke', t('End all sessions'), ends, () => api.users.revokeTokens(user.id).then(() => announce(ends))]);
    }
  }
  if (actions.length) {
    out.push(panel('user-account', t('Login'),
      user.disabled ? h('p', { id: 'user-disabled' }, t('This login is disabled.')) : null,
      h('div', { class: 'form-actions' }, actions.map(([id, label, message, action]) => h('button', {
        type: 'button',
        id,
        class: 'button-secondary',
        onclick: async () => {
          if (message === null || await ask(label, message)) await action().catch(showError);
        },
      }, label)))));
  }
  return out;
}
