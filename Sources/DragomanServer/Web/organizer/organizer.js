// The organizer's desk (/admin): the meetings of this server, and creating, editing, copying and deleting them,
// for the technician on the morning of a meeting (a laptop or a tablet). The organizer token comes from the form or
// from #token=… in the address and is remembered like the dashboard's (the same key: one token per browser).

import { $, el, setText } from '../shared/dom.js';
import { applyTranslations, bindLanguageSelect, detectLanguage, languageName, onLanguageChange, setLanguage, t } from '../shared/i18n.js';
import { load, save, takeTokenFromFragment } from '../shared/storage.js';
import { call, eventPath } from './organizer-api.js';
import { EventForm } from './event-form.js';
import { eventItem } from './event-list.js';
import { ownName } from './language-catalog.js';

const TOKEN_KEY = 'dragoman.organizer-token';

const desk = { token: null, view: null, events: [], form: null, highlight: null, drawn: null, issued: null };

function show(view) {
  desk.view = view;
  for (const name of ['token', 'list', 'form']) $(`${name}-view`).hidden = view !== name;
  document.title = `${t('orgTitle')} — Dragoman`;
}

function showToken(message = '') {
  show('token');
  setText($('token-error'), message);
  $('token').focus();
}

async function api(method, path, body) {
  const answer = await call(desk.token, method, path, body);
  if (answer.status === 401) {
    desk.token = null;
    save(TOKEN_KEY, null);
    showToken(t('dashErr.unauthorized'));
  }
  return answer;
}

// The list.

// The list refreshes itself while it is shown, so the floor and listeners it reports stay true.
const REFRESH_MS = 3000;
let refreshTimer = null;

/** The links just made, shown above the list until the technician is done with them. */
function drawIssued() {
  $('issued').hidden = !desk.issued;
  if (!desk.issued) return;
  setText($('issued-title'), t('orgIssuedTitle', { name: desk.issued.name }));
  $('issued-links').replaceChildren(...desk.issued.links.map(({ label, url }) =>
    el('li', {}, el('span', { text: `${label}: ` }), el('a', { attrs: { href: url, target: '_blank', rel: 'noopener' }, text: url }))));
}

async function showList() {
  show('list');
  drawIssued();
  desk.drawn = null;
  clearTimeout(refreshTimer);
  await loadList();
}

async function loadList() {
  if (desk.view !== 'list') return;
  const answer = await api('GET', '/api/events');
  if (!answer.ok) {
    if (answer.status !== 401) setText($('list-error'), answer.message);
    return;
  }
  setText($('list-error'), '');
  const events = (answer.body.events || []).slice().reverse(); // newest first
  desk.events = await Promise.all(events.map(async (event) => {
    const [live, people] = await Promise.all([api('GET', eventPath(event.code)), api('GET', `${eventPath(event.code)}/interpreters`)]);
    return { event, live: live.ok ? live.body : null, interpreters: people.ok ? people.body.interpreters || [] : [] };
  }));
  if (desk.view !== 'list') return;
  // Redraw only what changed: a refresh must not replace the button under the technician's finger.
  const key = JSON.stringify(desk.events);
  if (key !== desk.drawn) {
    desk.drawn = key;
    drawList();
  }
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadList, REFRESH_MS);
}

function drawList() {
  const actions = { copy: copyLink, edit: editEvent, template: copyAsTemplate, delete: confirmDelete, recordings: showRecordings };
  $('events').replaceChildren(...desk.events.map((entry) => eventItem(entry, actions)));
  $('events-empty').hidden = desk.events.length > 0;
  setText($('events-empty'), t('orgEmpty'));
  if (desk.highlight) {
    const item = $('events').querySelector(`[data-code="${desk.highlight}"]`);
    if (item) {
      item.classList.add('org-new');
      item.scrollIntoView({ block: 'nearest' });
    }
    desk.highlight = null;
  }
}

