// The pages' words: the current page language, t() to look a word up, and language names.
// The words themselves are in one file per language, i18n/en.js, ru.js and kk.js.

import { words as en } from '../i18n/en.js';
import { words as kk } from '../i18n/kk.js';
import { words as ru } from '../i18n/ru.js';
import { languageName as nameInLanguage } from './language-names.js';
import { load, save } from './storage.js';

// All three tables load with the page: they are small next to the audio code. To load only the language in use,
// setLanguage would import(`../i18n/${code}.js`) and wait for it; t() and the rest would not change.
const TABLES = { en, ru, kk };

/** The languages the pages speak, each named in itself. */
export const UI_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'kk', name: 'Қазақша' },
];

const STORAGE_KEY = 'dragoman.ui-lang';
let current = 'en';
const listeners = new Set();

/** The stored choice, else the first of navigator.languages the pages speak, else English. */
export function detectLanguage() {
  const stored = load(STORAGE_KEY);
  if (stored && TABLES[stored]) return stored;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of wanted) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (TABLES[primary]) return primary;
  }
  return 'en';
}

export function currentLanguage() {
  return current;
}

export function setLanguage(code, { remember = false } = {}) {
  if (!TABLES[code]) code = 'en';
  current = code;
  document.documentElement.lang = code;
  if (remember) save(STORAGE_KEY, code);
  for (const f of listeners) f(code);
}

/** Calls f(code) after every language change. */
export function onLanguageChange(f) {
  listeners.add(f);
}

/** The string for key in the current language (English when missing), with {name} filled from params. */
export function t(key, params = {}) {
  return translate(current, key, params);
}

/** Fills [data-i18n] (text), [data-i18n-label] (aria-label) and [data-i18n-placeholder]. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
}

/** Fills a <select> with the page languages and switches (and remembers) on change. */
export function bindLanguageSelect(select) {
  select.textContent = '';
  for (const { code, name } of UI_LANGUAGES) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.textContent = name;
    select.append(option);
  }
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  onLanguageChange((code) => { select.value = code; });
}

/** A language's name in the page's language (lower case inside sentences for ru and kk), or in `ui`. */
export function languageName(tag, ui = current) {
  return nameInLanguage(tag, ui);
}

export function capitalize(s) {
  return s ? s.charAt(0).toLocaleUpperCase(current) + s.slice(1) : s;
}

/** The label of a channel: "Floor" or the language's name. */
export function channelLabel(channelId) {
  return channelId === 'floor' ? t('floor') : capitalize(languageName(channelId));
}

/** The string for key in the language `lang` (not the page's), e.g. for a printed card in its channel's language. */
export function translate(lang, key, params = {}) {
  const table = TABLES[lang] || en;
  const value = table[key] ?? en[key];
  if (value === undefined) return key;
  if (typeof value === 'function') return value(params);
  return value.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : m));
}
