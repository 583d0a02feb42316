// Small helpers of the organizer dashboard: meters, numbers and names.

import { el } from '../shared/dom.js';
import { capitalize, languageName } from '../shared/i18n.js';

const METER_FLOOR_DB = -60;

/** A level in dBFS (−120 = silence) as the covered share of a −60…0 dBFS meter, in %. */
export function meterCover(db) {
  const value = Number(db);
  if (!Number.isFinite(value) || value <= METER_FLOOR_DB) return 100;
  return Math.max(0, Math.min(100, (value / METER_FLOOR_DB) * 100));
}

/** "−18.5 dBFS", or "silent" (the caller's word) below −60. */
export function dbText(db, silentWord) {
  const value = Number(db);
  if (!Number.isFinite(value) || value <= -90) return silentWord;
  return `${value.toFixed(1).replace('-', '−')} dBFS`;
}

/** A meter element pair: a gradient bar whose right part a cover hides; update with setMeter. */
export function meterElement(className = '') {
  const cover = el('div', { className: 'dash-meter-cover' });
  const bar = el('div', { className: `dash-meter ${className}`.trim(), attrs: { 'aria-hidden': 'true' } }, cover);
  return bar;
}

export function setMeter(bar, db) {
  const cover = bar.firstElementChild;
  const width = `${meterCover(db).toFixed(1)}%`;
  if (cover.style.width !== width) cover.style.width = width;
}

/** Milliseconds with one decimal below 10, whole above ("0.4", "12"). */
export function msText(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return '–';
  return n < 10 ? n.toFixed(1) : String(Math.round(n));
}

/** Clock time of a server time in µs since the epoch, in the page's language. */
export function clockText(atUs, lang) {
  const date = new Date(Number(atUs) / 1000);
  try {
    return date.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    return date.toISOString().slice(11, 19);
  }
}

/** A language's name written in that language ("Русский", "Қазақ тілі", "English"), for place cards. */
export function autonym(tag) {
  const lower = String(tag || '').toLowerCase();
  try {
    if (typeof Intl !== 'undefined' && typeof Intl.DisplayNames === 'function' && Intl.DisplayNames.supportedLocalesOf([lower]).length) {
      const name = new Intl.DisplayNames([lower], { type: 'language', fallback: 'none' }).of(lower);
      if (name) return name.charAt(0).toLocaleUpperCase(lower) + name.slice(1);
    }
  } catch {
    // Fall back to the page's own names.
  }
  return capitalize(languageName(lower, ['en', 'ru', 'kk'].includes(lower) ? lower : 'en'));
}
