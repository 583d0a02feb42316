// The interpreter console: /booth/{code}?key={key}.
//
// One WebSocket (booth-connection.js) carries everything: the booth's state and chat in, what the booth hears as
// Opus packets in (booth-incoming.js), the microphone as raw PCM out (booth-microphone.js) and the console's keys
// out. The server decides who is live; the page only shows what booth-state says, and asks.
//
// The key comes from ?key= (then removed from the address bar and kept for this tab), from the form, or from
// this computer's memory when the interpreter asked for it.

import { isValidCode, normalizeCarrying, normalizeCode } from '../shared/api.js';
import { keepResumed } from '../shared/audio-output.js';
import { BoothConnection } from './connection.js';
import { fillDeviceSelect } from '../shared/devices.js';
import { $, setText } from '../shared/dom.js';
import { ChatPane } from './chat.js';
import { IncomingAudio, volumeDb } from './incoming.js';
import { installShortcuts, SHORTCUTS } from './keys.js';
import { Microphone } from './microphone.js';
import { applyTranslations, bindLanguageSelect, capitalize, detectLanguage, languageName, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { load, save, sessionGet, sessionSet } from '../shared/storage.js';

const KEY_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;
const REFUSAL_MS = 10000;
const SIGNAL_COOLDOWN_MS = 3000;
const LONG_TURN_MS = 30 * 60 * 1000; // interpreters take turns every 20–30 minutes
const VOLUME_STEP = 5;

const page = {
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

const meter = { barDb: -Infinity, holdDb: -Infinity, holdAt: 0, lastFrame: 0, lastText: 0, inDb: -Infinity };

function clockText(date = new Date()) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function langName(tag) {
  return tag ? capitalize(languageName(tag)) : t('booth.languageUnknown');
}

function nameOf(id) {
  const s = page.state;
  const found = s && Array.isArray(s.interpreters) ? s.interpreters.find((i) => i.id === id) : null;
  if (found) return found.name;
  if (page.you && page.you.id === id) return page.you.name;
  return id || '';
}

// The key and the code.

function keyStorageName(code) {
  return `dragoman.booth-key.${code}`;
}

function normalizeKey(text) {
  return String(text || '').toUpperCase().replace(/[\s-]/g, '');
}

function takeKeyFromAddress() {
  const params = new URLSearchParams(window.location.search);
  const key = params.get('key');
  if (key === null) return null;
  params.delete('key');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash);
  return normalizeKey(key);
}

function showKeyForm(errorKey = null, params = {}) {
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

// Connection.

let connection = null;

function openConsole() {
  page.fatal = null;
  page.banner = null;
  $('key-view').hidden = true;
  $('console').hidden = false;
  $('shortcuts').hidden = false;
  $('awareness').hidden = false;
  ensureContext();
  if (connection) connection.close();
  connection = new BoothConnection({
    code: page.code,
    key: () => page.key,
    rate: () => (page.ctx ? Math.round(page.ctx.sampleRate) : 48000),
    onMessage,
    onBinary: (data) => {
      if (page.incoming) page.incoming.receive(data);
    },
    onState,
  });
  connection.start();
  render();
}

function onState(state, closeEvent) {
  const before = page.conn;
  page.conn = state;
  if ((state === 'reconnecting' || state === 'failed') && before === 'open') {
    page.dropAt = Date.now();
    page.wasLiveAtDrop = !!(page.state && page.you && page.state.live === page.you.id);
    page.coughHeld = false;
    if (page.mic) page.mic.muted = false;
    if (page.incoming) page.incoming.reset();
    page.banner = page.wasLiveAtDrop ? { key: 'booth.lostLive', params: { time: clockText(new Date(page.dropAt)) } } : null;
  }
  if (state === 'failed') {
    const error = connection && connection.lastError;
    const closeCode = closeEvent ? closeEvent.code : null;
    const code = error ? error.code : closeCode === 4401 ? 'unauthorized' : closeCode === 4404 ? 'unknown-event' : null;
    if (code === 'unauthorized' || code === 'wrong-booth') {
      // The key is wrong, withdrawn, or for another booth: forget it and ask again.
      sessionSet(keyStorageName(page.code), null);
      save(keyStorageName(page.code), null);
      showKeyForm(`boothErr.${code}`);
      return;
    }
    if (code === 'unknown-event') {
      page.fatal = { key: 'boothErr.unknown-event', params: { code: page.code } };
    } else if (error) {
      // E.g. forbidden: the same key was opened on another console, which now has the booth.
      const key = `boothErr.${error.code}`;
      page.fatal = t(key) !== key ? { key, params: { message: error.message || '' } } : { text: error.message || error.code };
    } else {
      page.fatal = { key: 'boothErr.closed', params: { code: closeCode === null ? '—' : closeCode } };
    }
    page.banner = { ...page.fatal, retry: true };
  }
  render();
}

function onMessage(message) {
  switch (message.type) {
    case 'booth-welcome': {
      page.event = message.event || page.event;
      page.booth = message.booth || page.booth;
      page.you = message.you || page.you;
      page.codec = message.codec || null;
      // Whatever the booth was before this connection is stale (after a drop, the server has taken this console
      // off air): nothing is shown as live until the server's first booth-state of this connection.
      page.state = null;
      if (page.incoming && page.codec) page.incoming.configure(page.codec);
      if (page.dropAt) {
        page.banner = { key: page.wasLiveAtDrop ? 'booth.backMicOffLive' : 'booth.backMicOff', params: { time: clockText(new Date(page.dropAt)) } };
        page.dropAt = null;
      }
      break;
    }
    case 'booth-state':
      onBoothState(message);
      break;
    case 'chat':
      onChat(message);
      break;
    case 'signal':
      onSignal(message);
      break;
    case 'error':
      if (message.fatal === false) showRefusal(message);
      break;
    default:
      break;
  }
  render();
}

function onBoothState(state) {
  const before = page.state;
  page.state = state;
  if (!before || before.live !== state.live) page.liveSince = { id: state.live || null, at: Date.now() };
  if (page.you && state.live === page.you.id && page.banner && !page.banner.retry) page.banner = null;
  if (page.coughHeld && state.live !== (page.you && page.you.id)) releaseCough();
  // A refusal the state has since made moot (e.g. "not accepted" once accepted) goes away with the change.
  if (page.refusal && before && JSON.stringify(before.handover) !== JSON.stringify(state.handover)) clearRefusal();
}

function showRefusal(message) {
  page.refusal = { code: message.code, message: message.message || '', area: page.pendingArea, at: Date.now() };
  clearTimeout(page.refusalTimer);
  page.refusalTimer = setTimeout(() => {
    page.refusal = null;
    render();
  }, REFUSAL_MS);
}

function clearRefusal() {
  page.refusal = null;
  clearTimeout(page.refusalTimer);
}

function refusalText(refusal) {
  const s = page.state;
  const key = `boothErr.${refusal.code}`;
  if (t(key) === key) return refusal.message || refusal.code;
  return t(key, { name: s && s.live ? nameOf(s.live) : '', message: refusal.message });
}

/** Sends a console message; area: where a refusal of it will be shown. */
function send(message, area) {
  if (!connection || !connection.isOpen) {
    page.refusal = { code: 'offline', message: '', area, at: Date.now() };
    clearTimeout(page.refusalTimer);
    page.refusalTimer = setTimeout(() => {
      page.refusal = null;
      render();
    }, REFUSAL_MS);
    render();
    return false;
  }
  page.pendingArea = area;
  clearRefusal();
  const ok = connection.send(message);
  render();
  return ok;
}

// Audio.

function ensureContext() {
  if (page.ctx) return page.ctx;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  try {
    page.ctx = new Context({ sampleRate: 48000, latencyHint: 'interactive' });
  } catch {
    page.ctx = new Context({ latencyHint: 'interactive' });
  }
  keepResumed(page.ctx, () => true);
  page.ctx.addEventListener('statechange', () => render());
  IncomingAudio.isSupported().then(async (supported) => {
    if (!supported) {
      page.micError = { key: 'booth.noWebCodecs' };
      render();
      return;
    }
    page.incoming = await IncomingAudio.create(page.ctx, page.settings);
    if (page.codec) page.incoming.configure(page.codec);
    applyOutputDevice();
    render();
  }).catch((error) => {
    page.micError = { key: 'booth.audioFailed', params: { message: (error && error.message) || String(error) } };
    render();
  });
  return page.ctx;
}

/**
 * Starts the sound and opens the microphone; call it from a click or a key (browsers want a gesture). Resolves to
 * whether the microphone is open; concurrent calls share one attempt.
 */
function startAudio() {
  const ctx = ensureContext();
  if (!ctx) {
    page.micError = { key: 'booth.audioFailed', params: { message: 'Web Audio' } };
    render();
    return Promise.resolve(false);
  }
  if (ctx.state !== 'running') ctx.resume().catch(() => {}); // inside the gesture, before any await
  if (page.audio === 'on') return Promise.resolve(true);
  if (page.audioStart) return page.audioStart;
  if (!window.isSecureContext || !navigator.mediaDevices) {
    page.micError = { key: 'booth.notSecure' };
    render();
    return Promise.resolve(false);
  }
  page.audioStart = openMicrophone(ctx).finally(() => {
    page.audioStart = null;
  });
  return page.audioStart;
}

async function openMicrophone(ctx) {
  page.audio = 'starting';
  page.micError = null;
  render();
  if (!page.mic) {
    page.mic = new Microphone(ctx, {
      onChunk: (buffer) => {
        if (connection) connection.sendAudio(buffer);
      },
      onEnded: () => {
        page.micError = { key: 'boothErr.deviceLost' };
        render();
      },
    });
  }
  try {
    await page.mic.open(load('dragoman.booth-input', '') || '');
  } catch (error) {
    try {
      if (error && error.name === 'OverconstrainedError') await page.mic.open('');
      else throw error;
    } catch (second) {
      page.audio = 'off';
      const name = second && second.name;
      if (name === 'NotAllowedError' || name === 'SecurityError') page.micError = { key: 'boothErr.micDenied' };
      else if (name === 'NotFoundError' || name === 'OverconstrainedError') page.micError = { key: 'boothErr.noDevice' };
      else page.micError = { key: 'boothErr.deviceBusy', params: { message: (second && second.message) || String(second) } };
      render();
      return false;
    }
  }
  page.audio = 'on';
  refreshDevices();
  render();
  return true;
}

async function refreshDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    return;
  }
  fillDeviceSelect($('input-device'), devices.filter((d) => d.kind === 'audioinput'), page.mic ? page.mic.deviceId : '');
  const canChooseOutput = page.ctx && typeof page.ctx.setSinkId === 'function';
  const outputs = devices.filter((d) => d.kind === 'audiooutput');
  $('output-device-field').hidden = !canChooseOutput || outputs.length === 0;
  if (canChooseOutput) fillDeviceSelect($('output-device'), outputs, load('dragoman.booth-output', '') || '', t('booth.defaultOutput'));
}


