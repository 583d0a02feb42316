// The JSON API and the URLs of the server (docs/protocol.md).

export const CODE_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;

/** A join code as typed ("k7qm 2x") in its canonical form ("K7QM2X"). */
export function normalizeCode(text) {
  return String(text || '').toUpperCase().replace(/[\s-]/g, '');
}

export function isValidCode(code) {
  return CODE_PATTERN.test(code);
}

/** The valid join code in this page's address /{page}/{code} (e.g. /booth/K7QM2X), else null. */
export function codeFromAddress(page) {
  const parts = window.location.pathname.split('/');
  if (parts.length < 3 || parts.length > 4 || parts[1] !== page || !parts[2] || (parts.length === 4 && parts[3] !== '')) return null;
  const code = normalizeCode(decodeURIComponent(parts[2]));
  return isValidCode(code) ? code : null;
}

/**
 * GET /api/events/{code}: { ok: true, event } or { ok: false, status, code, message }
 * (status 0 and code 'network' when the server cannot be reached).
 */
export async function fetchEvent(code, pin) {
  const headers = { Accept: 'application/json' };
  if (pin) headers['X-Dragoman-Pin'] = pin;
  let response;
  try {
    response = await fetch(`/api/events/${encodeURIComponent(code)}`, { headers, cache: 'no-store' });
  } catch (error) {
    return { ok: false, status: 0, code: 'network', message: String(error && error.message || error) };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body) return { ok: true, event: body };
  const error = body && body.error ? body.error : {};
  return { ok: false, status: response.status, code: error.code || `http-${response.status}`, message: error.message || response.statusText };
}

/** A ws:// or wss:// URL of this server (same scheme security as the page) with query parameters. */
export function socketURL(path, params = {}) {
  const url = new URL(path, window.location.href);
  url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  return url.href;
}

/** The fallback Ogg/Opus stream of a channel. */
export function streamURL(code, channel, pin) {
  const url = new URL(`/stream/${encodeURIComponent(code)}/${encodeURIComponent(channel)}.ogg`, window.location.href);
  if (pin) url.searchParams.set('pin', pin);
  return url.href;
}

/**
 * What a channel carries, from a `carrying` message or from a channel of GET /api/events/{code},
 * as { kind, language, interpretation, floorLive }.
 */
export function normalizeCarrying(source, extra = {}) {
  if (!source) return null;
  const inner = source.source || source;
  return {
    kind: inner.kind || 'floor',
    language: inner.language ?? null,
    via: inner.via ?? null,
    interpretation: source.interpretation ?? inner.interpretation ?? null,
    floorLive: source.floorLive ?? extra.floorLive ?? null,
    floorLanguage: source.floorLanguage ?? extra.floorLanguage ?? null,
  };
}
