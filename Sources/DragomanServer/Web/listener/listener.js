// The listener page: join an event, pick a channel, listen. Playback lives in listen-session.js.
//
// Routes: /            → the join form (?code= prefills it)
//         /j/{code}    → joins directly (?channel=ru preselects, ?pin= is accepted and then
//                        removed from the address bar, ?path=webcodecs|pcm|mse|stream forces a path,
//                        ?container=mp4|webm: the MSE path's container where the browser plays both, a
//                        test and diagnostic switch)

import { fetchEvent, isValidCode, normalizeCarrying, normalizeCode } from '../shared/api.js';
import { applyTranslations, bindLanguageSelect, channelLabel, detectLanguage, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { requestPlaybackSession } from '../shared/audio-output.js';
import { carriesInterpretation, carryingText } from '../shared/carrying-text.js';
import { languageName as nameInLanguage } from '../shared/language-names.js';
import { $, setText } from '../shared/dom.js';
import { CAPTION_SIZES, Captions } from './captions.js';
import { ListenSession, lowDelayPossible, preparePlayers } from './listen-session.js';
import { setupMediaSession, updateMediaSession } from './media-session.js';
import { load, loadEventPrefs, save, saveEventPrefs } from '../shared/storage.js';
import { earPeak } from '../shared/ear-guard.js';

const params = new URLSearchParams(window.location.search);

const page = {
  code: null,
  pin: null,
  event: null,
  channel: 'floor',
  session: null,
  needPin: false,
  alertTimer: null,
  noticeTimer: null,
  lastNotice: null,
  lastSoundAt: -Infinity,
};

const captions = new Captions({ box: $('captions-box'), lines: $('caption-lines'), announce: $('captions-announce'), empty: $('captions-empty') });

// Join form.

function showJoin({ code = '', needPin = page.needPin, error = '' } = {}) {
  page.needPin = needPin;
  $('event-view').hidden = true;
  $('join-view').hidden = false;
  $('join-code').value = code;
  $('pin-field').hidden = !needPin;
  setText($('join-error'), error || '');
  $('join-code').setAttribute('aria-invalid', error && !needPin ? 'true' : 'false');
  document.title = 'Dragoman';
  const focus = needPin ? $('join-pin') : $('join-code');
  if (error || needPin || !code) focus.focus();
}

function setBusy(busy) {
  $('join-submit').disabled = busy;
  $('join-submit').textContent = busy ? t('joining') : t('joinButton');
}

async function join(code, { pin = null } = {}) {
  if (!isValidCode(code)) {
    showJoin({ code, error: t('codeInvalid') });
    return;
  }
  const remembered = loadEventPrefs(code).pin || null;
  const usedPin = pin || remembered;
  setBusy(true);
  const answer = await fetchEvent(code, usedPin);
  setBusy(false);
  if (answer.ok) {
    if (usedPin && answer.event.pinRequired !== false) saveEventPrefs(code, { pin: usedPin });
    save('dragoman.last-code', code);
    enterEvent(code, answer.event.pinRequired === false ? null : usedPin, answer.event);
  } else if (answer.status === 401) {
    if (remembered) saveEventPrefs(code, { pin: null });
    showJoin({ code, needPin: true, error: usedPin ? t('err.unauthorized') : '' });
  } else if (answer.status === 404) {
    showJoin({ code, error: t('err.unknown-event', { code }) });
  } else if (answer.code === 'network') {
    showJoin({ code, error: t('err.network') });
  } else {
    showJoin({ code, error: answer.message || answer.code });
  }
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = normalizeCode($('join-code').value);
  const pin = page.needPin ? $('join-pin').value.trim() : '';
  if (page.needPin && !pin) {
    setText($('join-error'), t('pinMissing'));
    $('join-pin').focus();
    return;
  }
  join(code, { pin: pin || null });
});

$('join-code').addEventListener('input', () => {
  const input = $('join-code');
  const upper = input.value.toUpperCase();
  if (upper !== input.value) {
    const at = input.selectionStart;
    input.value = upper;
    input.setSelectionRange(at, at);
  }
});

// Event view.

function channelIds(event) {
  const ids = (event.channels || []).map((c) => c.id).filter(Boolean);
  if (ids.length) return ids;
  return ['floor', ...(event.languages || []).map((l) => String(l).toLowerCase())];
}

