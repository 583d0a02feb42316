// The floor page: a technician's laptop publishes its audio input as the floor of an event.
//
// Route: /floor/{code}. The floor token comes from the form, or from #token=… in the address
// (a fragment never reaches server logs; it is removed from the address bar at once).
// Audio: the microphone capture (shared/microphone-capture.js: 20 ms Float32 chunks) →
// wss://…/ws/floor/{code}?token=…&rate={ctx.sampleRate}&channels=1&format=f32le.

import { codeFromAddress, fetchEvent, isValidCode, normalizeCode, socketURL } from '../shared/api.js';
import { fillDeviceSelect } from '../shared/devices.js';
import { setupFloorLanguage } from './floor-language.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { $ } from '../shared/dom.js';
import { PeakMeter } from '../shared/level-meter.js';
import { MicrophoneCapture, toFloat32LE } from '../shared/microphone-capture.js';
import { durationText } from '../shared/time-text.js';
import { CloseCode, FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';
import { applyTranslations, bindLanguageSelect, detectLanguage, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { load, save, sessionGet, sessionSet, takeTokenFromFragment } from '../shared/storage.js';

const BUSY_RETRIES = 10; // a floor-busy after a drop is usually our own old connection
const MAX_BUFFERED_BYTES = 64 * 1024; // ~85 ms at 48 kHz f32: beyond it, drop chunks to stay live
const CLIP_PEAK = 0.999;
const CLIP_SHOWN_MS = 2000;

const floor = {
  code: null,
  state: 'idle', // idle | starting | connecting | on | reconnecting | error
  ctx: null,
  socket: null,
  published: false,
  everPublished: false,
  busyRetries: 0,
  finalError: false,
  error: null, // { key, params } or { text }
  startedAt: 0,
  sentBytes: 0,
  sentChunks: 0,
  dropped: 0,
  bytesLastSecond: 0,
  kbps: 0,
  lastRms: 0,
  wakeLock: null,
};

const capture = new MicrophoneCapture({
  onChunk,
  onEnded: () => {
    if (floor.state !== 'idle') showError('floorErr.noDevice');
  },
});
const meter = new PeakMeter({ cover: $('meter-cover'), hold: $('meter-peak'), clip: $('clip'), readout: $('meter-db') });
let peakSinceFrame = 0;
let clipUntil = 0;

// Token and code.

function tokenKey(code) {
  return `dragoman.floor-token.${code}`;
}

// Errors and state.

function showError(key, params = {}) {
  floor.error = key ? { key, params } : null;
  renderError();
}

function renderError() {
  const e = floor.error;
  $('error').textContent = !e ? '' : e.text ? e.text : t(e.key, e.params);
}

function serverError(message) {
  const key = `floorErr.${message.code}`;
  if (t(key) !== key) return { key, params: { code: floor.code } };
  return { text: message.message || message.code };
}

function setState(state) {
  floor.state = state;
  render();
}

function render() {
  const state = floor.state;
  const onair = $('onair');
  const on = state === 'on';
  onair.dataset.state = on ? 'on' : state === 'connecting' || state === 'reconnecting' || state === 'starting' ? 'connecting' : 'off';
  onair.textContent = on ? t('onAir') : t('offAir');
  const status = {
    idle: t('floor.idle'),
    error: t('floor.idle'),
    starting: t('floor.connecting'),
    connecting: t('floor.connecting'),
    reconnecting: t('floor.reconnecting'),
    on: t('floor.onAir'),
  }[state];
  if ($('status').textContent !== status) $('status').textContent = status;
  const active = state !== 'idle' && state !== 'error';
  $('start').textContent = active ? t('stopAir') : t('goOnAir');
  $('start').classList.toggle('primary', !active);
  $('token').disabled = active;
  $('code').disabled = active;
  document.title = `${on ? '● ' : ''}${t('floorTitle')} ${floor.code || ''} — Dragoman`;
}

// Devices.

async function refreshDevices() {
  const select = $('device');
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  let devices = [];
  try {
    devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
  } catch {
    devices = [];
  }
  fillDeviceSelect(select, devices, select.value || load('dragoman.floor-device', ''));
}

// Capture.

async function openInput() {
  await capture.open(() => floor.ctx, $('device').value);
  refreshDevices();
}

function onChunk(chunk) {
  peakSinceFrame = Math.max(peakSinceFrame, chunk.peak);
  if (chunk.peak >= CLIP_PEAK) clipUntil = performance.now() + CLIP_SHOWN_MS;
  floor.lastRms = chunk.rms;
  const socket = floor.socket;
  if (!floor.published || !socket || !socket.isOpen) return;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    floor.dropped += 1;
    return;
  }
  socket.send(toFloat32LE(chunk.samples));
  floor.sentBytes += chunk.samples.byteLength;
  floor.bytesLastSecond += chunk.samples.byteLength;
  floor.sentChunks += 1;
}

// Publishing.

async function start() {
  showError(null);
  const code = floor.code || normalizeCode($('code').value);
  if (!isValidCode(code)) {
    showError('floorErr.codeMissing');
    $('code').focus();
    return;
  }
  const token = $('token').value.trim();
  if (!token) {
    showError('floorErr.tokenMissing');
    $('token').focus();
    return;
  }
  floor.code = code;
  sessionSet(tokenKey(code), token);
  save(tokenKey(code), $('remember-token').checked ? token : null);

  setState('starting');
  // The context is made inside the click, so that it may start.
  if (!floor.ctx || floor.ctx.state === 'closed') {
    floor.ctx = new (window.AudioContext || window.webkitAudioContext)({ latencyHint: 'interactive' });
  }
  floor.ctx.resume().catch(() => {});
  try {
    await openInput();
  } catch (error) {
    if (floor.state === 'idle') return; // the user pressed Stop meanwhile
    stop();
    const name = error && error.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') showError('floorErr.micDenied');
    else if (name === 'NotFoundError' || name === 'OverconstrainedError') showError('floorErr.noDevice');
    else showError('floorErr.deviceBusy', { message: (error && error.message) || String(error) });
    return;
  }
  if (floor.state === 'idle') return; // stopped meanwhile

  floor.published = false;
  floor.everPublished = false;
  floor.busyRetries = 0;
  floor.finalError = false;
  floor.sentBytes = floor.sentChunks = floor.dropped = 0;
  floor.startedAt = 0;
  floor.socket = new ReconnectingSocket({
    url: () => socketURL(`/ws/floor/${encodeURIComponent(code)}`, {
      token,
      rate: Math.round(floor.ctx.sampleRate),
      channels: 1,
      format: 'f32le',
    }),
    onMessage: onServerMessage,
    onClose: (event) => {
      floor.published = false;
      floor.lastCloseCode = event.code;
    },
    onState: (state) => {
      if (state === 'connecting') setState('connecting');
      else if (state === 'reconnecting') setState('reconnecting');
      else if (state === 'failed') {
        if (!floor.error) showError('floorErr.refused', { code: floor.lastCloseCode });
        stop({ keepError: true });
      }
    },
    shouldStop: (event) => {
      if (floor.finalError || FINAL_CLOSE_CODES.has(event.code)) return true;
      if (event.code === CloseCode.busy) {
        floor.busyRetries += 1;
        return !floor.everPublished || floor.busyRetries > BUSY_RETRIES;
      }
      return false;
    },
  });
  floor.socket.start();
}

function onServerMessage(message) {
  if (message.type === MessageType.publishing) {
    floor.published = true;
    floor.everPublished = true;
    floor.busyRetries = 0;
    floor.socket.healthy();
    if (!floor.startedAt) floor.startedAt = Date.now();
    showError(null);
    setState('on');
    keepAwake();
  } else if (message.type === MessageType.error) {
    floor.error = serverError(message);
    renderError();
    if (message.fatal === false) return;
    if (message.code !== 'floor-busy') floor.finalError = true;
  }
}

function stop({ keepError = false } = {}) {
  if (floor.socket) floor.socket.close(CloseCode.normal);
  floor.socket = null;
  floor.published = false;
  capture.close();
  if (floor.ctx && floor.ctx.state !== 'closed') floor.ctx.close().catch(() => {});
  floor.ctx = null;
  if (floor.wakeLock) floor.wakeLock.release().catch(() => {});
  floor.wakeLock = null;
  if (!keepError) showError(null);
  setState(keepError && floor.error ? 'error' : 'idle');
}

async function keepAwake() {
  if (floor.state !== 'on' || floor.wakeLock || !navigator.wakeLock) return;
  try {
    floor.wakeLock = await navigator.wakeLock.request('screen');
    floor.wakeLock.addEventListener('release', () => {
      floor.wakeLock = null;
    });
  } catch {
    floor.wakeLock = null;
  }
}

// The level meter, drawn at display rate.

function drawMeter(now) {
  const peak = peakSinceFrame;
  peakSinceFrame = 0;
  meter.draw(now, { peak, active: capture.isOpen, clipping: now <= clipUntil });
  requestAnimationFrame(drawMeter);
}

setInterval(() => {
  floor.kbps = Math.round((floor.bytesLastSecond * 8) / 1000);
  floor.bytesLastSecond = 0;
  $('stats').textContent = floor.state === 'on' || floor.state === 'reconnecting'
    ? t('floorStats', {
      time: durationText(Date.now() - floor.startedAt),
      rate: floor.ctx ? Math.round(floor.ctx.sampleRate) : '—',
      kbps: floor.kbps,
      dropped: floor.dropped,
    })
    : '';
}, 1000);

// Start.

setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations();
onLanguageChange(() => {
  applyTranslations();
  render();
  renderError();
  refreshDevices();
});

floor.code = codeFromAddress('floor');
$('code-field').hidden = !!floor.code;
$('floor-code').textContent = floor.code || '';

const fragmentToken = takeTokenFromFragment();
if (floor.code) {
  const remembered = load(tokenKey(floor.code));
  $('token').value = fragmentToken || sessionGet(tokenKey(floor.code)) || remembered || '';
  $('remember-token').checked = !!remembered;
  if (fragmentToken) sessionSet(tokenKey(floor.code), fragmentToken);
  fetchEvent(floor.code).then((answer) => {
    if (answer.ok) {
      $('event-name').textContent = answer.event.name || '';
      const languageButtons = setupFloorLanguage({
        code: floor.code,
        languages: answer.event.languages || [],
        current: answer.event.floorLanguage || null,
        token: () => $('token').value.trim(),
      });
      onLanguageChange(() => languageButtons.render());
    }
    else if (answer.status === 404) showError('floorErr.unknown-event', { code: floor.code });
  });
} else if (fragmentToken) {
  $('token').value = fragmentToken;
}

$('device').addEventListener('change', async () => {
  save('dragoman.floor-device', $('device').value || null);
  if (capture.isOpen && floor.ctx) {
    try {
      await openInput();
    } catch (error) {
      showError('floorErr.deviceBusy', { message: (error && error.message) || String(error) });
    }
  }
});

$('floor-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (floor.state === 'idle' || floor.state === 'error') start();
  else stop();
});

