// The console's state, shared by its modules: what the server last said (booth-welcome, booth-state), the
// connection, the audio, and what the page shows on its own (refusals, banner, signals). One object, so that
// every module reads the same truth; render() redraws the whole console from it.

import { normalizeCarrying } from '../shared/api.js';
import { capitalize, languageName, t } from '../shared/i18n.js';
import { load } from '../shared/storage.js';

export const page = {
  code: null,
  key: null,
  event: null,
  booth: null,
  you: null,
  codec: null,
  state: null,
  conn: 'idle', // idle | connecting | open | reconnecting | failed
  fatal: null, // { key, params } or { text }: why the console stopped
  ctx: null,
  incoming: null,
  mic: null,
  audio: 'off', // off | starting | on
  audioStart: null, // the promise of the attempt under way
  micError: null, // { key, params }
  refusal: null, // { code, message, area, at }
  refusalTimer: null,
  pendingArea: 'handover',
  dropAt: null, // when the connection dropped
  wasLiveAtDrop: false,
  banner: null, // { key, params }
  liveSince: { id: null, at: 0 },
  coughHeld: false,
  signal: null, // { kind, at }
  lastSignalAt: {},
  settings: { volume: 70, bass: 0, treble: 0, ...load('dragoman.booth-audio', {}) },
  sourcesKey: '',
  partnersKey: '',
};

let renderer = () => {};

/** Sets the console's drawing (booth.js); the modules call render() after they changed the state. */
export function setRenderer(draw) {
  renderer = draw;
}

export function render() {
  renderer();
}

/** What the state means for the keys: who is live, the handover, who is online, what the channel carries. */
export function derived() {
  const s = page.conn === 'open' ? page.state : null;
  const me = page.you ? page.you.id : null;
  const live = s ? s.live || null : null;
  const handover = (s && s.handover) || { state: 'none' };
  const partners = s && Array.isArray(s.interpreters) ? s.interpreters.filter((i) => i.id !== me) : [];
  const carrying = s ? normalizeCarrying(s.carrying) : null;
  return {
    s,
    me,
    live,
    iAmLive: !!live && live === me,
    partnerLive: !!live && live !== me,
    coughing: !!(s && s.coughing),
    handover,
    partnersOnline: partners.filter((p) => p.online !== false),
    carrying,
    channelHasBooth: !!carrying && (carrying.kind === 'interpreter' || carrying.kind === 'relay'),
  };
}

export function clockText(date = new Date()) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function langName(tag) {
  return tag ? capitalize(languageName(tag)) : t('booth.languageUnknown');
}

export function nameOf(id) {
  const s = page.state;
  const found = s && Array.isArray(s.interpreters) ? s.interpreters.find((i) => i.id === id) : null;
  if (found) return found.name;
  if (page.you && page.you.id === id) return page.you.name;
  return id || '';
}
