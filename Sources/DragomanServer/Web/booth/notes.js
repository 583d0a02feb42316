// The floor's transcript on the console (`caption` messages with "channel": "floor", sent when the event has
// machine booths): the boothmate strip, which writes down the numbers, dates, names and terms of each final line
// (boothmate.js), and the transcript itself, shown only when the interpreter asks for it (remembered). The panel
// appears with the first line, so that a console of an event without machine booths looks as before.
//
// The console fills a 1280×800 screen already: the strip shows as many notes as fit between its top and the
// bottom of the window (at least two, or one beside the transcript), so that it never needs scrolling and never
// pushes anything off screen.
//
// Nothing here takes the focus or a key: the strip is text, and the toggle keeps the focus where it was, so that
// the console's shortcuts (keys.js) go on working after a click on it.

import { Captions } from '../listener/captions.js';
import { $, el, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { load, save } from '../shared/storage.js';
import { extractNotes, mergeNotes } from './boothmate.js';

const KEEP_NOTES = 6;
// At least this many notes on screen even when they do not all fit; one beside the transcript.
const MIN_ROWS = 2;
const TRANSCRIPT_LINES = 3;
const FRESH_MS = 4000; // a new note stands out this long
const STORAGE_KEY = 'dragoman.booth-transcript';
const narrow = window.matchMedia('(max-width: 60rem)'); // one column (booth.css): the page scrolls anyway

const notes = {
  list: [], // [{ kind, text, at }], newest first
  terms: [], // the event's glossary terms (booth-welcome), which the strip writes down too
  seen: false, // whether a floor caption came at all (the panel shows from then on)
  transcriptOn: load(STORAGE_KEY, false) === true,
};

const transcript = new Captions({ box: $('transcript'), lines: $('transcript-lines'), keep: TRANSCRIPT_LINES });

/** The event's glossary, from `booth-welcome`: every rendering of every term. */
export function setGlossary(terms) {
  notes.terms = Array.isArray(terms) ? terms.filter((term) => typeof term === 'string' && term.trim()) : [];
}

/** A `caption` message: the floor's lines feed the transcript, their final versions the strip. */
export function onCaption(message) {
  if (message.channel !== 'floor') return;
  const text = String(message.text || '').trim();
  if (!text) return;
  notes.seen = true;
  transcript.add(message);
  if (message.final !== false) {
    const fresh = extractNotes(text, { terms: notes.terms });
    if (fresh.length) notes.list = mergeNotes(notes.list, fresh, Date.now(), KEEP_NOTES);
  }
  renderNotes();
}

function ageText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 5) return t('booth.noteNow');
  if (s < 60) return t('booth.noteSeconds', { n: s });
  return t('booth.noteMinutes', { n: Math.floor(s / 60) });
}

/** Draws the strip, the toggle and the transcript; the ages are redrawn every second. */
export function renderNotes() {
  $('floor-notes').hidden = !notes.seen;
  $('transcript-toggle').setAttribute('aria-pressed', String(notes.transcriptOn));
  $('transcript').hidden = !notes.transcriptOn;
  $('notes-empty').hidden = notes.list.length > 0;

  const list = $('notes');
  const now = Date.now();
  const key = JSON.stringify(notes.list.map((n) => [n.kind, n.text, n.at]));
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    // A long note (a full name) gets a smaller size rather than an ellipsis where the surname was.
    list.replaceChildren(...notes.list.map((note) => el('li', { className: 'note', attrs: { 'data-kind': note.kind, 'data-long': note.text.length > 16 } },
      el('span', { className: 'note-text', text: note.text }), el('span', { className: 'note-age' }))));
  }
  notes.list.forEach((note, i) => {
    const item = list.children[i];
    item.dataset.fresh = String(now - note.at < FRESH_MS);
    setText(item.lastChild, ageText(now - note.at));
    item.title = t(`booth.noteKind.${note.kind}`);
  });
  fitNotes();
}

/**
 * Cuts the list to the rows that fit above the window's bottom edge (the oldest notes go first); beside the
 * transcript, the transcript too loses a line when even one note would not fit otherwise.
 */
function fitNotes() {
  const list = $('notes');
  const transcriptBox = $('transcript');
  transcriptBox.dataset.short = 'false';
  if ($('floor-notes').hidden || narrow.matches || !list.firstElementChild) {
    list.style.maxHeight = '';
    return;
  }
  const row = list.firstElementChild.offsetHeight;
  const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
  const panel = $('floor-notes');
  const top = list.getBoundingClientRect().top + window.scrollY;
  // Below the list: the transcript, when shown, and the panel's padding and border.
  const room = () => window.innerHeight - top - (panel.getBoundingClientRect().bottom - list.getBoundingClientRect().bottom) - 2;
  list.style.maxHeight = `${row}px`;
  let fit = Math.floor((room() + gap) / (row + gap));
  if (notes.transcriptOn && fit < 1) {
    transcriptBox.dataset.short = 'true';
    fit = Math.floor((room() + gap) / (row + gap));
  }
  const rows = Math.max(notes.transcriptOn ? 1 : MIN_ROWS, fit);
  list.style.maxHeight = `${rows * row + (rows - 1) * gap}px`;
}
window.addEventListener('resize', fitNotes);

function toggleTranscript() {
  notes.transcriptOn = !notes.transcriptOn;
  save(STORAGE_KEY, notes.transcriptOn);
  renderNotes();
}

const toggle = $('transcript-toggle');
// A click must not move the focus onto the toggle (Space would then toggle it, and the focus is the console's).
toggle.addEventListener('mousedown', (event) => event.preventDefault());
toggle.addEventListener('click', toggleTranscript);
setInterval(renderNotes, 1000);

/** What the strip and the transcript show (the browser tests read it). */
export function notesSnapshot() {
  return {
    shown: !$('floor-notes').hidden,
    notes: notes.list.map(({ kind, text }) => ({ kind, text })),
    shownNotes: [...$('notes').children].map((li) => li.firstChild.textContent),
    transcriptOn: notes.transcriptOn,
    transcriptShown: !$('transcript').hidden,
    transcript: transcript.snapshot(),
  };
}