function applyOutputDevice() {
  const id = load('dragoman.booth-output', '') || '';
  if (page.ctx && typeof page.ctx.setSinkId === 'function' && id) page.ctx.setSinkId(id).catch(() => {});
}

$('input-device').addEventListener('change', async () => {
  const id = $('input-device').value;
  save('dragoman.booth-input', id || null);
  if (!page.mic || page.audio !== 'on') return;
  try {
    await page.mic.open(id);
    page.micError = null;
  } catch (error) {
    page.micError = { key: 'boothErr.deviceBusy', params: { message: (error && error.message) || String(error) } };
  }
  render();
});

$('output-device').addEventListener('change', () => {
  const id = $('output-device').value;
  save('dragoman.booth-output', id || null);
  if (page.ctx && typeof page.ctx.setSinkId === 'function') page.ctx.setSinkId(id).catch(() => {});
});

$('start').addEventListener('click', () => startAudio());

// Volume and tone.

function saveSettings() {
  save('dragoman.booth-audio', page.settings);
}

function setVolume(value) {
  const v = Math.max(0, Math.min(100, Math.round(Number(value))));
  page.settings.volume = v;
  $('volume').value = String(v);
  if (page.incoming) page.incoming.setVolume(v);
  saveSettings();
  renderSliders();
}

