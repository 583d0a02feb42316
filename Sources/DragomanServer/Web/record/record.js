// The record of a meeting (/record/{code}), for the organizer afterwards: what the floor said and every language's
// rendering of it side by side on the meeting's clock, with the trail of who or what carried each channel, and the
// recordings to play: the line being said is marked in every column, and choosing a line plays from there.
// The organizer token comes as on the desk: #token=… in the address (the desk's link), the remembered one, or the form.

import { $, el, setText } from '../shared/dom.js';
import { codeFromAddress } from '../shared/api.js';
import { applyTranslations, bindLanguageSelect, detectLanguage, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { load, save, takeTokenFromFragment } from '../shared/storage.js';
import { fetchAudio, fetchRecord } from './record-api.js';
import { channelOrder, recordItems } from './record-model.js';
import { alignRows, lineAt } from './alignment.js';
import { channelTitle, clockText, drawTable } from './record-table.js';
import { Playback } from './playback.js';

const TOKEN_KEY = 'dragoman.organizer-token'; // the desk's: one token per browser

const page = {
  code: codeFromAddress('record'), token: null, record: null, channels: [], items: [], lines: new Map(), rows: [],
  buttons: new Map(), shown: null, at: null, current: new Map(), audioLoaded: 0, status: null,
};
const playback = new Playback((at, recording) => mark(at, recording.channel));

/** Says how loading went, in words that follow a change of the page's language. */
function status(key, params = {}) {
  page.status = key ? { key, params } : null;
  setText($('record-status'), key ? t(key, params) : '');
}

function show(view) {
  $('token-view').hidden = view !== 'token';
  $('record-view').hidden = view !== 'record';
}

function showToken(message = '') {
  show('token');
  setText($('token-error'), message);
  $('token').focus();
}

async function open() {
  show('record');
  if (!page.code) {
    setText($('record-error'), t('recordNoCode'));
    return;
  }
  status('recordLoading');
  const record = await fetchRecord(page.token, page.code);
  if (!record.ok) {
    status(null);
    if (record.status === 401) {
      save(TOKEN_KEY, null);
      showToken(t('dashErr.unauthorized'));
    } else {
      setText($('record-error'), record.message);
    }
    return;
  }
  page.record = record;
  page.audioLoaded = 0;
  page.channels = channelOrder(record.recordings, record.event.languages || []);
  page.items = recordItems(record.recordings);
  page.rows = alignRows(page.items);
  page.lines = new Map(page.channels.map((channel) => [channel, page.items.filter((item) => item.kind === 'line' && item.channel === channel)]));
  page.shown = page.channels.includes(page.shown) ? page.shown : page.channels[0] || null;
  draw();
  await loadAudio();
}

/** Fetches every recording's audio (a few MB per channel and hour) and hands it to its <audio>. */
async function loadAudio() {
  const recordings = page.record.recordings;
  await Promise.all(recordings.map(async (recording) => {
    const url = await fetchAudio(page.token, page.code, recording.file);
    if (url) playback.audioFor(recording).src = url;
    else setText($('record-error'), t('recordAudioFailed', { channel: channelTitle(recording.channel) }));
    page.audioLoaded += url ? 1 : 0;
  }));
  status('recordReady', { count: page.audioLoaded });
}

function draw() {
  const { event, recordings } = page.record;
  document.title = `${t('recordTitle')}: ${event.name} — Dragoman`;
  const first = recordings.length ? Math.min(...recordings.map((r) => r.start)) : null;
  setText($('record-meta'), first === null ? event.name : t('recordMeta', {
    name: event.name, code: event.code, date: new Date(first * 1000).toLocaleDateString(), time: clockText(first),
  }));
  $('record-empty').hidden = recordings.length > 0;
  $('record-table').hidden = recordings.length === 0;
  drawPicker();
  drawPlayers();
  page.buttons = drawTable({
    head: $('record-head'), body: $('record-rows'), channels: page.channels, rows: page.rows,
    onLine: (item) => playback.seek(item.recording, item.offset),
  });
  page.current = new Map();
  showChannel(page.shown);
  if (page.at !== null) mark(page.at, null);
}

function drawPicker() {
  const picker = $('channel-picker');
  picker.replaceChildren(...page.channels.map((channel) => el('option', { attrs: { value: channel }, text: channelTitle(channel) })));
  picker.value = page.shown || '';
}

/** One player per recording, labelled by its channel (and its start, when a channel was recorded in pieces). */
function drawPlayers() {
  const recordings = page.channels.flatMap((channel) => page.record.recordings.filter((r) => r.channel === channel));
  $('players').replaceChildren(...recordings.map((recording) => {
    const pieces = page.record.recordings.filter((r) => r.channel === recording.channel).length;
    const label = pieces > 1 ? t('recordPiece', { channel: channelTitle(recording.channel), time: clockText(recording.start) }) : channelTitle(recording.channel);
    const id = `player-${recording.file.replace(/\W/g, '-')}`;
    const audio = playback.audioFor(recording);
    audio.setAttribute('aria-labelledby', id);
    return el('li', { className: 'record-player', attrs: { 'data-channel': recording.channel } },
      el('span', { className: 'record-player-label', attrs: { id }, text: label }), audio);
  }));
}

/** On a phone only the picked channel's column and players show (a wide screen shows them all). */
function showChannel(channel) {
  page.shown = channel;
  for (const node of document.querySelectorAll('#record-table [data-channel], #players [data-channel]')) {
    node.classList.toggle('record-shown', node.dataset.channel === channel);
  }
}

/** Marks, in every column, the line being said at `at`; the leading channel's one is scrolled into view. */
function mark(at, leadingChannel) {
  page.at = at;
  for (const channel of page.channels) {
    const line = lineAt(page.lines.get(channel) || [], at);
    const before = page.current.get(channel) || null;
    if (line === before) continue;
    if (before && page.buttons.has(before)) page.buttons.get(before).removeAttribute('aria-current');
    page.current.set(channel, line);
    const button = line && page.buttons.get(line);
    if (!button) continue;
    button.setAttribute('aria-current', 'true');
    if (channel === leadingChannel || (leadingChannel === null && channel === page.shown)) button.scrollIntoView({ block: 'nearest' });
  }
}

// Start.

$('token-form').addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    setText($('token-error'), t('dashTokenMissing'));
    return;
  }
  page.token = token;
  save(TOKEN_KEY, $('remember-token').checked ? token : null);
  open();
});
$('channel-picker').addEventListener('change', () => showChannel($('channel-picker').value));

await setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations(document);
document.title = `${t('recordTitle')} — Dragoman`;
onLanguageChange(() => {
  applyTranslations(document);
  if (page.status) status(page.status.key, page.status.params);
  if (page.record) draw();
});

// Test hooks for the browser tests.
window.dragomanRecord = {
  state: () => ({
    channels: page.channels,
    rows: page.rows.length,
    lines: page.items.filter((item) => item.kind === 'line').length,
    audioLoaded: page.audioLoaded,
    current: Object.fromEntries([...page.current].map(([channel, line]) => [channel, line ? line.at : null])),
    at: page.at,
  }),
};

// The desk's link brings the token in the address; it is used, not remembered (the desk remembers it if asked to).
page.token = takeTokenFromFragment() || load(TOKEN_KEY, null);
if (page.token) open();
else showToken();
