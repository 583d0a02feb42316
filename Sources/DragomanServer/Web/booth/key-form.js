// The interpreter key: from ?key= (then removed from the address bar and kept for this tab), from the form, or
// from this computer's memory when the interpreter asked for it.

import { isValidCode, normalizeCode } from '../shared/api.js';
import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { load, save, sessionGet, sessionSet } from '../shared/storage.js';
import { page, render } from './state.js';

export const KEY_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;

function keyStorageName(code) {
  return `dragoman.booth-key.${code}`;
}

function normalizeKey(text) {
  return String(text || '').toUpperCase().replace(/[\s-]/g, '');
}

export function takeKeyFromAddress() {
  const params = new URLSearchParams(window.location.search);
  const key = params.get('key');
  if (key === null) return null;
  params.delete('key');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash);
  return normalizeKey(key);
}

/** The key for this event: from the address, else this tab's, else the remembered one. */
export function findKey(code, addressKey) {
  if (!code) return addressKey;
  if (addressKey) sessionSet(keyStorageName(code), addressKey);
  return addressKey || sessionGet(keyStorageName(code)) || load(keyStorageName(code)) || null;
}

/** Forgets a key the server refused (wrong, withdrawn, or for another booth). */
export function forgetKey(code) {
  sessionSet(keyStorageName(code), null);
  save(keyStorageName(code), null);
}

export function showKeyForm(errorKey = null, params = {}) {
  page.conn = 'idle';
  $('console').hidden = true;
  $('shortcuts').hidden = true;
  $('awareness').hidden = true;
  $('key-view').hidden = false;
  $('key-code-field').hidden = !!page.code;
  if (page.code) $('key-code').value = page.code;
  $('key-input').value = page.key || '';
  $('key-remember').checked = !!(page.code && load(keyStorageName(page.code)));
  setText($('key-error'), errorKey ? t(errorKey, params) : '');
  $('key-input').setAttribute('aria-invalid', errorKey ? 'true' : 'false');
  (page.code ? $('key-input') : $('key-code')).focus();
  render();
}

/** The form's submit: a valid code and key open the console (openConsole). */
export function wireKeyForm(openConsole) {
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const code = page.code || normalizeCode($('key-code').value);
    if (!isValidCode(code)) {
      setText($('key-error'), t('codeInvalid'));
      $('key-code').focus();
      return;
    }
    const key = normalizeKey($('key-input').value);
    if (!KEY_PATTERN.test(key)) {
      setText($('key-error'), t('booth.keyInvalid'));
      $('key-input').setAttribute('aria-invalid', 'true');
      $('key-input').focus();
      return;
    }
    page.code = code;
    page.key = key;
    sessionSet(keyStorageName(code), key);
    save(keyStorageName(code), $('key-remember').checked ? key : null);
    openConsole();
  });
}
