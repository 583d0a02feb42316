// The live part of the organizer dashboard, redrawn from each `dashboard` state (every 500 ms): the floor with
// its language buttons, the channels table, and one card per booth with its chat. Elements are made once per
// channel and booth and then only updated, so that a message being typed or a focused button survives.

import { Captions } from '../listener/captions.js';
import { normalizeCarrying } from '../shared/api.js';
import { carryingText } from '../shared/carrying-text.js';
import { $, el, setText } from '../shared/dom.js';
import { MessageType } from '../shared/protocol.js';
import { clockText, dbText, meterElement, msText, setMeter } from './format.js';
import { capitalize, channelLabel, currentLanguage, languageName, t } from '../shared/i18n.js';

const CHAT_MAX = 200;

export class LiveView {
  /**
   * send(message) → true when it went out on the dashboard socket; setFloorLanguage(language|null);
   * alerts: the Alerts of the event.
   */
  constructor({ send, setFloorLanguage, alerts }) {
    this.send = send;
    this.setFloorLanguage = setFloorLanguage;
    this.alerts = alerts;
    this.state = null;
    this.languages = [];
    this.rows = new Map(); // channel → { row, cells }
    this.booths = new Map(); // booth → { card, parts }
    this.chats = new Map(); // booth → [{ who, mine, text, at, pending }]
    this.unread = new Map();
    this.pendingLanguage = undefined; // a floor-language tap not yet confirmed by a state
    this.lastDropped = new Map(); // channel → { count, changedAt }
    // The floor's transcript (`caption` messages, when the event has machine booths): the latest lines.
    this.transcript = new Captions({ box: $('floor-transcript-box'), lines: $('floor-transcript-lines'), empty: $('floor-transcript-empty'), keep: 4 });
    this.captioned = false;
    $('floor-suggest-set').addEventListener('click', () => {
      const suggested = this.state && this.state.floor && this.state.floor.suggested;
      if (suggested) this.chooseFloorLanguage(suggested);
    });
  }

  /** A `caption` of the floor. */
  receiveCaption(message) {
    if (message.channel !== 'floor') return;
    this.captioned = true;
    this.transcript.add(message);
    if (this.state) this.renderFloor(this.state.floor || {}, this.languages);
  }

  update(state) {
    this.state = state;
    this.renderFloor(state.floor || {}, (state.event && state.event.languages) || []);
    this.renderChannels(state.channels || [], state.floor || {});
    this.renderBooths(state.booths || [], state.channels || []);
  }

  /** Redraws the words (after a change of the page's language). */
  relabel() {
    this.languages = [];
    for (const { row } of this.rows.values()) row.remove();
    this.rows.clear();
    for (const { card } of this.booths.values()) card.remove();
    this.booths.clear();
    if (this.state) this.update(this.state);
  }

  // Floor.

  renderFloor(floor, languages) {
    const onair = $('floor-onair');
    const live = floor.live === true;
    onair.dataset.state = live ? 'on' : 'off';
    setText(onair, live ? t('dashFloorLive') : t('dashFloorSilent'));
    setMeter($('floor-meter').parentElement, live ? floor.level : -120);
    setText($('floor-level'), live ? dbText(floor.level, t('dashSilentLevel')) : '');

    const list = $('floor-language-buttons');
    const key = languages.join(',');
    if (this.languages.join(',') !== key || list.childElementCount !== languages.length + 1) {
      this.languages = [...languages];
      list.replaceChildren(...[...languages, null].map((language) => {
        const button = el('button', {
          className: 'dash-language',
          attrs: { type: 'button', 'data-language': language === null ? '' : language },
          text: language === null ? t('dashFloorLanguageUnknown') : capitalize(languageName(language)),
        });
        button.addEventListener('click', () => this.chooseFloorLanguage(language));
        return button;
      }));
    }
    const current = floor.language ?? null;
    if (this.pendingLanguage !== undefined && this.pendingLanguage === current) this.pendingLanguage = undefined;
    for (const button of list.children) {
      const language = button.dataset.language || null;
      button.setAttribute('aria-pressed', String(language === current));
      button.classList.toggle('pending', this.pendingLanguage !== undefined && language === this.pendingLanguage);
    }
    if (this.pendingLanguage === undefined && this.floorLanguageStatus !== 'error') {
      setText($('floor-language-status'), current ? t('dashFloorLanguageNow', { language: languageName(current) }) : t('dashFloorLanguageNotKnown'));
    }

    // The machine's offer, until the state drops it (the server withdraws it once a floor language is sent);
    // hidden at once while the tap is on its way.
    const suggested = floor.suggested || null;
    const offer = !!suggested && suggested !== current && this.pendingLanguage !== suggested;
    $('floor-suggest').hidden = !offer;
    if (offer) {
      setText($('floor-suggest-text'), t('dashSuggestHeard', { language: languageName(suggested) }));
      setText($('floor-suggest-set'), t('dashSuggestSet', { language: languageName(suggested) }));
      $('floor-suggest-set').dataset.language = suggested;
    }
    const machine = this.state && (this.state.booths || []).some((booth) => booth.machine);
    $('floor-transcript').hidden = !(machine || this.captioned);
  }