function pickChannel(code, event) {
  const ids = channelIds(event);
  const wanted = [params.get('channel'), loadEventPrefs(code).channel, document.documentElement.lang];
  for (const candidate of wanted) {
    const id = candidate && String(candidate).toLowerCase();
    if (id && ids.includes(id)) return id;
  }
  return 'floor';
}

function enterEvent(code, pin, event) {
  if (page.session) page.session.stop();
  captions.clear();
  page.code = code;
  page.pin = pin;
  page.event = event;
  page.needPin = false;
  page.channel = pickChannel(code, event);
  saveEventPrefs(code, { channel: page.channel });

  // The address bar: /j/{code}, without a PIN in it.
  const query = new URLSearchParams(params);
  query.delete('pin');
  query.delete('code');
  const target = `/j/${code}${query.toString() ? `?${query}` : ''}`;
  if (window.location.pathname + window.location.search !== target) window.history.replaceState(null, '', target);

  page.session = new ListenSession({
    code,
    pin,
    channel: page.channel,
    forcePath: params.get('path'),
    container: params.get('container'),
    onChange: render,
    onAlert: showAlert,
    onCaption: (message) => captions.add(message),
  });
  page.session.setVolume($('volume').value);
  page.session.setCaptions(captionPrefs().enabled);
  page.session.setFloorMix(floorMixPrefs());

  $('join-view').hidden = true;
  $('event-view').hidden = false;
  buildChannels();
  render();
  $('play').focus();
}

/** A channel's name in its own language and script ("Русский", "Қазақ тілі"); the floor in the page's language. */
function ownName(id) {
  if (id === 'floor') return t('floor');
  const name = nameInLanguage(id, id);
  return name ? name.charAt(0).toLocaleUpperCase(id) + name.slice(1) : id;
}

function buildChannels() {
  const list = $('channels');
  list.textContent = '';
  for (const id of channelIds(page.event)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'channel';
    button.dataset.channel = id;
    const name = document.createElement('span');
    name.className = 'channel-name';
    name.textContent = ownName(id);
    if (id !== 'floor') name.lang = id;
    button.append(name);
    // Second line: the floor's explanation, or the language's name in the page's language where it differs.
    const second = id === 'floor' ? t('floorHint') : channelLabel(id);
    if (second && second !== name.textContent) {
      const hint = document.createElement('span');
      hint.className = 'channel-hint';
      hint.textContent = second;
      button.append(hint);
    }
    button.addEventListener('click', () => choose(id));
    list.append(button);
  }
}

function choose(channel) {
  if (channel !== page.channel) captions.clear(); // another channel's lines would mislead
  page.channel = channel;
  saveEventPrefs(page.code, { channel });
  page.session.tune(channel);
  render();
}

$('play').addEventListener('click', () => {
  const session = page.session;
  if (!session) return;
  const { playing, connection } = session.snapshot();
  if (playing && connection !== 'error') {
    session.stop();
  } else {
    if (playing) session.stop();
    session.start();
  }
});

$('volume').addEventListener('input', () => {
  const value = Number($('volume').value);
  $('volume').setAttribute('aria-valuetext', `${value} %`);
  if (page.session) page.session.setVolume(value);
  save('dragoman.volume', value);
});

$('alert-close').addEventListener('click', hideAlert);

// Floor under interpretation: off by default; the choice and the level are remembered.

function floorMixPrefs() {
  return { enabled: $('floor-mix-on').checked, db: Number($('floor-mix-level').value) };
}

function floorMixChanged() {
  const prefs = floorMixPrefs();
  save('dragoman.floor-mix', prefs);
  renderFloorMixLevel();
  if (page.session) page.session.setFloorMix(prefs);
}

function renderFloorMixLevel() {
  const text = `${String(Number($('floor-mix-level').value)).replace('-', '−')} dB`;
  setText($('floor-mix-db'), text);
  $('floor-mix-level').setAttribute('aria-valuetext', text);
}

$('floor-mix-on').addEventListener('change', floorMixChanged);
$('floor-mix-level').addEventListener('input', floorMixChanged);

// Captions: on by default; on/off and the text size are remembered.

function captionPrefs() {
  const checked = document.querySelector('input[name="captions-size"]:checked');
  return { enabled: $('captions-on').checked, size: checked ? checked.value : 'medium' };
}

