// The side-by-side table: a header per channel (the floor, then each language in its own name), one row per
// moment with its local time, the lines as buttons that seek, and the trail's notes in small italics.

import { el } from '../shared/dom.js';
import { capitalize, currentLanguage, languageName, t } from '../shared/i18n.js';
import { carryingText } from '../shared/carrying-text.js';
import { normalizeCarrying } from '../shared/api.js';
import { ownName } from '../organizer/language-catalog.js';

/** The channel's heading: "Floor" in the page's language, a language in its own name ("Қазақша"). */
export function channelTitle(channel) {
  return channel === 'floor' ? t('floor') : ownName(channel);
}

/** HH:MM:SS in the local time of this computer. */
export function clockText(at) {
  return new Date(at * 1000).toLocaleTimeString(currentLanguage(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

/** A trail note in words: who or what carried the channel from then on, or the floor's change of language. */
export function noteText(item) {
  const message = item.message;
  if (message.type === 'alert') return t('recordFloorLanguage', { language: capitalize(languageName(message.floorLanguage)) });
  return carryingText(normalizeCarrying(message), item.channel);
}

/**
 * Fills the table's head and body; `onLine(item)` is called when a line is chosen. Returns the line buttons by
 * item (to mark the current ones).
 */
export function drawTable({ head, body, channels, rows, onLine }) {
  head.replaceChildren(
    el('th', { className: 'record-time', attrs: { scope: 'col' }, text: t('recordTime') }),
    ...channels.map((channel) => el('th', { attrs: { scope: 'col', 'data-channel': channel, lang: channel === 'floor' ? null : channel }, text: channelTitle(channel) })),
  );
  const buttons = new Map();
  body.replaceChildren(...rows.map((row) => el('tr', { className: row.kind === 'note' ? 'record-trail-row' : '' },
    el('th', { className: 'record-time', attrs: { scope: 'row' }, text: clockText(row.at) }),
    ...channels.map((channel) => el('td', { attrs: { 'data-channel': channel } }, ...(row.cells.get(channel) || []).map((item) => {
      if (item.kind === 'note') return el('p', { className: 'record-trail', text: noteText(item) });
      const button = el('button', {
        className: 'record-line',
        attrs: { type: 'button', lang: item.language, 'data-at': item.at.toFixed(2) },
      }, el('span', { className: 'record-line-text', text: item.text }));
      button.addEventListener('click', () => onLine(item));
      buttons.set(item, button);
      return button;
    }))))));
  return buttons;
}