  async chooseFloorLanguage(language) {
    this.pendingLanguage = language;
    this.floorLanguageStatus = 'sent';
    setText($('floor-language-status'), t('dashFloorLanguageSending', { language: language ? languageName(language) : t('dashFloorLanguageUnknown') }));
    if (this.state) this.renderFloor(this.state.floor || {}, this.languages);
    // Unconfirmed after 3 s (refused, or the connection dropped): stop showing it as on its way.
    clearTimeout(this.pendingTimer);
    this.pendingTimer = setTimeout(() => {
      if (this.pendingLanguage === language) {
        this.pendingLanguage = undefined;
        if (this.state) this.renderFloor(this.state.floor || {}, this.languages);
      }
    }, 3000);
    const error = await this.setFloorLanguage(language);
    if (error) {
      this.pendingLanguage = undefined;
      this.floorLanguageStatus = 'error';
      setText($('floor-language-status'), error);
      if (this.state) this.renderFloor(this.state.floor || {}, this.languages);
    } else {
      this.floorLanguageStatus = 'sent';
    }
  }

  // Channels.

  renderChannels(channels, floor) {
    const body = $('channels-body');
    const seen = new Set();
    const ordered = [...channels].sort((a, b) => (a.channel === 'floor' ? -1 : b.channel === 'floor' ? 1 : 0));
    ordered.forEach((channel, index) => {
      const id = channel.channel || channel.id;
      seen.add(id);
      let entry = this.rows.get(id);
      if (!entry) {
        const meter = meterElement('dash-meter-small');
        const cells = {
          name: el('th', { attrs: { scope: 'row' }, text: channelLabel(id) }),
          carrying: el('td', { attrs: { 'data-col': 'carrying' } }),
          listeners: el('td', { className: 'num', attrs: { 'data-col': 'listeners' } },
            el('span', { className: 'dash-count' }), el('span', { className: 'dash-stream-count' })),
          level: el('td', { className: 'dash-level-cell', attrs: { 'data-col': 'level' } }, meter, el('span', { className: 'tech' })),
          delay: el('td', { className: 'num', attrs: { 'data-col': 'delay' } }),
          dropped: el('td', { className: 'num', attrs: { 'data-col': 'dropped' } }),
        };
        const row = el('tr', { attrs: { 'data-channel': id } }, ...Object.values(cells));
        entry = { row, cells, meter };
        this.rows.set(id, entry);
      }
      if (body.children[index] !== entry.row) body.insertBefore(entry.row, body.children[index] || null);
      const carrying = normalizeCarrying(channel.carrying, floor && { floorLive: floor.live, floorLanguage: floor.language });
      setText(entry.cells.carrying, carryingText(carrying, id));
      entry.row.dataset.kind = carrying ? carrying.kind : '';
      entry.row.dataset.interpretation = String(!!(carrying && carrying.interpretation));

      const listeners = Number(channel.listeners) || 0;
      const stream = Number(channel.streamListeners) || 0;
      setText(entry.cells.listeners.firstChild, String(listeners));
      setText(entry.cells.listeners.lastChild, stream ? t('dashStreamListeners', { n: stream }) : '');
      entry.cells.listeners.dataset.count = String(listeners);

      setMeter(entry.meter, channel.level);
      setText(entry.cells.level.lastElementChild, dbText(channel.level, t('dashSilentLevel')));

      const hasDelay = channel.delayP50 !== undefined && channel.delayP50 !== null;
      setText(entry.cells.delay, hasDelay ? t('dashMs', { p50: msText(channel.delayP50), p99: msText(channel.delayP99) }) : '–');
      const dropped = Number(channel.dropped) || 0;
      const before = this.lastDropped.get(id);
      if (!before || before.count !== dropped) this.lastDropped.set(id, { count: dropped, changedAt: before ? performance.now() : 0 });
      const recent = before && performance.now() - this.lastDropped.get(id).changedAt < 10000 && dropped > 0;
      setText(entry.cells.dropped, String(dropped));
      entry.cells.dropped.classList.toggle('dash-bad', !!recent);
    });
    for (const [id, entry] of this.rows) {
      if (!seen.has(id)) {
        entry.row.remove();
        this.rows.delete(id);
      }
    }
  }

