// The organizer dashboard: the floor, every channel and booth of one event, live, for the technician at the
// desk (laptop, or a tablet). docs/protocol.md, "The organizer dashboard".
//
// Route: /dashboard/{code} (also /app/dashboard/dashboard.html?code=…; without a code it lists the server's events).
// The organizer token comes from the form, or from #token=… in the address (removed from the address bar at
// once), and is remembered in localStorage unless the organizer unticks the box.
// Data: the WebSocket /ws/dashboard/{code}?token=… sends the whole state every 500 ms, `signal` and `chat` as
// they happen, and the floor's transcript as `caption`; the page sends `chat` and `floor-language` on it.
// Interpreters: the JSON API.

import { isValidCode, normalizeCode, socketURL } from '../shared/api.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';
import { Alerts } from './alerts.js';
import { renderCards } from './cards.js';
import { $, el, setText } from '../shared/dom.js';
import { Interpreters } from './interpreters.js';
import { LiveView } from './live.js';
import { applyTranslations, bindLanguageSelect, detectLanguage, languageName, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { load, save, takeTokenFromFragment } from '../shared/storage.js';

const TOKEN_KEY = 'dragoman.organizer-token';
const STALE_MS = 2500;

const dash = {
  code: null,
  token: null,
  socket: null,
  connection: 'idle', // idle | connecting | connected | reconnecting | stale | error
  state: null,
  stateAt: 0,
  error: null,
  view: null, // token | picker | dash | cards
  live: null,
  alerts: null,
  interpreters: null,
};

// Token.


function sessionToken(value) {
  try {
    if (value === undefined) return window.sessionStorage.getItem(TOKEN_KEY);
    if (value === null) window.sessionStorage.removeItem(TOKEN_KEY);
    else window.sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // Optional.
  }
  return null;
}

function storedToken() {
  return load(TOKEN_KEY, null) || sessionToken();
}

function keepToken(token, remember) {
  dash.token = token;
  sessionToken(token);
  save(TOKEN_KEY, remember ? token : null);
}

function forgetToken() {
  dash.token = null;
  sessionToken(null);
  save(TOKEN_KEY, null);
}

// Views.

function show(view) {
  dash.view = view;
  $('token-view').hidden = view !== 'token';
  $('picker-view').hidden = view !== 'picker';
  $('dash-view').hidden = view !== 'dash';
  $('cards-view').hidden = view !== 'cards';
  $('open-cards').hidden = view !== 'dash';
  document.body.dataset.view = view;
  renderTitle();
}

function showToken(error = '') {
  if (dash.socket) dash.socket.close();
  dash.socket = null;
  setConnection('idle');
  show('token');
  $('code-field').hidden = !!dash.code;
  setText($('token-error'), error);
  $('token').value = '';
  $('token').setAttribute('aria-invalid', error ? 'true' : 'false');
  (dash.code ? $('token') : $('code')).focus();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!dash.code && $('code').value.trim()) {
    const code = normalizeCode($('code').value);
    if (!isValidCode(code)) {
      setText($('token-error'), t('codeInvalid'));
      $('code').focus();
      return;
    }
    dash.code = code;
  }
  if (!token) {
    setText($('token-error'), t('dashTokenMissing'));
    $('token').focus();
    return;
  }
  keepToken(token, $('remember-token').checked);
  start();
});

function renderTitle() {
  const event = dash.state && dash.state.event;
  const name = event && event.name;
  setText($('event-title'), dash.view === 'dash' || dash.view === 'cards' ? name || '' : t('dashTitle'));
  setText($('event-code'), dash.code && (dash.view === 'dash' || dash.view === 'cards') ? t('meetingCode', { code: dash.code }) : '');
  const help = dash.alerts && dash.alerts.pendingHelp().length;
  document.title = `${help ? `⚠ ${t('dashHelpTitle')} · ` : ''}${name || dash.code || t('dashTitle')} — ${t('dashTitle')}`;
}

// Without a code: the events of this server.

async function showPicker() {
  show('picker');
  let response;
  try {
    response = await fetch('/api/events', { headers: { Accept: 'application/json', Authorization: `Bearer ${dash.token}` }, cache: 'no-store' });
  } catch {
    setText($('picker-empty'), t('err.network'));
    $('picker-empty').hidden = false;
    return;
  }
  if (response.status === 401) {
    forgetToken();
    showToken(t('dashErr.unauthorized'));
    return;
  }
  const body = await response.json().catch(() => null);
  const events = (body && body.events) || [];
  $('picker-list').replaceChildren(...events.map((event) => el('li', {},
    el('a', { attrs: { href: `/dashboard/${encodeURIComponent(event.code)}` } },
      el('span', { className: 'dash-code', text: event.code }), ' ', event.name || ''))));
  $('picker-empty').hidden = events.length > 0;
  applyTranslations($('picker-view'));
}

// The dashboard socket.

