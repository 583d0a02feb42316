// Drawing the console from its state: the header, the banner, the microphone key and tally, the channel, the
// partners; the other parts draw themselves (source.js, handover.js, signals.js, audio.js).

import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { durationText } from '../shared/time-text.js';
import { renderSliders } from './audio.js';
import { renderHandover } from './handover.js';
import { refusalText } from './refusals.js';
import { renderSignals } from './signals.js';
import { renderIncoming } from './source.js';
import { derived, langName, nameOf, page } from './state.js';

const LONG_TURN_MS = 30 * 60 * 1000; // interpreters take turns every 20–30 minutes

export function render() {
  const d = derived();
  const s = d.s;
  const connected = page.conn === 'open';

  // Header.
  const boothLang = page.booth;
  setText($('booth-name'), boothLang ? t('booth.boothName', { language: langName(boothLang) }) : t('booth.title'));
  setText($('event-name'), page.event ? `${page.event.name || ''} · ${page.event.code || page.code}` : (page.code || ''));
  const floorLang = s ? s.floorLanguage : null;
  setText($('floor-language'), s ? (floorLang ? langName(floorLang) : t('booth.languageUnknown')) + (s.floorLive === false ? ` · ${t('booth.floorSilentShort')}` : '') : '—');
  const listeners = s && Number.isFinite(s.listeners) ? s.listeners : null;
  setText($('listeners'), listeners === null ? '—' : listeners === 0 ? t('booth.nobody') : String(listeners));
  $('listeners-box').dataset.none = String(listeners === 0);
  $('rec-box').dataset.on = String(!!(s && s.recorded));
  const confidential = !!(s && s.confidential);
  setText($('recorded'), s ? (confidential ? t('booth.confidential') : s.recorded ? t('booth.recorded') : t('booth.notRecorded')) : '—');
  $('out-box').dataset.on = String(!!(s && s.streamedOutside));
  setText($('streamed'), s ? (confidential ? t('booth.confidential') : s.streamedOutside ? t('booth.streamed') : t('booth.notStreamed')) : '—');
  const connKey = { idle: 'booth.conn.idle', connecting: 'booth.conn.connecting', open: 'booth.conn.open', reconnecting: 'booth.conn.reconnecting', failed: 'booth.conn.failed', closed: 'booth.conn.failed' }[page.conn];
  setText($('connection'), t(connKey));
  $('connection').dataset.state = page.conn;

  // Banner.
  $('banner').hidden = !page.banner;
  if (page.banner) setText($('banner-text'), page.banner.text || t(page.banner.key, page.banner.params || {}));
  setText($('banner-close'), page.banner && page.banner.retry ? t('booth.retry') : t('booth.dismiss'));
  $('banner').dataset.kind = page.banner && (page.banner.retry || page.banner.key === 'booth.lostLive') ? 'danger' : 'info';

  // The microphone key and the tally.
  let micState;
  if (!connected) micState = 'offline';
  else if (d.iAmLive && d.coughing) micState = 'muted';
  else if (d.iAmLive && !d.channelHasBooth) micState = 'unheard';
  else if (d.iAmLive) micState = 'on';
  else if (d.partnerLive) micState = 'partner';
  else micState = 'off';
  const mic = $('mic');
  mic.dataset.state = micState;
  mic.setAttribute('aria-pressed', String(d.iAmLive));
  mic.disabled = !connected;
  const big = { offline: 'booth.mic.offline', muted: 'booth.mic.muted', unheard: 'booth.mic.unheard', on: 'booth.mic.onAir', partner: 'booth.mic.off', off: 'booth.mic.off' }[micState];
  setText($('mic-big'), t(big));
  $('mic-big').dataset.long = String(t(big).length > 9);
  let sub;
  if (micState === 'offline') sub = t(page.conn === 'failed' ? 'booth.mic.subFailed' : 'booth.mic.subOffline');
  else if (micState === 'muted') sub = t('booth.mic.subMuted');
  else if (micState === 'unheard') sub = t('booth.mic.subUnheard', { language: langName(floorLang) });
  else if (micState === 'on') sub = t('booth.mic.subOn');
  else if (micState === 'partner') sub = t('booth.mic.subPartner', { name: nameOf(d.live) });
  else sub = t('booth.mic.subOff');
  setText($('mic-sub'), sub);
  const tally = $('tally');
  tally.dataset.state = micState;
  setText(tally, micState === 'on' ? t('booth.mic.onAir') : micState === 'muted' ? t('booth.mic.muted') : micState === 'unheard' ? t('booth.mic.unheard') : '');
  document.title = `${micState === 'on' ? '● ' : ''}${boothLang ? t('booth.boothName', { language: langName(boothLang) }) : t('booth.title')} — Dragoman`;

  const coughKey = $('cough');
  coughKey.dataset.held = String(page.coughHeld);
  coughKey.setAttribute('aria-pressed', String(page.coughHeld));
  coughKey.disabled = !connected || !d.iAmLive;

  $('start-box').hidden = page.audio === 'on' && page.ctx && page.ctx.state === 'running';
  $('start').disabled = page.audio === 'starting';
  setText($('start'), page.audio === 'on' ? t('booth.resumeButton') : t('booth.startButton'));

  const micError = page.micError ? t(page.micError.key, page.micError.params || {}) : '';
  const areaRefusal = (area) => (page.refusal && page.refusal.area === area ? refusalText(page.refusal) : '');
  setText($('mic-error'), [micError, areaRefusal('mic'), areaRefusal('signal')].filter(Boolean).join(' '));

  renderTurn(d);

  // Channel.
  setText($('channel-title'), boothLang ? t('booth.channelTitle', { language: langName(boothLang) }) : '');
  const cc = $('channel-carrying');
  let ck = 'none';
  let ctext = '';
  if (d.carrying) {
    if (d.channelHasBooth) {
      ck = 'booth';
      if (d.iAmLive) ctext = t('booth.carrying.you');
      else if (d.live) ctext = t('booth.carrying.partner', { name: nameOf(d.live) });
      else ctext = t('booth.carrying.booth');
      if (d.carrying.kind === 'relay' && d.carrying.via) ctext += ` ${t('booth.carrying.viaRelay', { language: langName(d.carrying.via) })}`;
    } else if (d.carrying.kind === 'machine') {
      ck = 'machine';
      ctext = t('booth.carrying.machine');
    } else if (floorLang && floorLang === boothLang) {
      ck = 'auto';
      ctext = t('booth.carrying.autoFloor', { language: langName(floorLang) });
    } else {
      ck = 'fallback';
      ctext = d.coughing ? t('booth.carrying.floorCough') : t('booth.carrying.floorFallback', { language: langName(floorLang) });
    }
    if (s.floorLive === false) ctext += ` ${t('booth.floorSilent')}`;
  }
  cc.dataset.kind = ck;
  setText(cc, ctext);

  // Incoming.
  renderIncoming(d);

  // Partners and handover.
  renderPartners(d);
  renderHandover(d);
  setText($('refusal'), areaRefusal('handover') || areaRefusal('chat-booth') || areaRefusal('chat-organizer'));
  $('refusal').hidden = !$('refusal').textContent;

  renderSignals(connected);

  renderSliders();
  setText($('shortcuts'), t(document.body.classList.contains('typing') ? 'booth.shortcutsPaused' : 'booth.shortcutsHint'));
}

