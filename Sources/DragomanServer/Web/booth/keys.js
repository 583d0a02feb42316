// Keyboard shortcuts of the console. Keys are matched by their physical position (KeyboardEvent.code), so that
// M is M on a Russian or Kazakh layout too (where it types "ь" or "т"). Nothing fires while the focus is in a
// text field (chat); Escape leaves the field. Arrow keys are left alone on sliders, which use them themselves.
// Ctrl, Alt and Meta combinations are the browser's.

/** The shortcuts: code → { action, label, hold? }. `hold`: the action gets (true) on press and (false) on release. */
export const SHORTCUTS = [
  { code: 'KeyM', label: 'M', action: 'mic' },
  { code: 'KeyC', label: 'C', action: 'cough', hold: true },
  { code: 'KeyH', label: 'H', action: 'request' },
  { code: 'KeyA', label: 'A', action: 'accept' },
  { code: 'KeyS', label: 'S', action: 'switch' },
  { code: 'KeyT', label: 'T', action: 'take' },
  { code: 'KeyX', label: 'X', action: 'cancel' },
  { code: 'KeyF', label: 'F', action: 'floor' },
  { code: 'KeyR', label: 'R', action: 'cycle-source' },
  { code: 'ArrowUp', label: '↑', action: 'volume-up', repeat: true, arrow: true },
  { code: 'ArrowDown', label: '↓', action: 'volume-down', repeat: true, arrow: true },
  { code: 'KeyD', label: 'D', action: 'slow-down' },
  { code: 'KeyP', label: 'P', action: 'help' }, // far from the keys used while working
  { code: 'KeyB', label: 'B', action: 'chat-booth' },
  { code: 'KeyO', label: 'O', action: 'chat-organizer' },
];

// Layout-independent fallbacks for browsers (or drivers) that leave `code` empty: the Latin letter typed.
const BY_KEY = new Map(SHORTCUTS.map((s) => [s.label.toLowerCase(), s]));
BY_KEY.set('arrowup', SHORTCUTS.find((s) => s.code === 'ArrowUp'));
BY_KEY.set('arrowdown', SHORTCUTS.find((s) => s.code === 'ArrowDown'));
const BY_CODE = new Map(SHORTCUTS.map((s) => [s.code, s]));

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'password', 'email', 'url', 'tel', 'number']);

/** Whether the element takes typed text (shortcuts must not fire there). */
export function isTyping(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_INPUT_TYPES.has((el.type || 'text').toLowerCase());
  return false;
}

function shortcutOf(event) {
  return BY_CODE.get(event.code) || (!event.code || event.code === 'Unidentified' ? BY_KEY.get(String(event.key).toLowerCase()) : null);
}

/**
 * Installs the handlers. run(action, pressed, event) returns true when it handled the key (the default is then
 * prevented). enabled() false turns every shortcut off (e.g. while the key form is shown).
 */
export function installShortcuts({ run, enabled = () => true }) {
  const held = new Set();

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target;
    if (isTyping(target)) {
      if (event.key === 'Escape' && target.tagName === 'INPUT') target.blur();
      return;
    }
    if (!enabled()) return;
    const shortcut = shortcutOf(event);
    if (!shortcut) return;
    if (shortcut.arrow && target && target.tagName === 'INPUT' && target.type === 'range') return;
    if (target && target.closest && target.closest('dialog')) return; // a dialog has its own keys
    if (event.repeat && !shortcut.repeat) {
      if (shortcut.hold) event.preventDefault();
      return;
    }
    if (shortcut.hold) {
      if (held.has(shortcut.code)) return;
      held.add(shortcut.code);
    }
    if (run(shortcut.action, true, event)) event.preventDefault();
  });

  document.addEventListener('keyup', (event) => {
    const shortcut = shortcutOf(event);
    if (!shortcut || !shortcut.hold || !held.has(shortcut.code)) return;
    held.delete(shortcut.code);
    run(shortcut.action, false, event);
    event.preventDefault();
  });

  // A held key whose release the page never sees (the window lost the focus) is released now.
  const releaseAll = () => {
    for (const code of held) {
      const shortcut = BY_CODE.get(code);
      if (shortcut) run(shortcut.action, false, null);
    }
    held.clear();
  };
  window.addEventListener('blur', releaseAll);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') releaseAll();
  });
}