// A new link pasted into the same tab only changes the fragment: take its token too.
window.addEventListener('hashchange', () => {
  const token = takeTokenFromFragment();
  if (!token || floor.state !== 'idle' && floor.state !== 'error') return;
  $('token').value = token;
  if (floor.code) sessionSet(tokenKey(floor.code), token);
  showError(null);
});

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') keepAwake();
});
window.addEventListener('online', () => floor.socket && floor.socket.reconnectNow());
window.addEventListener('pagehide', () => {
  if (floor.state !== 'idle' && floor.state !== 'error') stop();
});

// [SecureContext] members are simply absent elsewhere: feature-detect them, not the constructors.
const secure = window.isSecureContext && !!navigator.mediaDevices
  && typeof window.BaseAudioContext === 'function' && 'audioWorklet' in window.BaseAudioContext.prototype;
if (!secure) {
  $('insecure').hidden = false;
  $('start').disabled = true;
  $('device').disabled = true;
} else {
  refreshDevices();
  navigator.mediaDevices.addEventListener('devicechange', refreshDevices);
}

render();
requestAnimationFrame(drawMeter);

// Test hooks: state() and level() (RMS of the last 20 ms chunk, 0..1).
window.dragoman = {
  state() {
    return {
      connection: floor.state,
      onAir: floor.state === 'on',
      code: floor.code,
      sampleRate: floor.ctx ? floor.ctx.sampleRate : null,
      sentChunks: floor.sentChunks,
      sentBytes: floor.sentBytes,
      dropped: floor.dropped,
      peakDb: Number.isFinite(meter.holdDb) ? meter.holdDb : null,
      error: floor.error ? ($('error').textContent || null) : null,
    };
  },
  level() {
    return capture.isOpen ? floor.lastRms : 0;
  },
};
