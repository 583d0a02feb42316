// The console's two chats: with the booth's partners and with the organizer.

import { $ } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { MessageType } from '../shared/protocol.js';
import { ChatPane } from './chat-pane.js';
import { send } from './refusals.js';
import { page, render } from './state.js';

const chatLabels = () => ({ you: t('booth.you'), empty: t('booth.chatEmpty'), notSent: t('booth.chatNotSent') });
const chats = {
  booth: new ChatPane({
    to: 'booth',
    log: $('chat-booth-log'),
    form: $('chat-booth-form'),
    input: $('chat-booth-input'),
    section: $('chat-booth-form').closest('section'),
    send: (text) => send({ type: MessageType.chat, to: 'booth', text }, 'chat-booth'),
    labels: chatLabels,
  }),
  organizer: new ChatPane({
    to: 'organizer',
    log: $('chat-organizer-log'),
    form: $('chat-organizer-form'),
    input: $('chat-organizer-input'),
    section: $('chat-organizer-form').closest('section'),
    send: (text) => send({ type: MessageType.chat, to: 'organizer', text }, 'chat-organizer'),
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

export function onChat(message) {
  const fromOrganizer = message.from && message.from.id === 'organizer';
  const pane = message.to === 'booth' && !fromOrganizer ? chats.booth : chats.organizer;
  pane.receive(message, page.you ? page.you.id : null);
}

export function relabelChats() {
  chats.booth.relabel();
  chats.organizer.relabel();
}

export function chatCounts() {
  return { booth: chats.booth.count, organizer: chats.organizer.count };
}
