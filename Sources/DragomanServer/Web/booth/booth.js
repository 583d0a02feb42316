// The interpreter console: /booth/{code}?key={key}. This file wires the console's parts together.
//
// One WebSocket (connection.js, opened by session.js) carries everything: the booth's state and chat in, what the
// booth hears as Opus packets in (incoming.js), the microphone as raw PCM out (microphone.js) and the console's
// keys out. The server decides who is live; the page only shows what booth-state says (view.js), and asks
// (handover.js, source.js, signals.js, chat.js). state.js holds what every part reads.

import { codeFromAddress } from '../shared/api.js';
import { $ } from '../shared/dom.js';
import { applyTranslations, bindLanguageSelect, detectLanguage, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { refreshDevices, setVolume, startAudio, wireAudioControls } from './audio.js';
import { chatCounts, relabelChats } from './chat.js';
import { handover, pressCough, releaseCough, take, toggleMic, wireHandoverKeys } from './handover.js';
import { findKey, KEY_PATTERN, showKeyForm, takeKeyFromAddress, wireKeyForm } from './key-form.js';
import { installShortcuts, SHORTCUTS } from './keys.js';
import { startMetersAndClocks } from './meters.js';
import { notesSnapshot, renderNotes } from './notes.js';
import { refusalText } from './refusals.js';
import { openConsole } from './session.js';
import { signal, wireSignalKeys } from './signals.js';
import { chooseSource, cycleSource } from './source.js';
import { derived, page, render, setRenderer } from './state.js';
import { render as drawConsole } from './view.js';

const VOLUME_STEP = 5;

setRenderer(drawConsole);
wireKeyForm(openConsole);
wireAudioControls();
wireHandoverKeys();
wireSignalKeys();
$('banner-close').addEventListener('click', () => {
  const retry = page.banner && page.banner.retry;
  page.banner = null;
  if (retry && page.connection) {
    page.fatal = null;
    page.connection.start();
  }
  render();
});

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

// Start.

setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations();
relabelChats();
onLanguageChange(() => {
  applyTranslations();
  page.sourcesKey = '';
  page.partnersKey = '';
  $('mic-warnings').dataset.key = '';
  relabelChats();
  render();
  renderNotes();
  refreshDevices();
});

page.code = codeFromAddress('booth');
page.key = findKey(page.code, takeKeyFromAddress());

if (page.code && page.key && KEY_PATTERN.test(page.key)) openConsole();
else showKeyForm(page.key ? 'booth.keyInvalid' : null);

if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) navigator.mediaDevices.addEventListener('devicechange', refreshDevices);
window.addEventListener('online', () => page.connection && page.connection.reconnectNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && page.connection) page.connection.reconnectNow();
});
render();
startMetersAndClocks();

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
      droppedChunks: page.connection ? page.connection.droppedChunks : 0,
      chats: chatCounts(),
    };
  },
  /** RMS (0..1) of what the interpreter hears, after volume, tone and limiter. */
  incomingLevel: () => (page.incoming ? page.incoming.level() : 0),
  /** RMS (0..1) of the last 20 ms of the microphone. */
  micLevel: () => (page.mic && page.mic.isOpen ? page.mic.lastRms : 0),
  /** Microphone bytes sent to the server since the page opened. */
  sentBytes: () => (page.connection ? page.connection.sentBytes : 0),
  shortcuts: () => SHORTCUTS.map((s) => ({ key: s.label, action: s.action })),
  /** The boothmate strip and the floor's transcript: what they hold and whether they are shown. */
  notes: notesSnapshot,
};

