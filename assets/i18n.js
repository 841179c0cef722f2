// English and German. English text is its own key (gettext style), so the
// code reads as it renders; i18n-de.js holds the German.

import { DE } from './i18n-de.js';

const LANG_KEY = 'venue-groups.lang';
// Keys with no German yet (the browser tests read it).
const missing = new Set();

let lang = initialLang();

function initialLang() {
  try {
    const kept = localStorage.getItem(LANG_KEY);
    if (kept === 'de' || kept === 'en') return kept;
  } catch {
    // Storage disabled: follow the browser.
  }
  const first = (navigator.languages ?? [navigator.language]).find((l) => /^(de|en)\b/i.test(l ?? ''));
  return first && /^de/i.test(first) ? 'de' : 'en';
}

export const currentLang = () => lang;

/** The Intl locale: the browser's variant of the language (de-AT, en-GB...) if it has one. */
export function locale() {
  const own = (navigator.languages ?? []).find((l) => l.toLowerCase().startsWith(lang));
  return own ?? (lang === 'de' ? 'de-DE' : 'en-GB');
}

export function setLang(next) {
  lang = next === 'de' ? 'de' : 'en';
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // The choice lasts until a reload.
  }
  document.documentElement.lang = lang;
}

/** The text in the current language, with `{name}` placeholders filled from `params`. */
export function t(text, params) {
  let out = text;
  if (lang === 'de') {
    out = DE[text];
    if (out === undefined) {
      missing.add(text);
      out = text;
    }
  }
  if (!params) return out;
  return out.replace(/\{(\w+)\}/g, (all, key) => (key in params ? String(params[key]) : all));
}

/** Picks the singular or plural key by `n` (both languages need just these two forms). */
export function tn(n, one, many, params = {}) {
  return t(n === 1 ? one : many, { n: number(n), ...params });
}

export function number(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

export function dateTime(date) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Translates index.html's `data-i18n` texts and `data-i18n-label` labels. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.dataset.i18n ||= el.textContent.trim();
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.dataset.i18nLabel ||= el.getAttribute('aria-label');
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
  document.documentElement.lang = lang;
}

window.venueGroupsI18nMissing = () => [...missing];
