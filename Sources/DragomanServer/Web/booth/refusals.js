// Sending to the server, and its refusals: a request the server turns down (busy, not accepted…, not fatal) is
// shown for a while next to the key that asked, its `area`.

import { t } from '../shared/i18n.js';
import { nameOf, page, render } from './state.js';

const REFUSAL_MS = 10000;

/** A refusal of the server, shown where the last request came from. */
export function showRefusal(message) {
  showIn(page.pendingArea, message.code, message.message || '');
}

function showIn(area, code, message) {
  page.refusal = { code, message, area, at: Date.now() };
  clearTimeout(page.refusalTimer);
  page.refusalTimer = setTimeout(() => {
    page.refusal = null;
    render();
  }, REFUSAL_MS);
}

export function clearRefusal() {
  page.refusal = null;
  clearTimeout(page.refusalTimer);
}

export function refusalText(refusal) {
  const s = page.state;
  const key = `boothErr.${refusal.code}`;
  if (t(key) === key) return refusal.message || refusal.code;
  return t(key, { name: s && s.live ? nameOf(s.live) : '', message: refusal.message });
}

/** Sends a console message; area: where a refusal of it will be shown. */
export function send(message, area) {
  const connection = page.connection;
  if (!connection || !connection.isOpen) {
    showIn(area, 'offline', '');
    render();
    return false;
  }
  page.pendingArea = area;
  clearRefusal();
  const ok = connection.send(message);
  render();
  return ok;
}