  // Booths.

  renderBooths(booths, channels) {
    const container = $('booths');
    $('booths-empty').hidden = booths.length > 0;
    const seen = new Set();
    booths.forEach((booth, index) => {
      const id = booth.booth;
      seen.add(id);
      let entry = this.booths.get(id);
      if (!entry) {
        entry = this.makeBooth(id);
        this.booths.set(id, entry);
      }
      if (container.children[index] !== entry.card) container.insertBefore(entry.card, container.children[index] || null);
      this.fillBooth(entry, booth, channels.find((c) => (c.channel || c.id) === id));
    });
    for (const [id, entry] of this.booths) {
      if (!seen.has(id)) {
        entry.card.remove();
        this.booths.delete(id);
      }
    }
  }

  makeBooth(id) {
    const name = languageName(id);
    const p = {
      title: el('h3', { text: t('dashBoothTitle', { language: name }) }),
      onair: el('span', { className: 'dash-onair dash-onair-small', attrs: { 'data-state': 'off' } }),
      mic: el('p', { className: 'dash-booth-mic' }),
      handover: el('p', { className: 'dash-booth-handover' }),
      hears: el('p', { className: 'dash-booth-hears' }),
      machine: el('p', { className: 'dash-booth-machine', attrs: { hidden: true } }),
      skipped: el('p', { className: 'dash-booth-skipped', attrs: { hidden: true } }),
      listeners: el('p', { className: 'dash-booth-listeners muted' }),
      signal: el('p', { className: 'dash-booth-signal' }),
      people: el('ul', { className: 'dash-booth-people', attrs: { 'aria-label': t('dashInterpreters') } }),
      log: el('ol', { className: 'dash-chat-log', attrs: { 'aria-live': 'polite', 'aria-label': t('dashChatWith', { language: name }) } }),
      unread: el('span', { className: 'dash-unread' }),
      input: el('input', { attrs: { type: 'text', maxlength: 500, autocomplete: 'off', id: `chat-${id}`, placeholder: t('dashChatPlaceholder') } }),
      chatError: el('p', { className: 'error' }),
    };
    const send = el('button', { attrs: { type: 'submit' }, text: t('dashChatSend') });
    const form = el('form', { className: 'dash-chat-form' },
      el('label', { className: 'visually-hidden', attrs: { for: `chat-${id}` }, text: t('dashChatWith', { language: name }) }),
      p.input, send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.sendChat(id);
    });
    p.input.addEventListener('focus', () => this.markRead(id));
    const card = el('article', { className: 'dash-booth', attrs: { 'data-booth': id, 'aria-label': t('dashBoothTitle', { language: name }) } },
      el('header', { className: 'dash-booth-head' }, p.title, p.onair),
      p.mic, p.handover, p.hears, p.machine, p.skipped, p.listeners, p.signal, p.people,
      el('section', { className: 'dash-chat' },
        el('h4', {}, el('span', { text: t('dashChat') }), ' ', p.unread),
        p.log, form, p.chatError));
    card.addEventListener('pointerdown', () => this.markRead(id));
    const entry = { card, parts: p, drawnChats: 0 };
    this.drawChats(id, entry);
    return entry;
  }

  fillBooth(entry, booth, channel) {
    const p = entry.parts;
    const people = Array.isArray(booth.interpreters) ? booth.interpreters : [];
    const nameOf = (personId) => (people.find((x) => x.id === personId) || {}).name || personId || '';
    const live = booth.live || null;
    // A booth nobody works in: a compact card (its chat and routing details would say nothing).
    entry.card.dataset.empty = String(people.length === 0 && !live);
    const state = booth.coughing && live ? 'cough' : booth.onAir ? 'on' : 'off';
    p.onair.dataset.state = state;
    entry.card.dataset.onair = String(state === 'on');
    setText(p.onair, state === 'cough' ? t('dashCoughing') : state === 'on' ? t('onAir') : t('offAir'));

    const liveOffline = live && people.some((x) => x.id === live && x.online === false);
    setText(p.mic, live
      ? (booth.coughing ? t('dashOnMicCoughing', { name: nameOf(live) }) : t('dashOnMic', { name: nameOf(live) }))
      : t('dashNobodyOnMic'));
    p.mic.classList.toggle('dash-bad', !!liveOffline);

    const handover = booth.handover || { state: 'none' };
    let handoverText = '';
    if (handover.state === 'requested') handoverText = t('dashHandoverRequested', { name: nameOf(handover.by) });
    else if (handover.state === 'accepted') handoverText = t('dashHandoverAccepted', { name: nameOf(handover.by) });
    setText(p.handover, handoverText);
    p.handover.hidden = !handoverText;
    p.handover.dataset.state = handover.state || 'none';

    setText(p.hears, this.hearsText(booth));
    // The channel's machine booth, when it has one: starting, ready, or failed with the problem.
    const machine = booth.machine || null;
    setText(p.machine, this.machineText(machine, booth.machineProblem));
    p.machine.hidden = !machine;
    p.machine.dataset.state = machine || '';
    p.machine.classList.toggle('dash-bad', machine === 'failed');
    // Speech the machine skipped because it fell behind: kept in view (a machine that skips needs a faster
    // recognizer or fewer booths), marked while the last skip is under a minute old.
    const skipped = machine && booth.machineSkipped ? booth.machineSkipped : null;
    setText(p.skipped, skipped ? t('dashMachineSkipped', {
      n: Number(skipped.count) || 0,
      seconds: (Number(skipped.seconds) || 0).toFixed(1),
      time: clockText(skipped.lastAt, currentLanguage()),
    }) : '');
    p.skipped.hidden = !skipped;
    const now = Number(this.state && this.state.serverTime) || Date.now() * 1000;
    p.skipped.dataset.recent = String(!!skipped && now - Number(skipped.lastAt) < 60_000_000);
    setText(p.listeners, channel ? t('dashBoothListeners', { n: Number(channel.listeners) || 0 }) : '');

    const slow = this.alerts.slowDown(booth.booth);
    const help = this.alerts.helpFrom(booth.booth);
    setText(p.signal, help ? t('dashHelpShort') : slow ? t('dashSlowDownAgo', { seconds: this.alerts.secondsAgo(slow) }) : '');
    p.signal.hidden = !help && !slow;
    p.signal.dataset.kind = help ? 'help' : slow ? 'slow-down' : '';
    entry.card.classList.toggle('dash-booth-help', help);

    const key = people.map((x) => `${x.id}:${x.name}:${x.online}:${x.id === live}`).join('|');
    if (p.people.dataset.key !== key) {
      p.people.dataset.key = key;
      p.people.replaceChildren(...people.map((x) => el('li', { attrs: { 'data-online': String(x.online !== false), 'data-live': String(x.id === live) } },
        el('span', { className: 'dash-dot', attrs: { 'aria-hidden': 'true' } }),
        el('span', { text: x.name }),
        ' ',
        el('span', { className: 'muted', text: x.online === false ? t('dashOffline') : x.id === live ? t('dashLive') : t('dashOnline') }))));
      if (!people.length) p.people.append(el('li', { className: 'muted', text: t('dashNoInterpreters') }));
    }
  }

  machineText(machine, problem) {
    switch (machine) {
      case 'starting':
        return t('dashMachineStarting');
      case 'ready':
        return t('dashMachineReady');
      case 'failed':
        return problem ? t('dashMachineFailed', { problem }) : t('dashMachineFailedUnknown');
      default:
        return '';
    }
  }

  hearsText(booth) {
    const hears = booth.hears || null;
    const source = booth.source || { kind: 'floor' };
    const chose = source.kind === 'relay' && source.language ? t('dashSourceRelay', { language: languageName(source.language) }) : t('dashSourceFloor');
    if (!hears) return chose;
    let heard;
    const depth = Number(hears.depth) || 0;
    if (depth === 0 || hears.kind === 'floor') {
      heard = hears.language ? t('dashHearsFloorIn', { language: languageName(hears.language) }) : t('dashHearsFloor');
    } else {
      heard = t('dashHearsRelay', { language: languageName(hears.language || source.language), depth });
    }
    return `${chose} · ${heard}`;
  }

  // Chat.

  /** A `chat` message. Returns the booth it belongs to (or null). */
  receiveChat(message) {
    const from = message.from || {};
    const mine = from.id === 'organizer';
    let booth = message.booth || null;
    if (!booth && mine && message.to && message.to !== 'booth' && message.to !== 'organizer') booth = message.to;
    if (!booth && this.state) {
      const found = (this.state.booths || []).find((b) => (b.interpreters || []).some((x) => x.id === from.id));
      if (found) booth = found.booth;
    }
    if (!booth) return null;
    const list = this.chats.get(booth) || [];
    if (mine) {
      const pending = list.find((m) => m.mine && m.pending && m.text === message.text);
      if (pending) {
        pending.pending = false;
        pending.at = message.at || pending.at;
        this.redrawChats(booth);
        return booth;
      }
    }
    list.push({ who: mine ? t('dashChatYou') : from.name || from.id || '?', mine, text: String(message.text || ''), at: message.at || Date.now() * 1000, toBooth: message.to === 'booth' });
    if (list.length > CHAT_MAX) list.splice(0, list.length - CHAT_MAX);
    this.chats.set(booth, list);
    const entry = this.booths.get(booth);
    if (!mine && !(entry && document.activeElement === entry.parts.input)) this.unread.set(booth, (this.unread.get(booth) || 0) + 1);
    this.redrawChats(booth);
    return booth;
  }

  sendChat(booth) {
    const entry = this.booths.get(booth);
    if (!entry) return;
    const text = entry.parts.input.value.trim();
    if (!text) return;
    if (!this.send({ type: MessageType.chat, to: booth, text })) {
      setText(entry.parts.chatError, t('dashChatNotSent'));
      return;
    }
    setText(entry.parts.chatError, '');
    entry.parts.input.value = '';
    const list = this.chats.get(booth) || [];
    list.push({ who: t('dashChatYou'), mine: true, text, at: Date.now() * 1000, pending: true });
    this.chats.set(booth, list);
    this.redrawChats(booth);
  }

  markRead(booth) {
    if (!this.unread.get(booth)) return;
    this.unread.set(booth, 0);
    this.redrawChats(booth);
  }

  redrawChats(booth) {
    const entry = this.booths.get(booth);
    if (entry) this.drawChats(booth, entry);
  }

  drawChats(booth, entry) {
    const list = this.chats.get(booth) || [];
    const log = entry.parts.log;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.replaceChildren(...list.map((m) => el('li', { className: m.mine ? 'mine' : m.toBooth ? 'partners' : 'theirs', attrs: { 'data-pending': String(!!m.pending) } },
      el('span', { className: 'dash-chat-meta', text: `${clockText(m.at, currentLanguage())} ${m.who}${m.toBooth ? ` → ${t('dashChatToPartners')}` : ''}` }),
      el('span', { className: 'dash-chat-text', text: m.text }))));
    if (!list.length) log.append(el('li', { className: 'muted', text: t('dashChatEmpty') }));
    if (nearBottom || list.length && list[list.length - 1].mine) log.scrollTop = log.scrollHeight;
    const unread = this.unread.get(booth) || 0;
    setText(entry.parts.unread, unread ? t('dashChatUnread', { n: unread }) : '');
    entry.card.classList.toggle('dash-booth-unread', unread > 0);
  }
}
