// The console's session with the server: opening the connection (connection.js), what its state changes mean
// (a drop while live, a refusal for good), and the server's messages.

import { $ } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { CloseCode, MessageType } from '../shared/protocol.js';
import { ensureContext } from './audio.js';
import { onChat } from './chat.js';
import { BoothConnection } from './connection.js';
import { releaseCough } from './handover.js';
import { forgetKey, showKeyForm } from './key-form.js';
import { onCaption, setGlossary } from './notes.js';
import { clearRefusal, showRefusal } from './refusals.js';
import { onSignal } from './signals.js';
import { clockText, page, render } from './state.js';

export function openConsole() {
  page.fatal = null;
  page.banner = null;
  $('key-view').hidden = true;
  $('console').hidden = false;
  $('shortcuts').hidden = false;
  $('awareness').hidden = false;
  ensureContext();
  if (page.connection) page.connection.close();
  page.connection = new BoothConnection({
    code: page.code,
    key: () => page.key,
    rate: () => (page.ctx ? Math.round(page.ctx.sampleRate) : 48000),
    onMessage,
    onBinary: (data) => {
      if (page.incoming) page.incoming.receive(data);
    },
    onState,
  });
  page.connection.start();
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
    const error = page.connection && page.connection.lastError;
    const closeCode = closeEvent ? closeEvent.code : null;
    const code = error ? error.code : closeCode === CloseCode.unauthorized ? 'unauthorized' : closeCode === CloseCode.notFound ? 'unknown-event' : null;
    if (code === 'unauthorized' || code === 'wrong-booth') {
      // The key is wrong, withdrawn, or for another booth: forget it and ask again.
      forgetKey(page.code);
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
    case MessageType.boothWelcome: {
      page.event = message.event || page.event;
      page.booth = message.booth || page.booth;
      page.you = message.you || page.you;
      page.codec = message.codec || null;
      setGlossary(message.glossary);
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
    case MessageType.boothState:
      onBoothState(message);
      break;
    case MessageType.chat:
      onChat(message);
      break;
    case MessageType.signal:
      onSignal(message);
      break;
    case MessageType.caption:
      onCaption(message);
      return; // the strip draws itself: the rest of the console has not changed
    case MessageType.error:
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