function renderCaptions() {
  const { enabled, size } = captionPrefs();
  $('captions-box').hidden = !enabled;
  $('captions-size').hidden = !enabled;
  $('captions-box').dataset.size = size;
  $('captions').dataset.enabled = String(enabled);
}

function captionsChanged() {
  const prefs = captionPrefs();
  save('dragoman.captions', prefs);
  renderCaptions();
  if (page.session) page.session.setCaptions(prefs.enabled);
}

$('captions-on').addEventListener('change', captionsChanged);
for (const radio of document.querySelectorAll('input[name="captions-size"]')) radio.addEventListener('change', captionsChanged);

function renderFloorMix(s) {
  const mix = s.floorMix;
  // Only a language channel has an interpretation to mix the floor under.
  $('floor-mix').hidden = page.channel === 'floor';
  $('floor-mix-level-field').hidden = !mix.enabled;
  let status = '';
  if (!mix.available) status = t('floorMixUnavailable');
  else if (mix.enabled && mix.active) status = t('floorMixActive');
  else if (mix.enabled) status = t('floorMixWaiting');
  setText($('floor-mix-status'), status);
  $('floor-mix').dataset.active = String(mix.active);
}

// Drawing.

function errorText(error) {
  if (!error) return t('status.error');
  switch (error.code) {
    case 'unknown-event':
      return t('err.unknown-event', { code: page.code });
    case 'unauthorized':
      return t('err.unauthorized');
    case 'unknown-channel':
      return t('err.unknown-channel');
    case 'stream-unsupported':
      return t('streamUnsupported');
    default:
      return error.message || t('status.error');
  }
}

/** What the channel carries: live from the session while playing, else from the event's API state. */
function currentCarrying(snapshot) {
  if (snapshot.playing && snapshot.carrying) return snapshot.carrying;
  const channel = (page.event.channels || []).find((c) => c.id === page.channel);
  return channel ? normalizeCarrying(channel.carrying, page.event) : null;
}

function render() {
  if (!page.session || !page.event) return;
  const s = page.session.snapshot();

  if (s.connection === 'error' && s.error && s.error.code === 'unauthorized') {
    // The PIN changed while listening: ask for it again.
    page.session.stop();
    saveEventPrefs(page.code, { pin: null });
    showJoin({ code: page.code, needPin: true, error: t('err.unauthorized') });
    return;
  }

  const name = page.event.name || page.code;
  setText($('event-name'), name);
  const recorded = page.event.confidential ? ` · ${t('meetingConfidential')}` : page.event.recording ? ` · ${t('meetingRecorded')}` : '';
  setText($('event-code'), t('meetingCode', { code: page.code }) + recorded);
  document.title = `${name} — Dragoman`;

  const active = s.playing && s.connection !== 'error';
  setText($('play'), active ? t('stop') : t('listen'));
  $('play').classList.toggle('playing', active);

  // The session may have moved back (a refused tune): follow it.
  if (s.wantedChannel && s.wantedChannel !== page.channel) page.channel = s.wantedChannel;
  for (const button of $('channels').querySelectorAll('button[data-channel]')) {
    button.setAttribute('aria-pressed', String(button.dataset.channel === page.channel));
  }


  const carrying = currentCarrying(s);
  setText($('carrying'), carryingText(carrying, page.channel));
  $('carrying').dataset.kind = carrying ? carrying.kind : '';
  // The banner tells what changed with the floor language. The booth often goes live a moment after the
  // switch: the banner then says so ("… interpretation is live") without vibrating again. On another
  // channel it would say something no longer true, so it goes.
  if (!$('alert').hidden && carrying) {
    if (page.alertChannel !== page.channel) {
      hideAlert();
    } else if (s.carrying && s.carrying !== page.alertBefore && !!carrying.interpretation !== !!page.alertInterpretation) {
      page.alertBefore = s.carrying;
      page.alertInterpretation = !!carrying.interpretation;
      setText($('alert-text'), alertText(page.alertLanguage, page.channel, page.alertInterpretation));
    }
  }
  const floorLive = carrying && carrying.floorLive !== null ? carrying.floorLive : page.event.floorLive;
  const floorEl = $('floor-live');
  // While the connection is down nothing here is known to be true: say nothing rather than "Floor is live".
  const stale = s.playing && s.connection !== 'connected';
  setText(floorEl, stale ? '' : floorLive === true ? t('floorLive') : floorLive === false ? t('floorSilent') : '');
  floorEl.dataset.live = String(!!floorLive);
  $('carrying').classList.toggle('stale', stale);
  renderNow(s, carrying);

  if (s.notice && s.notice !== page.lastNotice) {
    page.lastNotice = s.notice;
    clearTimeout(page.noticeTimer);
    page.noticeTimer = setTimeout(() => {
      page.session.notice = null;
      setText($('notice'), '');
    }, 6000);
  }
  setText($('notice'), s.notice ? errorText(s.notice) : '');

  const streamMode = s.path === 'stream' || (!s.path && !lowDelayPossible());
  $('stream-note').hidden = !streamMode;
  const secureURL = page.event.secureJoinURL;
  $('stream-link').hidden = !secureURL;
  if (secureURL) $('stream-link').href = `${secureURL}${page.channel !== 'floor' ? `?channel=${encodeURIComponent(page.channel)}` : ''}`;

  setText($('path'), s.path ? `${t(`path.${s.path}`)}.` : '');
  renderDelay(s);
  renderFloorMix(s);

  updateMediaSession({ title: channelLabel(page.channel), artist: name, playing: active });
}

