// Signals from the booths: `help` stays on screen, red and at the top, until someone acknowledges it
// (and sounds a short tone when it arrives); `slow-down` shows for the minute the server keeps it.

import { $, el, setText } from '../shared/dom.js';
import { clockText } from './format.js';
import { currentLanguage, languageName, t } from '../shared/i18n.js';
import { load, save } from '../shared/storage.js';

const SLOW_DOWN_SHOWN_US = 60_000_000;

export class Alerts {
  /** code: the event (acknowledgements are remembered per event); onChange(): redraw. */
  constructor(code, onChange) {
    this.code = code;
    this.onChange = onChange;
    this.storageKey = `dragoman.dashboard.acknowledged.${code}`;
    this.acknowledged = new Set(load(this.storageKey, []));
    this.help = new Map(); // key → signal, not yet acknowledged
    this.recent = new Map(); // key → slow-down signal seen now (until the next dashboard state has it)
    this.signals = []; // the last dashboard state's list
    this.serverTime = 0;
    this.drawn = new Map(); // key → banner element
    this.audio = null;
  }

  static key(signal) {
    return `${signal.kind}|${signal.booth}|${signal.at}`;
  }

  /** The `signals` of a dashboard state (the last 60 s) and its serverTime. */
  update(signals, serverTime) {
    this.signals = Array.isArray(signals) ? signals : [];
    this.serverTime = Number(serverTime) || Date.now() * 1000;
    for (const signal of this.signals) this.note(signal, { fresh: false });
    for (const key of [...this.recent.keys()]) {
      if (this.signals.some((s) => Alerts.key(s) === key)) this.recent.delete(key);
    }
    this.render();
  }

  /** A `signal` message that arrived on its own, at once. */
  receive(signal) {
    this.note(signal, { fresh: true });
    if (signal.kind !== 'help') this.recent.set(Alerts.key(signal), signal);
    this.render();
    if (this.onChange) this.onChange();
  }

  note(signal, { fresh }) {
    if (!signal || signal.kind !== 'help') return;
    const key = Alerts.key(signal);
    if (this.acknowledged.has(key) || this.help.has(key)) return;
    this.help.set(key, signal);
    if (fresh || this.serverTime - Number(signal.at) < 5_000_000) this.tone();
  }

  acknowledge(key) {
    this.help.delete(key);
    this.acknowledged.add(key);
    save(this.storageKey, [...this.acknowledged].slice(-100));
    this.render();
    if (this.onChange) this.onChange();
  }

  /** Unacknowledged help signals, oldest first. */
  pendingHelp() {
    return [...this.help.entries()].sort((a, b) => Number(a[1].at) - Number(b[1].at));
  }

  /** Whether `booth` has asked for help (unacknowledged). */
  helpFrom(booth) {
    return [...this.help.values()].some((s) => s.booth === booth);
  }

  /** The newest slow-down of `booth` within the last minute, or null. */
  slowDown(booth) {
    const all = [...this.signals, ...this.recent.values()].filter((s) => s.kind === 'slow-down' && s.booth === booth);
    all.sort((a, b) => Number(b.at) - Number(a.at));
    const newest = all[0];
    if (!newest || this.serverTime - Number(newest.at) > SLOW_DOWN_SHOWN_US) return null;
    return newest;
  }

  secondsAgo(signal) {
    return Math.max(0, Math.round((this.serverTime - Number(signal.at)) / 1_000_000));
  }

  render() {
    const list = $('help-alerts');
    const pending = this.pendingHelp();
    const keys = new Set(pending.map(([key]) => key));
    for (const [key, banner] of this.drawn) {
      if (!keys.has(key)) {
        banner.remove();
        this.drawn.delete(key);
      }
    }
    for (const [key, signal] of pending) {
      let banner = this.drawn.get(key);
      if (!banner) {
        const button = el('button', { className: 'dash-ack', attrs: { type: 'button' } });
        button.addEventListener('click', () => this.acknowledge(key));
        banner = el('div', { className: 'dash-help', attrs: { role: 'alert', 'data-booth': signal.booth } },
          el('p', { className: 'dash-help-title' }),
          el('p', { className: 'dash-help-time' }),
          button);
        this.drawn.set(key, banner);
        list.append(banner);
      }
      const [title, time, button] = banner.children;
      setText(title, t('dashHelp', { booth: languageName(signal.booth) }));
      const who = signal.from && signal.from.name ? `${signal.from.name} · ` : '';
      setText(time, who + t('dashHelpAt', { time: clockText(signal.at, currentLanguage()), seconds: this.secondsAgo(signal) }));
      setText(button, t('dashHelpAck'));
    }
    document.body.classList.toggle('dash-needs-help', pending.length > 0);

    const slow = $('slowdowns');
    const booths = [...new Set([...this.signals, ...this.recent.values()].filter((s) => s.kind === 'slow-down').map((s) => s.booth))];
    const lines = booths.map((booth) => [booth, this.slowDown(booth)]).filter(([, s]) => s);
    const text = lines.map(([booth, s]) => t('dashSlowDownFrom', { booth: languageName(booth), seconds: this.secondsAgo(s) }));
    if (slow.childElementCount !== text.length) slow.replaceChildren(...text.map(() => el('p', { className: 'dash-slowdown' })));
    text.forEach((line, i) => setText(slow.children[i], line));
  }

  /** Two short beeps, where the browser lets the page play sound (the organizer has clicked on it). */
  tone() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      if (!this.audio) this.audio = new Context();
      const ctx = this.audio;
      if (ctx.state === 'suspended') ctx.resume().catch(() => {});
      const start = ctx.currentTime + 0.02;
      for (const offset of [0, 0.25]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0, start + offset);
        gain.gain.linearRampToValueAtTime(0.2, start + offset + 0.01);
        gain.gain.setValueAtTime(0.2, start + offset + 0.15);
        gain.gain.linearRampToValueAtTime(0, start + offset + 0.17);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start + offset);
        osc.stop(start + offset + 0.2);
      }
    } catch {
      // No sound: the banner is there.
    }
  }
}
