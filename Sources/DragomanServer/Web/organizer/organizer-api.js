// The organizer's calls to the JSON API (docs/protocol.md), with the organizer token.

import { t } from '../shared/i18n.js';

/**
 * fetch with the token; resolves to { ok, status, body, message } and never throws (a network failure is
 * status 0 with the page's "cannot reach the server" words).
 */
export async function call(token, method, path, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    return { ok: false, status: 0, body: null, message: t('err.network') };
  }
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  const error = json && json.error;
  return { ok: response.ok, status: response.status, body: json, message: error ? error.message || error.code : `HTTP ${response.status}` };
}

export const eventPath = (code) => `/api/events/${encodeURIComponent(code)}`;