/** The state at the top: what is heard (channel in its own script · interpretation or original) and how it is going. */
function nowState(s) {
  if (!s.playing) return 'idle';
  if (s.connection === 'error') return 'error';
  if (s.connection === 'reconnecting') return 'reconnecting';
  if (s.connection !== 'connected' || s.switching) return 'connecting';
  if (s.suspended) return 'suspended';
  return performance.now() - page.lastSoundAt < 1500 ? 'playing' : 'silent';
}

function renderNow(s = page.session && page.session.snapshot(), carrying = s && currentCarrying(s)) {
  if (!s || !page.event) return;
  const state = nowState(s);
  $('now').dataset.state = state;
  let text;
  if (state === 'error') text = errorText(s.error);
  else if (state === 'suspended') text = t('status.suspended');
  else if (state === 'connecting' && s.switching) text = t('status.switching', { channel: ownName(s.switching) });
  else text = t(`now.${state}`);
  setText($('now-state'), text);
  const channel = page.channel;
  const name = $('now-channel');
  setText(name, ownName(channel));
  if (channel !== 'floor') name.lang = channel;
  else name.removeAttribute('lang');
  const kind = channel === 'floor' ? '' : carriesInterpretation(carrying) ? t('now.interpretation') : t('now.floor');
  setText($('now-kind'), kind ? ` · ${kind}` : '');
}

/** The activity light follows the level of what plays (10 times a second). */
function renderLevel() {
  if (!page.session) return;
  const level = page.session.level();
  if (level > 0.003) page.lastSoundAt = performance.now();
  const db = level > 0 ? 20 * Math.log10(level) : -90;
  $('now-meter').style.transform = `scaleY(${Math.max(0.08, Math.min(1, (db + 60) / 60)).toFixed(2)})`;
  const state = $('now').dataset.state;
  const next = page.event ? nowState(page.session.snapshot()) : state;
  if (next !== state) renderNow();
}

function renderDelay(s = page.session && page.session.snapshot()) {
  if (!s) return;
  let text = '';
  if (s.playing && s.path === 'stream' && s.bufferMs !== null) {
    text = t('delayStream', { buffer: s.bufferMs });
  } else if (s.playing && s.delayMs !== null) {
    text = t('delay', { total: s.delayMs, net: s.netMs, buffer: s.bufferMs, lost: s.lost, packets: s.packets });
    if (s.jitterMs !== null) text += t('delayJitter', { jitter: s.jitterMs, target: s.targetMs });
    if (s.outputLatencyMs) text += t('delayOut', { out: s.outputLatencyMs });
  }
  setText($('delay'), text);
}

// The floor-language switch alert.

function alertText(language, channel, interpretation) {
  if (interpretation) return language ? t('alertFloorSwitch', { language, channel }) : t('alertFloorSwitchUnknown', { channel });
  if (language === channel) return t('alertFloorOwnLanguage', { language });
  return language ? t('alertFloorSwitchNoInterpretation', { language, channel }) : t('alertFloorSwitchUnknown', { channel });
}

