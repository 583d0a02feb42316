// Live captions (`caption`, docs/protocol.md): the last lines in a fixed box, the current one replaced as it firms
// up. The box is no live region (a screen reader would read every partial): final lines go to a hidden polite one.

import { setText } from '../shared/dom.js';

export const CAPTION_SIZES = Object.freeze(['small', 'medium', 'large']);
export const KEEP_LINES = 3;

export class Captions {
  /**
   * box: the scrolling box; lines: where lines go; announce: the polite live region; empty: the placeholder.
   * The console and the dashboard have neither (a screen reader reading the floor aloud would be in the way).
   */
  constructor({ box, lines, announce = null, empty = null, keep = KEEP_LINES }) {
    Object.assign(this, { box, linesEl: lines, announce, empty, keep });
    this.lines = []; // [{ id, text, final, language, element }]
  }

  /** A `caption` message: replaces the line with its id (while not final), else adds one; an empty final withdraws it. */
  add(message) {
    const text = String(message.text || '').trim();
    const id = message.id === undefined || message.id === null ? `line-${this.lines.length}-${Date.now()}` : String(message.id);
    const final = message.final !== false;
    const language = message.language ? String(message.language) : '';
    let line = this.lines.find((l) => l.id === id);
    if (!text) {
      if (final && line && !line.final) this.drop(line);
      return;
    }
    if (line && line.final && final && line.text === text) return; // a repeated final: nothing new
    if (!line) {
      const element = document.createElement('p');
      element.className = 'caption-line';
      line = { id, text: '', final: false, language: '', element };
      this.lines.push(line);
      this.linesEl.append(element);
    }
    line.text = text;
    line.final = final;
    line.language = language;
    setText(line.element, text);
    line.element.dataset.final = String(final);
    if (language) line.element.lang = language;
    else line.element.removeAttribute('lang');
    while (this.lines.length > this.keep) this.lines.shift().element.remove();
    if (this.empty) this.empty.hidden = true;
    if (final) this.say(text, language);
    this.box.scrollTop = this.box.scrollHeight;
  }

  drop(line) {
    line.element.remove();
    this.lines = this.lines.filter((l) => l !== line);
    if (this.empty) this.empty.hidden = this.lines.length > 0;
  }

  /** Forgets every line (another channel, another meeting). */
  clear() {
    for (const line of this.lines) line.element.remove();
    this.lines = [];
    if (this.empty) this.empty.hidden = false;
    if (this.announce) setText(this.announce, '');
  }

  say(text, language) {
    if (!this.announce) return;
    if (language) this.announce.lang = language;
    else this.announce.removeAttribute('lang');
    setText(this.announce, text);
  }

  /** The lines shown, oldest first (the browser tests read them). */
  snapshot() {
    return this.lines.map(({ id, text, final, language }) => ({ id, text, final, language }));
  }
}
