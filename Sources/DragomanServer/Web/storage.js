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
