// The booth's signals to the floor and the organizer: "slow down" (to the speaker's screen) and "help" (to the
// organizer). Each key waits a few seconds before it sends again.

import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { MessageType } from '../shared/protocol.js';
import { send } from './refusals.js';
import { clockText, page, render } from './state.js';

const SIGNAL_COOLDOWN_MS = 3000;

export function signal(kind) {
  const now = Date.now();
  if (now - (page.lastSignalAt[kind] || 0) < SIGNAL_COOLDOWN_MS) return;
  if (send({ type: MessageType.signal, kind }, 'signal')) {
    page.lastSignalAt[kind] = now;
    page.signal = { kind, at: now, by: null };
    render();
  }
}

/** The server passes every signal of the booth to its consoles too: ours confirms, a partner's is shown. */
export function onSignal(message) {
  const at = message.at ? message.at / 1000 : Date.now();
  const me = page.you ? page.you.id : null;
  const mine = message.kind === 'help'
    ? !!(message.from && message.from.id === me)
    : Date.now() - (page.lastSignalAt[message.kind] || 0) < 5000;
  page.signal = { kind: message.kind, at, by: mine ? null : (message.from && message.from.name) || '' };
}

export function renderSignals(connected) {
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
}

export function wireSignalKeys() {
  $('slow-down').addEventListener('click', () => signal('slow-down'));
  $('help').addEventListener('click', () => signal('help'));
}