function setConnection(state) {
  dash.connection = state;
  const box = $('connection');
  box.dataset.state = state;
  const text = {
    idle: '',
    connecting: t('dash.connecting'),
    connected: t('dash.connected'),
    reconnecting: t('dash.reconnecting'),
    stale: t('dash.stale'),
    error: t('dash.error'),
  }[state];
  setText(box, text || '');
  document.body.classList.toggle('dash-stale', state !== 'connected' && !!dash.state);
}

function start() {
  if (!dash.code) {
    showPicker();
    return;
  }
  dash.error = null;
  setText($('dash-error'), '');
  show('dash');
  if (!dash.alerts) dash.alerts = new Alerts(dash.code, renderTitle);
  if (!dash.live) {
    dash.live = new LiveView({
      send: (message) => !!dash.socket && dash.socket.send(message),
      setFloorLanguage,
      alerts: dash.alerts,
    });
  }
  if (!dash.interpreters) {
    dash.interpreters = new Interpreters({
      code: dash.code,
      token: () => dash.token,
      onUnauthorized: () => {
        forgetToken();
        showToken(t('dashErr.unauthorized'));
      },
    });
  }
  dash.interpreters.refresh();
  if (dash.socket) dash.socket.close();
  dash.socket = new ReconnectingSocket({
    url: () => socketURL(`/ws/dashboard/${encodeURIComponent(dash.code)}`, { token: dash.token }),
    onMessage,
    onState: (state) => {
      if (state === 'connecting' || state === 'reconnecting') setConnection(state);
      else if (state === 'failed') setConnection('error');
    },
    shouldStop: (event) => FINAL_CLOSE_CODES.has(event.code),
  });
  setConnection('connecting');
  dash.socket.start();
  // The organizer's desk links here with ?view=cards to print the place cards.
  if (new URLSearchParams(window.location.search).get('view') === 'cards') openCards();
}

function onMessage(message) {
  switch (message.type) {
    case MessageType.dashboard:
      dash.socket.healthy();
      dash.state = message;
      dash.stateAt = performance.now();
      if (dash.connection !== 'connected') setConnection('connected');
      render();
      break;
    case MessageType.signal:
      dash.alerts.receive(message);
      if (dash.state) dash.live.update(dash.state);
      break;
    case MessageType.chat:
      dash.live.receiveChat(message);
      break;
    case MessageType.caption:
      dash.live.receiveCaption(message);
      break;
    case MessageType.error:
      if (message.fatal === false) {
        // A refused request (e.g. a chat to a booth that does not exist): say why, for a while.
        setText($('dash-error'), message.message || message.code);
        clearTimeout(dash.errorTimer);
        dash.errorTimer = setTimeout(() => setText($('dash-error'), dash.error || ''), 10000);
        break;
      }
      if (message.code === 'unauthorized') {
        forgetToken();
        showToken(t('dashErr.unauthorized'));
      } else if (message.code === 'unknown-event') {
        dash.error = t('err.unknown-event', { code: dash.code });
        setText($('dash-error'), dash.error);
      } else {
        dash.error = message.message || message.code;
        setText($('dash-error'), dash.error);
      }
      break;
    default:
      break; // later message types
  }
}

