// Asks first, in index.html's modal #confirm-dialog; Escape cancels, focus starts on Cancel.

import { t } from './i18n.js';

const byId = (id) => document.getElementById(id);

/** Resolves to true when the person chose the confirm button. */
export function confirmDialog({ title, message, confirmLabel = t('Delete') }) {
  const dialog = byId('confirm-dialog');
  if (typeof dialog?.showModal !== 'function') {
    return Promise.resolve(window.confirm(`${title}\n\n${message}`));
  }
  const opener = document.activeElement;
  byId('confirm-title').textContent = title;
  byId('confirm-message').textContent = message;
  byId('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';

  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      // Browsers differ in where focus goes when a dialog closes.
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'confirm');
    }, { once: true });
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}

/** Closes an open confirmation as cancelled (the session ended under it). */
export function dismissConfirm() {
  const dialog = byId('confirm-dialog');
  if (dialog?.open) dialog.close('cancel');
}