function showAlert({ language, channel, interpretation = true }) {
  page.alertInterpretation = interpretation;
  page.alertChannel = channel;
  page.alertLanguage = language;
  page.alertBefore = page.session ? page.session.snapshot().carrying : null; // the new `carrying` follows the alert
  setText($('alert-text'), alertText(language, channel, interpretation));
  $('alert').hidden = false;
  try {
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  } catch {
    // No vibration here.
  }
  clearTimeout(page.alertTimer);
  page.alertTimer = setTimeout(hideAlert, 20000);
}

function hideAlert() {
  clearTimeout(page.alertTimer);
  $('alert').hidden = true;
}

// Start.

requestPlaybackSession(); // iOS: a playback session before any audio, so a locked phone keeps playing
setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations();
onLanguageChange(() => {
  applyTranslations();
  if (page.event) {
    buildChannels();
    render();
  }
  if (!$('join-view').hidden) setBusy(false);
});

const mixPrefs = load('dragoman.floor-mix', null);
if (mixPrefs && typeof mixPrefs === 'object') {
  $('floor-mix-on').checked = !!mixPrefs.enabled;
  const db = Number(mixPrefs.db);
  if (Number.isFinite(db)) $('floor-mix-level').value = String(Math.max(-30, Math.min(-6, db)));
}
renderFloorMixLevel();

const savedCaptions = load('dragoman.captions', null);
if (savedCaptions && typeof savedCaptions === 'object') {
  $('captions-on').checked = savedCaptions.enabled !== false;
  const size = CAPTION_SIZES.includes(savedCaptions.size) ? savedCaptions.size : 'medium';
  for (const radio of document.querySelectorAll('input[name="captions-size"]')) radio.checked = radio.value === size;
}
renderCaptions();

const volume = load('dragoman.volume', 100);
$('volume').value = String(volume);
$('volume').setAttribute('aria-valuetext', `${volume} %`);

setupMediaSession({
  onPlay: () => page.session && page.session.start(),
  onPause: () => page.session && page.session.stop(),
});

setInterval(() => renderDelay(), 500);
setInterval(renderLevel, 100);

// Test hooks for the browser tests (Selenium): state(), level(), channel, path.
window.dragoman = {
  state() {
    const s = page.session ? page.session.snapshot() : null;
    if (!s) return { connection: 'idle', channel: null, carrying: null, path: null, packets: 0, lost: 0, delayMs: null };
    return {
      connection: s.connection,
      channel: s.channel,
      carrying: s.carrying || currentCarrying(s),
      carryingText: $('carrying').textContent,
      floorLive: currentCarrying(s) ? currentCarrying(s).floorLive : null,
      path: s.path,
      container: s.container,
      packets: s.packets,
      lost: s.lost,
      delayMs: s.delayMs,
      netMs: s.netMs,
      bufferMs: s.bufferMs,
      targetMs: s.targetMs,
      jitterMs: s.jitterMs,
      underruns: s.underruns,
      rate: s.rate,
      outputLatencyMs: s.outputLatencyMs,
      comfortNoise: s.comfortNoise,
      audioState: s.audioState,
      error: s.error,
      floorMix: s.floorMix,
      alert: $('alert').hidden ? null : $('alert-text').textContent,
      now: { state: $('now').dataset.state, text: $('now-state').textContent, channel: $('now-channel').textContent,
        kind: $('now-kind').textContent },
      captions: { ...captionPrefs(), lines: captions.snapshot(), announced: $('captions-announce').textContent },
    };
  },
  level() {
    return page.session ? page.session.level() : 0;
  },
  earPeak() {
    return earPeak();
  },
  /** RMS of the floor mixed under the interpretation (0 while the floor mix is off or waiting). */
  floorMixLevel() {
    return page.session ? page.session.floorMixLevel() : 0;
  },
  get channel() {
    return page.session ? page.session.snapshot().channel : null;
  },
  get path() {
    return page.session ? page.session.path : null;
  },
  /** Tunes as a channel button would (also to a channel the page does not list, to test refusals). */
  tune(channel) {
    if (page.session) choose(String(channel));
  },
};

preparePlayers(params.get('path'), params.get('container'));

const match = window.location.pathname.match(/^\/j\/([^/]+)\/?$/);
if (match) {
  join(normalizeCode(decodeURIComponent(match[1])), { pin: params.get('pin') });
} else {
  showJoin({ code: normalizeCode(params.get('code') || load('dragoman.last-code', '') || '') });
}
