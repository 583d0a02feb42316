// Place cards: one card per channel with the channel's language (written in that language), its join link and
// its QR code (GET /api/events/{code}/qr.svg?channel=ru), laid out for printing (dashboard.css, @media print).
// A card speaks its own channel's language where the pages know it (en, ru, kk), else the page's language.

import { $, el } from '../shared/dom.js';
import { autonym } from './format.js';
import { currentLanguage, loadLanguage, t, translate } from '../shared/i18n.js';

const CARD_LANGUAGES = new Set(['en', 'ru', 'kk']);
// A card speaks its channel's language: the organizer's page loads every table (the listener's only its own).
await Promise.all([...CARD_LANGUAGES].map(loadLanguage));

/**
 * The join link of a channel, as its QR code has it: with ?channel= always (the floor's too, or a phone would
 * open the channel of its own language instead).
 */
function joinURL(event, channel) {
  if (channel.joinURL && /[?&]channel=/.test(channel.joinURL)) return channel.joinURL;
  const base = (channel.joinURL || event.joinURL || `${window.location.origin}/j/${event.code}`).split('?')[0];
  return `${base}?channel=${encodeURIComponent(channel.id)}`;
}

/**
 * Draws the cards of `event` ({ code, name, joinURL }) for `channels` ([{ id, joinURL }], the floor included)
 * into #cards. pin: printed when given.
 */
export function renderCards(event, channels, { pin = null } = {}) {
  const cards = channels.map((channel) => {
    const id = channel.id;
    const isFloor = id === 'floor';
    const lang = !isFloor && CARD_LANGUAGES.has(id) ? id : currentLanguage();
    const say = (key, params) => translate(lang, key, params);
    const url = joinURL(event, channel);
    const qr = `/api/events/${encodeURIComponent(event.code)}/qr.svg?channel=${encodeURIComponent(id)}`;
    return el('article', { className: 'place-card', attrs: { 'data-channel': id, lang } },
      el('div', { className: 'place-card-text' },
        el('p', { className: 'place-card-language', text: isFloor ? t('floor') : autonym(id) }),
        el('p', { className: 'place-card-listen', text: isFloor ? say('cardFloor') : say('cardListen') }),
        el('p', { className: 'place-card-steps', text: say('cardSteps') }),
        el('p', { className: 'place-card-url', text: url }),
        el('p', { className: 'place-card-code' },
          say('meetingCode', { code: event.code }),
          pin ? ` · ${say('cardPin', { pin })}` : null),
        el('p', { className: 'place-card-event', text: event.name || '' })),
      el('img', { className: 'place-card-qr', attrs: { src: qr, alt: say('cardQrAlt', { url }), width: 240, height: 240 } }));
  });
  $('cards').replaceChildren(...cards);
}