async function copyLink(event) {
  try {
    await navigator.clipboard.writeText(event.joinURL);
    setText($('list-status'), t('orgCopied', { link: event.joinURL }));
  } catch {
    // A plain-HTTP page may not use the clipboard: show the link to copy by hand.
    window.prompt(t('orgCopyByHand'), event.joinURL);
  }
}

/** Lists the meeting's recordings under it, each downloaded with the token (a plain link could not send it). */
async function showRecordings(event) {
  const box = $('events').querySelector(`[data-code="${event.code}"] .org-recordings`);
  const answer = await api('GET', `${eventPath(event.code)}/recordings`);
  if (!answer.ok) {
    setText($('list-error'), answer.message);
    return;
  }
  const files = answer.body.recordings || [];
  box.hidden = false;
  const record = el('a', { className: 'button', attrs: { href: `/record/${encodeURIComponent(event.code)}` }, text: t('recordOpen') });
  // A token that was not remembered goes along in the address, added only now so that it is never shown on hover.
  record.addEventListener('click', () => {
    if (load(TOKEN_KEY, null) !== desk.token) record.hash = `token=${encodeURIComponent(desk.token)}`;
  });
  box.replaceChildren(el('h3', { text: t('orgRecordings') }), ...(files.length ? [record] : []), files.length
    ? el('ul', {}, ...files.map((file) => {
      const button = el('button', { attrs: { type: 'button', 'data-file': file.file },
        text: t('orgRecordingFile', { channel: recordingName(file), minutes: (file.seconds / 60).toFixed(1), at: file.startedAt.replace('T', ' ').replace('Z', ' UTC') }) });
      button.addEventListener('click', () => download(event.code, file.file));
      return el('li', {}, button);
    }))
    : el('p', { className: 'hint', text: t('orgNoRecordings') }));
}

/** A recording as the organizer knows it: the floor, a language (as its listeners heard it), or a booth's microphone. */
function recordingName(file) {
  if (file.channel === 'floor') return t('floor');
  return file.track === 'booth' ? t('orgBoothMicrophone', { language: ownName(file.channel) }) : ownName(file.channel);
}