function setTone(which, value) {
  const v = Math.max(-12, Math.min(12, Math.round(Number(value) || 0)));
  page.settings[which] = v;
  $(which).value = String(v);
  if (page.incoming) {
    if (which === 'bass') page.incoming.setBass(v);
    else page.incoming.setTreble(v);
  }
  saveSettings();
  renderSliders();
}

function dbText(db) {
  if (!Number.isFinite(db)) return '−∞ dB';
  const r = Math.round(db);
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r)} dB`;
}

function renderSliders() {
  setText($('volume-value'), dbText(volumeDb(page.settings.volume)));
  setText($('bass-value'), dbText(page.settings.bass));
  setText($('treble-value'), dbText(page.settings.treble));
}

$('volume').addEventListener('input', () => setVolume($('volume').value));
$('bass').addEventListener('input', () => setTone('bass', $('bass').value));
$('treble').addEventListener('input', () => setTone('treble', $('treble').value));
$('tone-flat').addEventListener('click', () => {
  setTone('bass', 0);
  setTone('treble', 0);
});

// Source: the floor or a relay.

function chooseSource(relay) {
  send({ type: 'source', relay: relay || null }, 'source');
}

function cycleSource() {
  const s = page.state;
  if (!s) return;
  const options = [null, ...(Array.isArray(s.relayOptions) ? s.relayOptions : [])];
  const current = s.source && s.source.kind === 'relay' ? s.source.language : null;
  const i = options.indexOf(current);
  chooseSource(options[(i + 1) % options.length]);
}

// The microphone keys.

function derived() {
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

async function toggleMic() {
  const d = derived();
  if (d.iAmLive) {
    send({ type: 'mic', on: false }, 'mic');
    return;
  }
  if (page.audio !== 'on' && !(await startAudio())) return; // never live with a microphone that is not open
  send({ type: 'mic', on: true }, 'mic');
}

function pressCough() {
  const d = derived();
  if (!d.iAmLive || page.coughHeld) return;
  page.coughHeld = true;
  if (page.mic) page.mic.muted = true;
  send({ type: 'cough', held: true }, 'mic');
}

function releaseCough() {
  if (!page.coughHeld) return;
  page.coughHeld = false;
  if (page.mic) page.mic.muted = false;
  if (connection && connection.isOpen) connection.send({ type: 'cough', held: false });
  render();
}

function handover(action) {
  send({ type: 'handover', action }, 'handover');
}

async function take() {
  const d = derived();
  if (d.iAmLive) return;
  if (page.audio !== 'on' && !(await startAudio())) return;
  if (!d.live) {
    // Nobody to take from: this is a plain "mic on".
    send({ type: 'mic', on: true }, 'mic');
    return;
  }
  setText($('take-text'), t('booth.takeText', { name: nameOf(d.live) }));
  const dialog = $('take-dialog');
  if (!dialog.open) {
    dialog.returnValue = '';
    dialog.showModal();
    $('take-confirm').focus();
  }
}

$('take-dialog').addEventListener('close', () => {
  if ($('take-dialog').returnValue === 'take') handover('take');
});
$('take-dialog').addEventListener('keydown', (event) => {
  const isT = event.code === 'KeyT' || ((!event.code || event.code === 'Unidentified') && String(event.key).toLowerCase() === 't');
  if (isT && !event.repeat && !event.ctrlKey && !event.altKey && !event.metaKey) {
    event.preventDefault();
    event.stopPropagation(); // or the page's own T would open the dialog again
    $('take-dialog').close('take');
  }
});

function signal(kind) {
  const now = Date.now();
  if (now - (page.lastSignalAt[kind] || 0) < SIGNAL_COOLDOWN_MS) return;
  if (send({ type: 'signal', kind }, 'signal')) {
    page.lastSignalAt[kind] = now;
    page.signal = { kind, at: now, by: null };
    render();
  }
}

/** The server passes every signal of the booth to its consoles too: ours confirms, a partner's is shown. */
function onSignal(message) {
  const at = message.at ? message.at / 1000 : Date.now();
  const me = page.you ? page.you.id : null;
  const mine = message.kind === 'help'
    ? !!(message.from && message.from.id === me)
    : Date.now() - (page.lastSignalAt[message.kind] || 0) < 5000;
  page.signal = { kind: message.kind, at, by: mine ? null : (message.from && message.from.name) || '' };
}

$('mic').addEventListener('click', () => toggleMic());
$('hand-request').addEventListener('click', () => handover('request'));
$('hand-accept').addEventListener('click', () => handover('accept'));
$('hand-switch').addEventListener('click', () => handover('switch'));
$('hand-take').addEventListener('click', () => take());
$('hand-cancel').addEventListener('click', () => handover('cancel'));
$('slow-down').addEventListener('click', () => signal('slow-down'));
$('help').addEventListener('click', () => signal('help'));
$('banner-close').addEventListener('click', () => {
  const retry = page.banner && page.banner.retry;
  page.banner = null;
  if (retry && connection) {
    page.fatal = null;
    connection.start();
  }
  render();
});

// The cough key by pointer: held while pressed; leaving the button or losing the pointer releases it.
const cough = $('cough');
cough.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  cough.setPointerCapture(event.pointerId);
  pressCough();
  render();
});
for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) cough.addEventListener(type, () => releaseCough());
cough.addEventListener('keydown', (event) => {
  if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) {
    event.preventDefault();
    pressCough();
    render();
  }
});
cough.addEventListener('keyup', (event) => {
  if (event.key === ' ' || event.key === 'Enter') releaseCough();
});
cough.addEventListener('contextmenu', (event) => event.preventDefault());

// Chat.

const chatLabels = () => ({ you: t('booth.you'), empty: t('booth.chatEmpty'), notSent: t('booth.chatNotSent') });
const chats = {
  booth: new ChatPane({
    to: 'booth',
    log: $('chat-booth-log'),
    form: $('chat-booth-form'),
    input: $('chat-booth-input'),
    section: $('chat-booth-form').closest('section'),
    send: (text) => send({ type: 'chat', to: 'booth', text }, 'chat-booth'),
    labels: chatLabels,
  }),
  organizer: new ChatPane({
    to: 'organizer',
    log: $('chat-organizer-log'),
    form: $('chat-organizer-form'),
    input: $('chat-organizer-input'),
    section: $('chat-organizer-form').closest('section'),
    send: (text) => send({ type: 'chat', to: 'organizer', text }, 'chat-organizer'),
    labels: chatLabels,
  }),
};

// After a message goes out the field is left, so that the next M or C is a key again, not a letter. While a
// chat field has the focus, the page says that the shortcuts wait.
for (const id of ['chat-booth-input', 'chat-organizer-input']) {
  const input = $(id);
  input.form.addEventListener('submit', () => setTimeout(() => input.blur(), 0));
  input.addEventListener('focus', () => {
    document.body.classList.add('typing');
    render();
  });
  input.addEventListener('blur', () => {
    document.body.classList.remove('typing');
    render();
  });
}

function onChat(message) {
  const fromOrganizer = message.from && message.from.id === 'organizer';
  const pane = message.to === 'booth' && !fromOrganizer ? chats.booth : chats.organizer;
  pane.receive(message, page.you ? page.you.id : null);
}

// Keyboard.

installShortcuts({
  enabled: () => $('key-view').hidden,
  run(action, pressed) {
    if (action !== 'cough' && pressed) startAudio();
    switch (action) {
      case 'mic': toggleMic(); return true;
      case 'cough':
        if (pressed) pressCough();
        else releaseCough();
        render();
        return true;
      case 'request': handover('request'); return true;
      case 'accept': handover('accept'); return true;
      case 'switch': handover('switch'); return true;
      case 'take': take(); return true;
      case 'cancel': handover('cancel'); return true;
      case 'floor': chooseSource(null); return true;
      case 'cycle-source': cycleSource(); return true;
      case 'volume-up': setVolume(page.settings.volume + VOLUME_STEP); return true;
      case 'volume-down': setVolume(page.settings.volume - VOLUME_STEP); return true;
      case 'slow-down': signal('slow-down'); return true;
      case 'help': signal('help'); return true;
      case 'chat-booth': $('chat-booth-input').focus(); return true;
      case 'chat-organizer': $('chat-organizer-input').focus(); return true;
      default: return false;
    }
  },
});

// Drawing.

function render() {
  const d = derived();
  const s = d.s;
  const connected = page.conn === 'open';

  // Header.
  const boothLang = page.booth;
  setText($('booth-name'), boothLang ? t('booth.boothName', { language: langName(boothLang) }) : t('booth.title'));
  setText($('event-name'), page.event ? `${page.event.name || ''} · ${page.event.code || page.code}` : (page.code || ''));
  const floorLang = s ? s.floorLanguage : null;
  setText($('floor-language'), s ? (floorLang ? langName(floorLang) : t('booth.languageUnknown')) + (s.floorLive === false ? ` · ${t('booth.floorSilentShort')}` : '') : '—');
  const listeners = s && Number.isFinite(s.listeners) ? s.listeners : null;
  setText($('listeners'), listeners === null ? '—' : listeners === 0 ? t('booth.nobody') : String(listeners));
  $('listeners-box').dataset.none = String(listeners === 0);
  $('rec-box').dataset.on = String(!!(s && s.recorded));
  setText($('recorded'), s ? (s.recorded ? t('booth.recorded') : t('booth.notRecorded')) : '—');
  $('out-box').dataset.on = String(!!(s && s.streamedOutside));
  setText($('streamed'), s ? (s.streamedOutside ? t('booth.streamed') : t('booth.notStreamed')) : '—');
  const connKey = { idle: 'booth.conn.idle', connecting: 'booth.conn.connecting', open: 'booth.conn.open', reconnecting: 'booth.conn.reconnecting', failed: 'booth.conn.failed', closed: 'booth.conn.failed' }[page.conn];
  setText($('connection'), t(connKey));
  $('connection').dataset.state = page.conn;

  // Banner.
  $('banner').hidden = !page.banner;
  if (page.banner) setText($('banner-text'), page.banner.text || t(page.banner.key, page.banner.params || {}));
  setText($('banner-close'), page.banner && page.banner.retry ? t('booth.retry') : t('booth.dismiss'));
  $('banner').dataset.kind = page.banner && (page.banner.retry || page.banner.key === 'booth.lostLive') ? 'danger' : 'info';

  // The microphone key and the tally.
  let micState;
  if (!connected) micState = 'offline';
  else if (d.iAmLive && d.coughing) micState = 'muted';
  else if (d.iAmLive && !d.channelHasBooth) micState = 'unheard';
  else if (d.iAmLive) micState = 'on';
  else if (d.partnerLive) micState = 'partner';
  else micState = 'off';
  const mic = $('mic');
  mic.dataset.state = micState;
  mic.setAttribute('aria-pressed', String(d.iAmLive));
  mic.disabled = !connected;
  const big = { offline: 'booth.mic.offline', muted: 'booth.mic.muted', unheard: 'booth.mic.unheard', on: 'booth.mic.onAir', partner: 'booth.mic.off', off: 'booth.mic.off' }[micState];
  setText($('mic-big'), t(big));
  $('mic-big').dataset.long = String(t(big).length > 9);
  let sub;
  if (micState === 'offline') sub = t(page.conn === 'failed' ? 'booth.mic.subFailed' : 'booth.mic.subOffline');
  else if (micState === 'muted') sub = t('booth.mic.subMuted');
  else if (micState === 'unheard') sub = t('booth.mic.subUnheard', { language: langName(floorLang) });
  else if (micState === 'on') sub = t('booth.mic.subOn');
  else if (micState === 'partner') sub = t('booth.mic.subPartner', { name: nameOf(d.live) });
  else sub = t('booth.mic.subOff');
  setText($('mic-sub'), sub);
  const tally = $('tally');
  tally.dataset.state = micState;
  setText(tally, micState === 'on' ? t('booth.mic.onAir') : micState === 'muted' ? t('booth.mic.muted') : micState === 'unheard' ? t('booth.mic.unheard') : '');
  document.title = `${micState === 'on' ? '● ' : ''}${boothLang ? t('booth.boothName', { language: langName(boothLang) }) : t('booth.title')} — Dragoman`;

  const coughKey = $('cough');
  coughKey.dataset.held = String(page.coughHeld);
  coughKey.setAttribute('aria-pressed', String(page.coughHeld));
  coughKey.disabled = !connected || !d.iAmLive;

  $('start-box').hidden = page.audio === 'on' && page.ctx && page.ctx.state === 'running';
  $('start').disabled = page.audio === 'starting';
  setText($('start'), page.audio === 'on' ? t('booth.resumeButton') : t('booth.startButton'));

  const micError = page.micError ? t(page.micError.key, page.micError.params || {}) : '';
  const areaRefusal = (area) => (page.refusal && page.refusal.area === area ? refusalText(page.refusal) : '');
  setText($('mic-error'), [micError, areaRefusal('mic'), areaRefusal('signal')].filter(Boolean).join(' '));

  renderTurn(d);

  // Channel.
  setText($('channel-title'), boothLang ? t('booth.channelTitle', { language: langName(boothLang) }) : '');
  const cc = $('channel-carrying');
  let ck = 'none';
  let ctext = '';
  if (d.carrying) {
    if (d.channelHasBooth) {
      ck = 'booth';
      if (d.iAmLive) ctext = t('booth.carrying.you');
      else if (d.live) ctext = t('booth.carrying.partner', { name: nameOf(d.live) });
      else ctext = t('booth.carrying.booth');
      if (d.carrying.kind === 'relay' && d.carrying.via) ctext += ` ${t('booth.carrying.viaRelay', { language: langName(d.carrying.via) })}`;
    } else if (d.carrying.kind === 'machine') {
      ck = 'machine';
      ctext = t('booth.carrying.machine');
    } else if (floorLang && floorLang === boothLang) {
      ck = 'auto';
      ctext = t('booth.carrying.autoFloor', { language: langName(floorLang) });
    } else {
      ck = 'fallback';
      ctext = d.coughing ? t('booth.carrying.floorCough') : t('booth.carrying.floorFallback', { language: langName(floorLang) });
    }
    if (s.floorLive === false) ctext += ` ${t('booth.floorSilent')}`;
  }
  cc.dataset.kind = ck;
  setText(cc, ctext);

  // Incoming.
  renderIncoming(d);

  // Partners and handover.
  renderPartners(d);
  renderHandover(d);
  setText($('refusal'), areaRefusal('handover') || areaRefusal('chat-booth') || areaRefusal('chat-organizer'));
  $('refusal').hidden = !$('refusal').textContent;

  // Signals.
  let signalText = '';
  if (page.signal) {
    const time = clockText(new Date(page.signal.at));
    const help = page.signal.kind === 'help';
    if (page.signal.by === null) signalText = t(help ? 'booth.helpSent' : 'booth.slowDownSent', { time });
    else signalText = t(help ? 'booth.helpSentBy' : 'booth.slowDownSentBooth', { time, name: page.signal.by });
  }
  setText($('signal-status'), signalText);
  $('slow-down').disabled = !connected;
  $('help').disabled = !connected;

  renderSliders();
  setText($('shortcuts'), t(document.body.classList.contains('typing') ? 'booth.shortcutsPaused' : 'booth.shortcutsHint'));
}

function renderTurn(d) {
  const turn = $('turn');
  if (!d.live || page.liveSince.id !== d.live) {
    setText(turn, '');
    turn.dataset.long = 'false';
    return;
  }
  const ms = Date.now() - page.liveSince.at;
  setText(turn, d.iAmLive ? t('booth.turnYou', { time: duration(ms) }) : t('booth.turnPartner', { name: nameOf(d.live), time: duration(ms) }));
  turn.dataset.long = String(ms > LONG_TURN_MS);
}

function renderIncoming(d) {
  const s = d.s;
  const hears = s && s.hears ? s.hears : null;
  const depth = hears ? Number(hears.depth) || 0 : null;
  $('hears').dataset.depth = depth === null ? '' : String(Math.min(depth, 3));
  setText($('hears-depth'), depth === null ? '—' : depth === 0 ? t('booth.depth0') : depth === 1 ? t('booth.depth1') : depth === 2 ? t('booth.depth2') : t('booth.depthN', { n: depth }));
  setText($('hears-language'), hears ? langName(hears.language) : '');
  let detail = '';
  if (s) {
    const source = s.source || { kind: 'floor' };
    if (source.kind === 'relay' && depth === 0) detail = t('booth.hearsRelayFallback', { booth: langName(source.language) });
    else if (source.kind === 'relay' && depth === 1) detail = t('booth.hearsRelay', { booth: langName(source.language) });
    else if (source.kind === 'relay') detail = t('booth.hearsRelayOfRelay', { booth: langName(source.language) });
    else detail = t('booth.hearsFloor');
    if (s.floorLive === false && depth === 0) detail = source.kind === 'relay' ? `${detail} ${t('booth.floorSilent')}` : t('booth.floorSilent');
  }
  setText($('hears-detail'), detail);
  const refusal = page.refusal && page.refusal.area === 'source' ? ` ${refusalText(page.refusal)}` : '';
  if (refusal) setText($('hears-detail'), detail + refusal);

  // The source buttons: the floor, then every booth this one may take relay from.
  const options = s && Array.isArray(s.relayOptions) ? s.relayOptions : [];
  const current = s && s.source && s.source.kind === 'relay' ? s.source.language : null;
  const all = current && !options.includes(current) ? [...options, current] : options;
  const key = `${all.join(',')}|${current}|${page.conn}|${document.documentElement.lang}`;
  if (key !== page.sourcesKey) {
    page.sourcesKey = key;
    const box = $('sources');
    box.textContent = '';
    const make = (relay) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'source';
      b.dataset.source = relay || 'floor';
      b.setAttribute('aria-pressed', String(relay === current));
      b.disabled = page.conn !== 'open';
      if (relay) {
        b.append(t('booth.sourceRelay', { language: langName(relay) }));
      } else {
        b.append(t('booth.sourceFloor'), ' ');
        const k = document.createElement('kbd');
        k.textContent = 'F';
        b.append(k);
        b.setAttribute('aria-keyshortcuts', 'F');
      }
      b.addEventListener('click', () => chooseSource(relay));
      return b;
    };
    box.append(make(null));
    for (const relay of all) box.append(make(relay));
  }
  $('no-relay').hidden = !s || all.length > 0;

  const inc = page.incoming;
  setText($('incoming-stats'), inc && inc.packets ? t('booth.incomingStats', { buffer: inc.bufferMs === null ? '—' : Math.round(inc.bufferMs), lost: inc.lost, packets: inc.packets }) : '');
}

function renderPartners(d) {
  const s = d.s;
  const list = s && Array.isArray(s.interpreters) ? s.interpreters : [];
  const key = JSON.stringify([list, d.live, d.me, d.coughing, document.documentElement.lang, page.conn]);
  if (key === page.partnersKey) return;
  page.partnersKey = key;
  const ul = $('partners');
  ul.textContent = '';
  for (const person of list) {
    const li = document.createElement('li');
    li.dataset.online = String(person.online !== false);
    li.dataset.live = String(person.id === d.live);
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = person.name + (person.id === d.me ? ` (${t('booth.you')})` : '');
    const status = document.createElement('span');
    status.className = 'state';
    status.textContent = person.id === d.live ? (d.coughing ? t('booth.mic.muted') : t('booth.mic.onAir')) : person.online !== false ? t('booth.online') : t('booth.offline');
    li.append(dot, name, status);
    ul.append(li);
  }
}

function renderHandover(d) {
  const h = d.handover;
  const by = h.by || null;
  const connected = page.conn === 'open';
  let state = 'none';
  let text = '';
  let next = null;
  if (!connected) {
    text = '';
  } else if (!d.live) {
    text = t('booth.hand.nobody');
  } else if (d.iAmLive) {
    if (h.state === 'requested') {
      state = 'requested';
      text = t('booth.hand.youRequested');
    } else if (h.state === 'accepted') {
      state = 'accepted';
      text = t('booth.hand.partnerReady', { name: nameOf(by) });
      next = 'hand-switch';
    } else {
      text = d.partnersOnline.length ? t('booth.hand.youLive') : t('booth.hand.youLiveAlone');
    }
  } else if (h.state === 'requested') {
    state = 'asked';
    text = t('booth.hand.partnerAsks', { name: nameOf(d.live) });
    next = 'hand-accept';
  } else if (h.state === 'accepted' && by === d.me) {
    state = 'ready';
    text = t('booth.hand.youAccepted', { name: nameOf(d.live) });
  } else if (h.state === 'accepted') {
    state = 'accepted';
    text = t('booth.hand.otherAccepted', { name: nameOf(by), live: nameOf(d.live) });
  } else {
    text = t('booth.hand.partnerLive', { name: nameOf(d.live) });
  }
  const el = $('handover-state');
  el.dataset.state = state;
  setText(el, text);

  const can = {
    'hand-request': connected && d.iAmLive && h.state === 'none' && d.partnersOnline.length > 0,
    'hand-accept': connected && d.partnerLive && (h.state === 'requested' || (h.state === 'accepted' && by !== d.me)),
    'hand-switch': connected && d.iAmLive && h.state === 'accepted',
    'hand-take': connected && !d.iAmLive,
    'hand-cancel': connected && ((h.state === 'requested' && by === d.me) || (h.state === 'accepted' && (by === d.me || d.iAmLive))),
  };
  for (const [id, enabled] of Object.entries(can)) {
    const b = $(id);
    b.disabled = !enabled;
    b.classList.toggle('next', id === next);
  }
}

// Meters and clocks: the input meter at display rate (peak programme: instant attack, 20 dB/s fall).

function dbToPercent(db) {
  if (!Number.isFinite(db)) return 0;
  return Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
}

function drawMeters(now) {
  const dt = meter.lastFrame ? Math.min(0.5, (now - meter.lastFrame) / 1000) : 0;
  meter.lastFrame = now;
  const active = !!(page.mic && page.mic.isOpen);
  const peak = active ? page.mic.takePeak() : 0;
  const db = peak > 0 ? 20 * Math.log10(peak) : -Infinity;
  meter.barDb = Math.max(db, (Number.isFinite(meter.barDb) ? meter.barDb : -90) - 20 * dt);
  if (db >= meter.holdDb) {
    meter.holdDb = db;
    meter.holdAt = now;
  } else if (now - meter.holdAt > 1500) {
    meter.holdDb = (Number.isFinite(meter.holdDb) ? meter.holdDb : -90) - 20 * dt;
  }
  if (!active) meter.barDb = meter.holdDb = -Infinity;
  $('meter-cover').style.width = `${100 - dbToPercent(meter.barDb)}%`;
  $('meter-peak').style.left = `calc(${dbToPercent(meter.holdDb)}% - 3px)`;
  $('meter-peak').hidden = !active || meter.holdDb < -60;
  const clipping = active && performance.now() - page.mic.lastClipAt < 2000;
  $('clip').hidden = !clipping;

  const inLevel = page.incoming ? page.incoming.level() : 0;
  const inDb = inLevel > 0 ? 20 * Math.log10(inLevel) + 3 : -Infinity; // RMS → about the peak of speech
  meter.inDb = Math.max(inDb, (Number.isFinite(meter.inDb) ? meter.inDb : -90) - 20 * dt);
  $('in-meter-cover').style.width = `${100 - dbToPercent(meter.inDb)}%`;

  if (now - meter.lastText > 250) {
    meter.lastText = now;
    setText($('meter-db'), active && meter.holdDb > -90 ? t('peakDb', { db: meter.holdDb.toFixed(1).replace('-', '−') }) : '');
  }
  requestAnimationFrame(drawMeters);
}

function renderWarnings() {
  const d = derived();
  const list = page.mic ? page.mic.warnings({ live: d.iAmLive && !d.coughing && !page.coughHeld }) : [];
  const ul = $('mic-warnings');
  const key = list.join(',') + document.documentElement.lang;
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.textContent = '';
  for (const w of list) {
    const li = document.createElement('li');
    li.dataset.warning = w;
    li.textContent = t(`booth.warn.${w}`);
    ul.append(li);
  }
}

setInterval(() => {
  setText($('clock'), clockText());
  $('clock').dateTime = new Date().toISOString();
  renderTurn(derived());
  renderWarnings();
  const inc = page.incoming;
  if (inc && inc.packets) setText($('incoming-stats'), t('booth.incomingStats', { buffer: inc.bufferMs === null ? '—' : Math.round(inc.bufferMs), lost: inc.lost, packets: inc.packets }));
}, 250);

// Start.

setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations();
chats.booth.relabel();
chats.organizer.relabel();
onLanguageChange(() => {
  applyTranslations();
  page.sourcesKey = '';
  page.partnersKey = '';
  $('mic-warnings').dataset.key = '';
  chats.booth.relabel();
  chats.organizer.relabel();
  render();
  refreshDevices();
});

for (const id of ['volume', 'bass', 'treble']) $(id).value = String(page.settings[id]);

const match = window.location.pathname.match(/^\/booth\/([^/]+)\/?$/);
page.code = match ? normalizeCode(decodeURIComponent(match[1])) : null;
if (page.code && !isValidCode(page.code)) page.code = null;
const addressKey = takeKeyFromAddress();
if (page.code) {
  page.key = addressKey || sessionGet(keyStorageName(page.code)) || load(keyStorageName(page.code)) || null;
  if (addressKey) sessionSet(keyStorageName(page.code), addressKey);
} else {
  page.key = addressKey;
}

if (page.code && page.key && KEY_PATTERN.test(page.key)) openConsole();
else showKeyForm(page.key ? 'booth.keyInvalid' : null);

if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) navigator.mediaDevices.addEventListener('devicechange', refreshDevices);
window.addEventListener('online', () => connection && connection.reconnectNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && connection) connection.reconnectNow();
});
render();
requestAnimationFrame(drawMeters);

// For tests and for the curious: the console's state as the server last told it, and what the page measures.
window.dragomanBooth = {
  /** The last booth-state message (null before the first). */
  state: () => page.state,
  /** The page's own view: connection, who you are, what the mic key shows, refusals, warnings. */
  console: () => {
    const d = derived();
    return {
      connection: page.conn,
      you: page.you,
      booth: page.booth,
      audio: page.audio,
      contextState: page.ctx ? page.ctx.state : null,
      micKey: $('mic').dataset.state,
      live: d.iAmLive,
      coughHeld: page.coughHeld,
      handoverText: $('handover-state').textContent,
      refusal: page.refusal ? { code: page.refusal.code, text: refusalText(page.refusal), area: page.refusal.area } : null,
      banner: $('banner').hidden ? null : $('banner-text').textContent,
      warnings: page.mic ? page.mic.warnings({ live: d.iAmLive && !d.coughing }) : [],
      micError: page.micError ? t(page.micError.key, page.micError.params || {}) : null,
      packets: page.incoming ? page.incoming.packets : 0,
      droppedChunks: connection ? connection.droppedChunks : 0,
      chats: { booth: chats.booth.count, organizer: chats.organizer.count },
    };
  },
  /** RMS (0..1) of what the interpreter hears, after volume, tone and limiter. */
  incomingLevel: () => (page.incoming ? page.incoming.level() : 0),
  /** RMS (0..1) of the last 20 ms of the microphone. */
  micLevel: () => (page.mic && page.mic.isOpen ? page.mic.lastRms : 0),
  /** Microphone bytes sent to the server since the page opened. */
  sentBytes: () => (connection ? connection.sentBytes : 0),
  shortcuts: () => SHORTCUTS.map((s) => ({ key: s.label, action: s.action })),
};