/** The floor language: on the socket when it is open, else through the JSON API. Returns an error text or null. */
async function setFloorLanguage(language) {
  if (dash.socket && dash.socket.send({ type: MessageType.floorLanguage, language })) return null;
  try {
    const response = await fetch(`/api/events/${encodeURIComponent(dash.code)}/floor-language`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${dash.token}` },
      body: JSON.stringify({ language }),
    });
    if (response.ok) return null;
    const body = await response.json().catch(() => null);
    return (body && body.error && body.error.message) || `HTTP ${response.status}`;
  } catch {
    return t('err.network');
  }
}

function render() {
  const state = dash.state;
  if (!state) return;
  dash.alerts.update(state.signals, state.serverTime);
  dash.live.update(state);
  renderRecordingAlarm(state.recording);
  const languages = (state.event && state.event.languages) || [];
  dash.interpreters.setLanguages(languages);
  dash.interpreters.setStatus(state.booths);
  if (dash.view === 'cards') drawCards();
  renderTitle();
}

/** A recording that stopped (a full disk) is an alarm until it records again; the meeting itself goes on. */
function renderRecordingAlarm(recording) {
  const stopped = (recording && recording.stopped) || [];
  $('recording-alarm').hidden = stopped.length === 0;
  if (!stopped.length) return;
  const channels = stopped.map((s) => (s.channel === 'floor' ? t('dashFloor') : languageName(s.channel))).join(', ');
  const key = stopped.some((s) => s.diskFull) ? 'dashRecordingDiskFull' : 'dashRecordingStopped';
  setText($('recording-alarm-text'), t(key, { channels }));
  setText($('recording-alarm-detail'), [...new Set(stopped.map((s) => s.problem))].join(' · '));
}

setInterval(() => {
  if (dash.connection === 'connected' && performance.now() - dash.stateAt > STALE_MS) setConnection('stale');
}, 500);

// Place cards.

function cardChannels() {
  const state = dash.state || {};
  const languages = (state.event && state.event.languages) || [];
  const byId = new Map((state.channels || []).map((c) => [c.channel || c.id, c]));
  return [...languages.map((l) => String(l).toLowerCase()), 'floor'].map((id) => ({ id, joinURL: (byId.get(id) || {}).joinURL || null }));
}

/** The PIN typed for the cards, when it is one (4–12 digits). */
function cardsPin() {
  const value = $('cards-pin').value.trim();
  return /^[0-9]{4,12}$/.test(value) ? value : null;
}

function drawCards() {
  const event = (dash.state && dash.state.event) || { code: dash.code };
  const key = JSON.stringify([event, cardChannels(), cardsPin()]);
  if (drawCards.key === key) return;
  drawCards.key = key;
  renderCards(event, cardChannels(), { pin: cardsPin() });
}

/** Whether the meeting needs a PIN: then the cards offer to print one (the server cannot say which: it keeps a hash). */
async function loadPinRequired() {
  try {
    const response = await fetch('/api/events', { headers: { Accept: 'application/json', Authorization: `Bearer ${dash.token}` }, cache: 'no-store' });
    const body = response.ok ? await response.json() : null;
    const event = ((body && body.events) || []).find((e) => e.code === dash.code);
    $('cards-pin-field').hidden = !(event && event.pinRequired);
  } catch {
    $('cards-pin-field').hidden = true;
  }
}

// The floor microphone link: the server keeps only a hash of the floor token, so a link is shown when made here.

async function newFloorLink() {
  if (!window.confirm(t('dashFloorLinkConfirm'))) return;
  setText($('floor-link-error'), '');
  let response;
  try {
    response = await fetch(`/api/events/${encodeURIComponent(dash.code)}/floor-token`, {
      method: 'POST', headers: { Accept: 'application/json', Authorization: `Bearer ${dash.token}` }, cache: 'no-store',
    });
  } catch {
    setText($('floor-link-error'), t('err.network'));
    return;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || !body || !body.floorToken) {
    setText($('floor-link-error'), (body && body.error && body.error.message) || `HTTP ${response.status}`);
    return;
  }
  const url = `${body.floorURL}#token=${encodeURIComponent(body.floorToken)}`;
  $('floor-link-url').href = url;
  setText($('floor-link-url'), url);
  $('floor-link').hidden = false;
  $('floor-link-copy').hidden = false;
  $('floor-link-text').dataset.i18n = 'dashShownOnce';
  setText($('floor-link-text'), t('dashShownOnce'));
  $('floor-link-url').focus();
}

$('floor-link-new').addEventListener('click', newFloorLink);
$('floor-link-copy').addEventListener('click', () => dash.interpreters && dash.interpreters.copy($('floor-link-url').href, $('floor-link-copy')));

function openCards() {
  show('cards');
  drawCards.key = null;
  drawCards();
  loadPinRequired();
  $('cards-print').focus();
}

$('open-cards').addEventListener('click', openCards);
$('cards-back').addEventListener('click', () => {
  show('dash');
  $('open-cards').focus();
});
$('cards-print').addEventListener('click', () => window.print());
$('cards-pin').addEventListener('input', drawCards);

// Start.

setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations();
onLanguageChange(() => {
  applyTranslations();
  if (dash.live) dash.live.relabel();
  if (dash.interpreters) dash.interpreters.relabel();
  if (dash.alerts) dash.alerts.render();
  setConnection(dash.connection);
  drawCards.key = null;
  if (dash.view === 'cards') drawCards();
  renderTitle();
});

// Test hooks for the browser tests (Selenium).
window.dragomanDashboard = {
  state() {
    return {
      view: dash.view,
      connection: dash.connection,
      code: dash.code,
      error: dash.error,
      dashboard: dash.state,
      help: dash.alerts ? dash.alerts.pendingHelp().map(([, s]) => s) : [],
      interpreters: dash.interpreters ? dash.interpreters.list : [],
      transcript: dash.live ? dash.live.transcript.snapshot() : [],
      suggestion: $('floor-suggest').hidden ? null : $('floor-suggest').textContent.replace(/\s+/g, ' ').trim(),
    };
  },
};

const params = new URLSearchParams(window.location.search);
const match = window.location.pathname.match(/^\/dashboard\/([^/]+)\/?$/);
const codeText = match ? decodeURIComponent(match[1]) : params.get('code');
if (codeText) dash.code = normalizeCode(codeText);
const fromFragment = takeTokenFromFragment();
if (fromFragment) keepToken(fromFragment, true);
dash.token = dash.token || storedToken();

if (dash.code && !isValidCode(dash.code)) {
  show('token');
  $('code-field').hidden = false;
  $('code').value = dash.code;
  setText($('token-error'), t('codeInvalid'));
  dash.code = null;
} else if (!dash.token) {
  showToken();
} else {
  start();
}
