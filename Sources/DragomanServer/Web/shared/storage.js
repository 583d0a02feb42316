// localStorage that never throws (private modes, full storage, disabled cookies).

/** The stored JSON value of key, or fallback. */
export function load(key, fallback = null) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    if (value === undefined || value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage is a convenience; the page works without it.
  }
}

/** Per-event memory of the listener: { channel, pin }. */
export function loadEventPrefs(code) {
  const value = load(`dragoman.event.${code}`, {});
  return value && typeof value === 'object' ? value : {};
}

export function saveEventPrefs(code, changes) {
  save(`dragoman.event.${code}`, { ...loadEventPrefs(code), ...changes });
}

/** Reads #token=… from the address and removes it from the address bar (so it is not shown or bookmarked). */
export function takeTokenFromFragment() {
  const match = window.location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (!match) return null;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** This tab's memory (sessionStorage): kept across reloads, forgotten when the tab closes. */
export function sessionGet(name) {
  try {
    return window.sessionStorage.getItem(name);
  } catch {
    return null;
  }
}

/** Keeps `value` in this tab's memory; a null or empty value forgets it. */
export function sessionSet(name, value) {
  try {
    if (value) window.sessionStorage.setItem(name, value);
    else window.sessionStorage.removeItem(name);
  } catch {
    // Storage is a convenience; the page works without it.
  }
}
