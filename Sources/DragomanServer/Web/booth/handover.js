// Who is on air: the microphone key, the cough key, and the handover between the booth's interpreters (request,
// accept, switch, take, cancel). The server decides; these keys only ask (docs/protocol.md, "The interpreter
// console").

import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { MessageType } from '../shared/protocol.js';
import { startAudio } from './audio.js';
import { send } from './refusals.js';
import { derived, nameOf, page, render } from './state.js';

export async function toggleMic() {
  const d = derived();
  if (d.iAmLive) {
    send({ type: MessageType.mic, on: false }, 'mic');
    return;
  }
  if (page.audio !== 'on' && !(await startAudio())) return; // never live with a microphone that is not open
  send({ type: MessageType.mic, on: true }, 'mic');
}

export function pressCough() {
  const d = derived();
  if (!d.iAmLive || page.coughHeld) return;
  page.coughHeld = true;
  if (page.mic) page.mic.muted = true;
  send({ type: MessageType.cough, held: true }, 'mic');
}

export function releaseCough() {
  if (!page.coughHeld) return;
  page.coughHeld = false;
  if (page.mic) page.mic.muted = false;
  if (page.connection && page.connection.isOpen) page.connection.send({ type: MessageType.cough, held: false });
  render();
}

export function handover(action) {
  send({ type: MessageType.handover, action }, 'handover');
}

export async function take() {
  const d = derived();
  if (d.iAmLive) return;
  if (page.audio !== 'on' && !(await startAudio())) return;
  if (!d.live) {
    // Nobody to take from: this is a plain "mic on".
    send({ type: MessageType.mic, on: true }, 'mic');
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

export function renderHandover(d) {
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
  const stateText = $('handover-state');
  stateText.dataset.state = state;
  setText(stateText, text);

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

/** The keys' clicks, the take dialog, and the cough key held by pointer or keyboard. */
export function wireHandoverKeys() {
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
  $('mic').addEventListener('click', () => toggleMic());
  $('hand-request').addEventListener('click', () => handover('request'));
  $('hand-accept').addEventListener('click', () => handover('accept'));
  $('hand-switch').addEventListener('click', () => handover('switch'));
  $('hand-take').addEventListener('click', () => take());
  $('hand-cancel').addEventListener('click', () => handover('cancel'));

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
}