export function renderTurn(d) {
  const turn = $('turn');
  if (!d.live || page.liveSince.id !== d.live) {
    setText(turn, '');
    turn.dataset.long = 'false';
    return;
  }
  const ms = Date.now() - page.liveSince.at;
  setText(turn, d.iAmLive ? t('booth.turnYou', { time: durationText(ms) }) : t('booth.turnPartner', { name: nameOf(d.live), time: durationText(ms) }));
  turn.dataset.long = String(ms > LONG_TURN_MS);
}

function renderPartners(d) {
  const s = d.s;
  const list = s && Array.isArray(s.interpreters) ? s.interpreters : [];
  const key = JSON.stringify([list, d.live, d.me, d.coughing, document.documentElement.lang, page.conn]);
  if (key === page.partnersKey) return;
  page.partnersKey = key;
  const ul = $('partners');
  ul.textContent = '';
  for (const person of list) {
    const li = document.createElement('li');
    li.dataset.online = String(person.online !== false);
    li.dataset.live = String(person.id === d.live);
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = person.name + (person.id === d.me ? ` (${t('booth.you')})` : '');
    const status = document.createElement('span');
    status.className = 'state';
    status.textContent = person.id === d.live ? (d.coughing ? t('booth.mic.muted') : t('booth.mic.onAir')) : person.online !== false ? t('booth.online') : t('booth.offline');
    li.append(dot, name, status);
    ul.append(li);
  }
}
