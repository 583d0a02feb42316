// The pages' words: the current page language, t() to look a word up, and language names.
// The words themselves are in one file per language, i18n/en.js, ru.js and kk.js.
//
// Only the table of the language in use is loaded (each is 20-30 KB, most of a phone's first load): this module
// waits (top-level await) for the detected language's table before any page code runs, so t() is synchronous
// as before; a change of language loads the new table first and then tells the pages (onLanguageChange).
// English is the fallback for a key a table lacks; it is loaded only if that happens (every table has every key).

import { languageName as nameInLanguage } from './language-names.js';
import { load, save } from './storage.js';

const CODES = ['en', 'ru', 'kk'];
const TABLES = {};
const loading = {};

/** Loads the word table of `code` (one of the page languages) once; resolves when t() can use it. */
export function loadLanguage(code) {
  if (!CODES.includes(code)) return Promise.resolve();
  if (!loading[code]) {
    loading[code] = import(`../i18n/${code}.js`).then((module) => {
      TABLES[code] = module.words;
    });
  }
  return loading[code];
}

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
  if (stored && CODES.includes(stored)) return stored;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of wanted) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (CODES.includes(primary)) return primary;
  }
  return 'en';
}

export function currentLanguage() {
  return current;
}

/** Switches the pages' language; the listeners are told once its table is loaded (at once if it is). */
export function setLanguage(code, { remember = false } = {}) {
  if (!CODES.includes(code)) code = 'en';
  if (remember) save(STORAGE_KEY, code);
  const apply = () => {
    current = code;
    document.documentElement.lang = code;
    for (const f of listeners) f(code);
  };
  if (TABLES[code]) {
    apply();
    return Promise.resolve();
  }
  return loadLanguage(code).then(apply, apply);
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
  const table = TABLES[lang] || TABLES[current] || {};
  let value = table[key];
  if (value === undefined && TABLES.en) value = TABLES.en[key];
  if (value === undefined) {
    if (!loading.en) loadLanguage('en').then(() => { for (const f of listeners) f(current); });
    return key;
  }
  if (typeof value === 'function') return value(params);
  return value.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : m));
}

// Before any page code runs: the table of the language the page will start in.
await loadLanguage(detectLanguage());
