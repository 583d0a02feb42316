// Media Session: what the lock screen and the notification show, and their play/pause buttons.

const ARTWORK = [
  { src: '/app/icon-512.png', sizes: '512x512', type: 'image/png' },
  { src: '/app/icon.svg', sizes: 'any', type: 'image/svg+xml' },
];

function session() {
  return 'mediaSession' in navigator ? navigator.mediaSession : null;
}

/** Wires the lock-screen buttons: play → onPlay(), pause/stop → onPause(). */
export function setupMediaSession({ onPlay, onPause }) {
  const ms = session();
  if (!ms) return;
  const handlers = { play: onPlay, pause: onPause, stop: onPause };
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      ms.setActionHandler(action, () => handler());
    } catch {
      // This action is not supported here.
    }
  }
}

/** Shows the event and channel: title = channel, artist = event. */
export function updateMediaSession({ title, artist, playing }) {
  const ms = session();
  if (!ms) return;
  try {
    if (typeof window.MediaMetadata === 'function') {
      ms.metadata = new window.MediaMetadata({ title: title || 'Dragoman', artist: artist || '', album: 'Dragoman', artwork: ARTWORK });
    }
    ms.playbackState = playing ? 'playing' : 'paused';
  } catch {
    // Metadata is a nicety.
  }
}
