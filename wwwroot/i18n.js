// Text comes from i18n/{lang}.json; markup carries keys only (data-i18n, data-i18n-placeholder, data-i18n-label).
const supported = ['en', 'ko'];
const storageKey = 'board.lang';
let strings = {};
let current = 'en';

export function chooseLanguage() {
  const saved = localStorage.getItem(storageKey);
  if (supported.includes(saved)) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (supported.includes(base)) return base;
  }
  return 'en';
}

export async function loadLanguage(lang, remember = false) {
  const response = await fetch(`/i18n/${lang}.json`, { cache: 'no-cache' });
  strings = await response.json();
  current = lang;
  if (remember) localStorage.setItem(storageKey, lang);
  document.documentElement.lang = lang;
  translate(document);
}

export const language = () => current;
export const languages = supported;

/**
 * The text for key, with {name} placeholders filled. With a numeric `count` (or `plural`, when the number that
 * decides the wording is another one), `key.one` / `key.other`… are chosen by Intl.PluralRules for the page's
 * language: "1 approval", "2 approvals"; Korean has one form.
 */
export function t(key, params = {}) {
  const n = params.plural ?? params.count;
  const form = typeof n === 'number' ? strings[`${key}.${new Intl.PluralRules(current).select(n)}`] ?? strings[`${key}.other`] : undefined;
  const text = form ?? strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  document.title = t('app.title');
}

const relative = () => new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
const absolute = () => new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' });

export function when(iso) {
  const date = new Date(iso);
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative().format(seconds, 'second');
  if (abs < 3600) return relative().format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative().format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 7) return relative().format(Math.round(seconds / 86400), 'day');
  return absolute().format(date);
}

/** Whether the language has a text for key (a refusal code, an action…). */
export const has = (key) => key in strings || `${key}.other` in strings;

export const exactTime = (iso) => absolute().format(new Date(iso));
export const list = (names) => new Intl.ListFormat(current, { style: 'long', type: 'conjunction' }).format(names);
