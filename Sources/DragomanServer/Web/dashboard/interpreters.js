// Interpreters and their keys: list, add and delete through GET/POST/DELETE /api/events/{code}/interpreters
// (organizer token), each with the link that opens their booth console. The server keeps only a hash of each
// key, so a link is shown in the page that made it (on adding, or with "New link", which retires the old one).

import { $, el, setText } from '../shared/dom.js';
import { capitalize, languageName, t } from '../shared/i18n.js';

export class Interpreters {
  /** token(): the organizer token; onUnauthorized(): the token was refused; onChange(): the list changed. */
  constructor({ code, token, onUnauthorized, onChange = null }) {
    Object.assign(this, { code, token, onUnauthorized, onChange });
    this.list = [];
    this.loaded = false;
    this.languages = [];
    this.status = new Map(); // id → 'live' | 'online' | 'offline'
    this.issued = new Map(); // id → { key, consoleURL, secureConsoleURL }: made in this page, shown until it closes
    $('add-interpreter').addEventListener('submit', (event) => {
      event.preventDefault();
      this.add();
    });
  }

  get base() {
    return `/api/events/${encodeURIComponent(this.code)}/interpreters`;
  }

  /** fetch with the organizer token; { ok, status, body, message }. */
  async call(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${this.token()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (error) {
      return { ok: false, status: 0, message: t('err.network') };
    }
    let json = null;
    if (response.status !== 204) json = await response.json().catch(() => null);
    if (response.status === 401 && this.onUnauthorized) this.onUnauthorized();
    const error = json && json.error;
    return { ok: response.ok, status: response.status, body: json, message: error ? error.message || error.code : `HTTP ${response.status}` };
  }

  async refresh() {
    const answer = await this.call('GET', this.base);
    if (!answer.ok) {
      setText($('interpreters-error'), answer.message);
      return;
    }
    setText($('interpreters-error'), '');
    this.list = (answer.body && answer.body.interpreters) || [];
    this.loaded = true;
    this.render();
    if (this.onChange) this.onChange();
  }

  async add() {
    const name = $('new-name').value.trim();
    const booth = $('new-booth').value;
    if (!name) {
      setText($('interpreters-error'), t('dashNameMissing'));
      $('new-name').focus();
      return;
    }
    $('new-submit').disabled = true;
    const answer = await this.call('POST', this.base, { name, booth });
    $('new-submit').disabled = false;
    if (!answer.ok) {
      setText($('interpreters-error'), answer.message);
      return;
    }
    setText($('interpreters-error'), '');
    if (answer.body && answer.body.id) this.issued.set(answer.body.id, answer.body);
    $('new-name').value = '';
    $('new-name').focus();
    await this.refresh();
  }

  /** A new key for `person`: their old link stops working and a console open with it closes. */
  async renew(person) {
    if (!window.confirm(t('dashNewKeyConfirm', { name: person.name }))) return;
    const answer = await this.call('POST', `${this.base}/${encodeURIComponent(person.id)}/key`);
    if (!answer.ok) {
      setText($('interpreters-error'), answer.message);
      return;
    }
    setText($('interpreters-error'), '');
    this.issued.set(person.id, answer.body);
    this.render();
    const link = document.querySelector(`#interpreters-body tr[data-id="${CSS.escape(person.id)}"] .dash-console-link`);
    if (link) link.focus();
  }

  async remove(person) {
    if (!window.confirm(t('dashDeleteConfirm', { name: person.name }))) return;
    const answer = await this.call('DELETE', `${this.base}/${encodeURIComponent(person.id)}`);
    if (!answer.ok && answer.status !== 404) {
      setText($('interpreters-error'), answer.message);
      return;
    }
    await this.refresh();
  }

  /** The event's languages (the booths one can add to). */
  setLanguages(languages) {
    const key = languages.join(',');
    if (this.languages.join(',') === key && $('new-booth').childElementCount === languages.length) return;
    this.languages = [...languages];
    const select = $('new-booth');
    const chosen = select.value;
    select.replaceChildren(...languages.map((language) => el('option', { attrs: { value: language }, text: capitalize(languageName(language)) })));
    if (languages.includes(chosen)) select.value = chosen;
  }

  /** Online state from the dashboard's booths: ids that changed redraw the table. */
  setStatus(booths) {
    const status = new Map();
    for (const booth of booths || []) {
      for (const person of booth.interpreters || []) {
        status.set(person.id, person.id === booth.live ? 'live' : person.online === false ? 'offline' : 'online');
      }
    }
    const before = [...this.status].join();
    this.status = status;
    if ([...status].join() !== before) this.render();
    // Someone else (another dashboard, the API) added or removed an interpreter: fetch the list again.
    const ids = [...status.keys()].sort().join();
    if (this.loaded && this.seenIds !== undefined && ids !== this.seenIds) {
      const known = new Set(this.list.map((x) => x.id));
      if ([...status.keys()].some((id) => !known.has(id)) || this.list.some((x) => !status.has(x.id))) this.refresh();
    }
    this.seenIds = ids;
  }

  relabel() {
    const languages = this.languages;
    this.languages = [];
    this.setLanguages(languages);
    this.render();
  }

  render() {
    const body = $('interpreters-body');
    $('interpreters-empty').hidden = !this.loaded || this.list.length > 0;
    body.replaceChildren(...this.list.map((person) => {
      const status = this.status.get(person.id) || 'offline';
      const issued = this.issued.get(person.id);
      const renew = el('button', { className: 'dash-small', attrs: { type: 'button', 'aria-label': t('dashNewKeyNamed', { name: person.name }) }, text: t('dashNewKey') });
      renew.addEventListener('click', () => this.renew(person));
      const remove = el('button', { className: 'dash-small dash-danger', attrs: { type: 'button', 'aria-label': t('dashDeleteNamed', { name: person.name }) }, text: t('dashDelete') });
      remove.addEventListener('click', () => this.remove(person));
      let console;
      const actions = [renew, remove];
      if (issued) {
        // The console needs the microphone, which browsers give only to secure pages: the HTTPS link when there is one.
        const url = issued.secureConsoleURL || issued.consoleURL;
        const link = el('a', { className: 'dash-console-link', attrs: { href: url, target: '_blank', rel: 'noopener' }, text: url });
        const copy = el('button', { className: 'dash-small', attrs: { type: 'button' }, text: t('dashCopy') });
        copy.addEventListener('click', () => this.copy(url, copy));
        actions.unshift(copy);
        console = el('td', { className: 'dash-console' }, link, el('span', { className: 'dash-key', text: t('dashKey', { key: issued.key }) }),
          el('span', { className: 'hint', text: t('dashShownOnce') }));
      } else {
        console = el('td', { className: 'dash-console hint', text: t('dashKeyHidden') });
      }
      return el('tr', { attrs: { 'data-id': person.id, 'data-booth': person.booth } },
        el('th', { attrs: { scope: 'row' }, text: person.name }),
        el('td', { text: capitalize(languageName(person.booth)) }),
        el('td', { className: `dash-status dash-status-${status}`, text: t(`dashStatus.${status}`) }),
        console,
        el('td', { className: 'dash-actions' }, ...actions));
    }));
  }

  async copy(text, button) {
    let done = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        done = true;
      }
    } catch {
      done = false;
    }
    if (!done) {
      // Plain http on the venue network: no Clipboard API, the old way still works.
      const area = el('textarea', { className: 'visually-hidden', attrs: { readonly: true } });
      area.value = text;
      document.body.append(area);
      area.select();
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
      area.remove();
    }
    button.textContent = done ? t('dashCopied') : t('dashCopyFailed');
    setTimeout(() => { button.textContent = t('dashCopy'); }, 2000);
  }
}
