// The console's two chats: with the booth's partners and with the organizer.

import { $ } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { MessageType } from '../shared/protocol.js';
import { ChatPane } from './chat-pane.js';
import { send } from './refusals.js';
import { page, render } from './state.js';

const chatLabels = () => ({ you: t('booth.you'), empty: t('booth.chatEmpty'), notSent: t('booth.chatNotSent') });
/** A chat pane of the page: its log, form and field are chat-{to}-log, -form and -input. */
function chatPane(to) {
  const form = $(`chat-${to}-form`);
  return new ChatPane({
    to,
    log: $(`chat-${to}-log`),
    form,
    input: $(`chat-${to}-input`),
    section: form.closest('section'),
    send: (text) => send({ type: MessageType.chat, to, text }, `chat-${to}`),
    labels: chatLabels,
  });
}

const chats = { booth: chatPane('booth'), organizer: chatPane('organizer') };

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