async function download(code, file) {
  let response;
  try {
    response = await fetch(`${eventPath(code)}/recordings/${encodeURIComponent(file)}`, { headers: { Authorization: `Bearer ${desk.token}` } });
  } catch {
    setText($('list-error'), t('err.network'));
    return;
  }
  if (!response.ok) {
    setText($('list-error'), `HTTP ${response.status}`);
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { attrs: { href: url, download: `${code}-${file}` } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function formStateOf(event, interpreters, mode) {
  return {
    mode,
    code: mode === 'edit' ? event.code : null,
    name: mode === 'edit' ? event.name : t('orgCopyName', { name: event.name }),
    languages: event.languages.map((code) => ({ code, machine: event.machine.includes(code) })),
    // The server keeps the PIN as a hash: an edit shows that there is one, and a copy starts without.
    pin: '',
    pinSet: mode === 'edit' && !!event.pinRequired,
    packetMs: event.packetMs || 20,
    recording: !!event.recording,
    confidential: !!event.confidential,
    namesInRecord: !!event.namesInRecord,
    glossary: (event.glossary || []).map((term) => ({ ...term })),
    // A template keeps the interpreters' names and booths; each gets a new key when the copy is saved.
    interpreters: interpreters.map((p) => (mode === 'edit' ? { ...p } : { name: p.name, booth: p.booth })),
  };
}

function openForm(state, live = null) {
  show('form');
  desk.form.open(state);
  setText($('form-title'), state.mode === 'edit' ? t('orgEditTitle', { name: state.name }) : t('orgNewTitle'));
  setText($('form-save'), state.mode === 'edit' ? t('orgSave') : t('orgCreate'));
  const listening = live ? live.listeners : 0;
  $('live-warning').hidden = !(state.mode === 'edit' && (listening > 0 || (live && live.live && live.live.floorLive)));
  setText($('live-warning'), t('orgLiveWarning', { count: listening }));
  setText($('form-error'), '');
  $('event-name').focus();
}

function editEvent(event, context) {
  openForm(formStateOf(event, context.interpreters, 'edit'), context);
}

function copyAsTemplate(event, context) {
  openForm(formStateOf(event, context.interpreters, 'create'));
}

function confirmDelete(event, context) {
  const dialog = $('delete-dialog');
  setText($('delete-title'), t('orgDeleteTitle', { name: event.name }));
  setText($('delete-text'), t('orgDeleteText', { interpreters: context.interpreters.length, listeners: context.listeners }));
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'delete') return;
    const answer = await api('DELETE', eventPath(event.code));
    if (!answer.ok) {
      setText($('list-error'), answer.message);
      return;
    }
    setText($('list-status'), t('orgDeleted', { name: event.name }));
    showList();
  };
  dialog.showModal();
}

// Saving.

async function save_() {
  const problem = desk.form.problem();
  if (problem) {
    setText($('form-error'), problem.message);
    if (problem.field) $(problem.field).focus();
    return;
  }
  const state = desk.form.state;
  $('form-save').disabled = true;
  try {
    const body = desk.form.request();
    const answer = state.mode === 'edit' ? await api('PATCH', eventPath(state.code), body) : await api('POST', '/api/events', body);
    if (!answer.ok) {
      setText($('form-error'), answer.message);
      return;
    }
    const code = answer.body.code;
    // Secrets the server will not show again: the floor link of a new meeting and new interpreters' console links.
    const issued = { name: answer.body.name, links: [] };
    if (answer.body.floorToken) {
      issued.links.push({ label: t('orgIssuedFloor'), url: `${answer.body.floorURL}#token=${encodeURIComponent(answer.body.floorToken)}` });
    }
    for (const id of state.removed) await api('DELETE', `${eventPath(code)}/interpreters/${encodeURIComponent(id)}`);
    for (const person of state.interpreters.filter((p) => !p.id)) {
      const added = await api('POST', `${eventPath(code)}/interpreters`, { name: person.name.trim(), booth: person.booth });
      if (!added.ok) {
        setText($('form-error'), added.message);
        return;
      }
      issued.links.push({
        label: t('orgIssuedConsole', { name: added.body.name, booth: languageName(added.body.booth) }),
        url: added.body.secureConsoleURL || added.body.consoleURL,
      });
    }
    desk.issued = issued.links.length ? issued : null;
    if (state.mode === 'create' && state.floorLanguage) {
      await api('POST', `${eventPath(code)}/floor-language`, { language: state.floorLanguage });
    }
    desk.highlight = code;
    showList();
  } finally {
    $('form-save').disabled = false;
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
  desk.token = token;
  save(TOKEN_KEY, $('remember-token').checked ? token : null);
  showList();
});
$('new-event').addEventListener('click', () => openForm(EventForm.empty()));
$('issued-done').addEventListener('click', () => {
  desk.issued = null;
  drawIssued();
  $('new-event').focus();
});
$('form-cancel').addEventListener('click', () => showList());
$('event-form').addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  save_();
});

await setLanguage(detectLanguage());
bindLanguageSelect($('ui-lang'));
applyTranslations(document);
desk.form = new EventForm();
onLanguageChange(() => {
  applyTranslations(document);
  if (desk.view === 'list') {
    drawList();
    drawIssued();
  }
  if (desk.view === 'form') desk.form.draw();
});

// Test hooks for the browser tests.
window.dragomanDesk = { state: () => ({ view: desk.view, events: desk.events.map((e) => e.event.code), form: desk.form.state }) };

const fromFragment = takeTokenFromFragment();
if (fromFragment) save(TOKEN_KEY, fromFragment);
desk.token = fromFragment || load(TOKEN_KEY, null);
if (desk.token) showList();
else showToken();
