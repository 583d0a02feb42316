// The console's sound: one AudioContext for what the interpreter hears (incoming.js) and the microphone
// (microphone.js), the devices they use, and the volume and tone of what the interpreter hears.

import { keepResumed } from '../shared/audio-output.js';
import { fillDeviceSelect } from '../shared/devices.js';
import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { load, save } from '../shared/storage.js';
import { IncomingAudio, volumeDb } from './incoming.js';
import { Microphone } from './microphone.js';
import { page, render } from './state.js';

export function ensureContext() {
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
export function startAudio() {
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
        if (page.connection) page.connection.sendAudio(buffer);
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

export async function refreshDevices() {
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

function saveSettings() {
  save('dragoman.booth-audio', page.settings);
}

export function setVolume(value) {
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

/** A gain in dB as the sliders show it ("+3 dB", "−∞ dB"). */
function gainText(db) {
  if (!Number.isFinite(db)) return '−∞ dB';
  const r = Math.round(db);
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r)} dB`;
}

export function renderSliders() {
  setText($('volume-value'), gainText(volumeDb(page.settings.volume)));
  setText($('bass-value'), gainText(page.settings.bass));
  setText($('treble-value'), gainText(page.settings.treble));
}

/** The device pickers, the start key, and the volume and tone sliders. */
export function wireAudioControls() {
  for (const id of ['volume', 'bass', 'treble']) $(id).value = String(page.settings[id]);
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

  $('volume').addEventListener('input', () => setVolume($('volume').value));
  $('bass').addEventListener('input', () => setTone('bass', $('bass').value));
  $('treble').addEventListener('input', () => setTone('treble', $('treble').value));
  $('tone-flat').addEventListener('click', () => {
    setTone('bass', 0);
    setTone('treble', 0);
  });
}
