// Creating and editing a meeting: its name, languages (picked from a searchable list, each in its own script and in
// the page language), a machine booth per language, the language the speaker starts in, a PIN with a strength
// hint, the interpreters with their booths, and the glossary (a term per row, a column per language).
//
// The form keeps its own state (`EventForm.state`) and draws from it; `request()` turns it into the API's body.

import { $, el, setText } from '../shared/dom.js';
import { capitalize, languageName, t } from '../shared/i18n.js';
import { ownName, searchLanguages } from './language-catalog.js';
import { pinStrength } from './pin-strength.js';

export class EventForm {
  constructor() {
    this.state = EventForm.empty();
    $('language-search').addEventListener('input', () => this.drawOptions());
    $('language-search').addEventListener('keydown', (key) => {
      if (key.key !== 'Enter') return;
      key.preventDefault();
      const first = $('language-options').querySelector('button');
      if (first) first.click();
    });
    $('event-pin').addEventListener('input', () => {
      this.state.pin = $('event-pin').value.trim();
      this.drawPinHint();
    });
    $('event-packet').addEventListener('change', () => {
      this.state.packetMs = Number($('event-packet').value) || 20;
    });
    $('event-pin-remove').addEventListener('change', () => {
      this.state.removePin = $('event-pin-remove').checked;
      this.drawPinHint();
    });
    $('event-name').addEventListener('input', () => {
      this.state.name = $('event-name').value;
    });
    $('event-recording').addEventListener('change', () => {
      this.state.recording = $('event-recording').checked;
      this.drawPrivacy();
    });
    // A confidential meeting is never recorded: ticking it unticks and locks "Record every channel" (the server refuses both).
    $('event-confidential').addEventListener('change', () => {
      this.state.confidential = $('event-confidential').checked;
      if (this.state.confidential) this.state.recording = false;
      this.drawPrivacy();
    });
    $('event-names-in-record').addEventListener('change', () => {
      this.state.namesInRecord = $('event-names-in-record').checked;
    });
    $('floor-language').addEventListener('change', () => {
      this.state.floorLanguage = $('floor-language').value || null;
    });
    $('add-interpreter').addEventListener('click', () => {
      this.state.interpreters.push({ name: '', booth: this.state.languages[0] ? this.state.languages[0].code : '' });
      this.drawInterpreters();
      const inputs = $('interpreter-rows').querySelectorAll('input');
      if (inputs.length) inputs[inputs.length - 1].focus();
    });
    $('add-term').addEventListener('click', () => {
      this.state.glossary.push({});
      this.drawGlossary();
      const rows = $('glossary-rows').querySelectorAll('tr');
      const last = rows[rows.length - 1];
      if (last && last.querySelector('input')) last.querySelector('input').focus();
    });
  }

  static empty() {
    return {
      mode: 'create', code: null, name: '', languages: [], floorLanguage: null, pin: '', pinSet: false, removePin: false, packetMs: 20, recording: false, confidential: false, namesInRecord: false, interpreters: [], glossary: [], removed: [],
    };
  }

  /** Fills the form: a new meeting, an existing one to edit, or a copy of one (a template). */
  open(state) {
    this.state = { ...EventForm.empty(), ...state };
    $('event-name').value = this.state.name;
    $('event-pin').value = this.state.pin || '';
    $('event-pin-remove').checked = !!this.state.removePin;
    $('event-packet').value = String(this.state.packetMs || 20);
    $('language-search').value = '';
    $('floor-language').closest('.field').hidden = this.state.mode === 'edit';
    this.draw();
  }

  draw() {
    this.drawLanguages();
    this.drawOptions();
    this.drawFloorLanguage();
    this.drawPinHint();
    this.drawInterpreters();
    this.drawGlossary();
    this.drawPrivacy();
  }

  /** Confidential, recording, and names in the record: recording is off and locked while confidential. */
  drawPrivacy() {
    $('event-confidential').checked = !!this.state.confidential;
    $('event-recording').checked = !!this.state.recording && !this.state.confidential;
    $('event-recording').disabled = !!this.state.confidential;
    $('event-names-in-record').checked = !!this.state.namesInRecord;
    $('names-in-record-field').hidden = !$('event-recording').checked;
  }

  addLanguage(code) {
    if (this.state.languages.some((l) => l.code === code) || this.state.languages.length >= 16) return;
    this.state.languages.push({ code, machine: false });
    $('language-search').value = '';
    this.draw();
    $('language-search').focus();
  }

  removeLanguage(code) {
    this.state.languages = this.state.languages.filter((l) => l.code !== code);
    if (this.state.floorLanguage === code) this.state.floorLanguage = null;
    this.draw();
  }

  drawLanguages() {
    const items = this.state.languages.map((language, index) => {
      const machine = el('input', { attrs: { type: 'checkbox', id: `machine-${language.code}` } });
      machine.checked = language.machine;
      machine.addEventListener('change', () => {
        language.machine = machine.checked;
      });
      const remove = el('button', {
        attrs: { type: 'button', 'aria-label': t('orgRemoveLanguage', { language: languageName(language.code) }) },
        className: 'org-remove',
        text: '✕',
      });
      remove.addEventListener('click', () => this.removeLanguage(language.code));
      return el('li', { className: 'org-chosen-item', attrs: { 'data-language': language.code } },
        el('span', { className: 'org-own', text: ownName(language.code) }),
        el('span', { className: 'hint', text: ` ${capitalize(languageName(language.code))} · ${language.code} · ${t('orgChannelNumber', { n: index + 1 })}` }),
        el('label', { className: 'check org-machine', attrs: { for: `machine-${language.code}` } }, machine, el('span', { text: t('orgMachine') })),
        remove);
    });
    $('chosen-languages').replaceChildren(...items);
  }

  drawOptions() {
    const chosen = new Set(this.state.languages.map((l) => l.code));
    const found = searchLanguages($('language-search').value, (code) => languageName(code)).filter((l) => !chosen.has(l.code)).slice(0, 12);
    $('language-options').replaceChildren(...found.map(({ code, own }) => {
      const button = el('button', { attrs: { type: 'button', 'data-language': code } },
        el('span', { className: 'org-own', text: own }), el('span', { className: 'hint', text: ` ${capitalize(languageName(code))} · ${code}` }));
      button.addEventListener('click', () => this.addLanguage(code));
      return el('li', {}, button);
    }));
  }

  drawFloorLanguage() {
    const select = $('floor-language');
    const options = [el('option', { attrs: { value: '' }, text: t('orgFloorUnknown') })].concat(this.state.languages.map(({ code }) =>
      el('option', { attrs: { value: code, selected: this.state.floorLanguage === code }, text: `${ownName(code)} (${languageName(code)})` })));
    select.replaceChildren(...options);
    select.value = this.state.floorLanguage || '';
  }

  drawPinHint() {
    // An edited meeting's PIN is kept as a hash: the field stays empty until a new PIN is typed.
    const keeping = this.state.mode === 'edit' && this.state.pinSet;
    $('pin-remove-field').hidden = !keeping;
    $('event-pin').disabled = keeping && this.state.removePin;
    const removing = keeping && this.state.removePin;
    const strength = removing ? 'none' : keeping && !this.state.pin ? 'kept' : pinStrength(this.state.pin);
    setText($('pin-hint'), t(`orgPin.${strength}`));
    $('pin-hint').dataset.strength = strength;
    $('event-pin').setAttribute('aria-invalid', strength === 'invalid' ? 'true' : 'false');
  }

  drawInterpreters() {
    const rows = this.state.interpreters.map((person, index) => {
      const name = el('input', { attrs: { type: 'text', maxlength: 100, 'aria-label': t('dashName'), value: person.name, readonly: person.id ? true : null } });
      name.addEventListener('input', () => {
        person.name = name.value;
      });
      const booth = el('select', { attrs: { 'aria-label': t('dashBoothLabel'), disabled: person.id ? true : null } },
        ...this.state.languages.map(({ code }) => el('option', { attrs: { value: code }, text: ownName(code) })));
      booth.value = person.booth;
      booth.addEventListener('change', () => {
        person.booth = booth.value;
      });
      const remove = el('button', { attrs: { type: 'button', 'aria-label': t('orgRemoveInterpreter', { name: person.name || '' }) }, className: 'org-remove', text: '✕' });
      remove.addEventListener('click', () => {
        if (person.id) this.state.removed.push(person.id);
        this.state.interpreters.splice(index, 1);
        this.drawInterpreters();
      });
      const link = person.consoleURL ? el('a', { attrs: { href: person.secureConsoleURL || person.consoleURL }, text: t('orgConsoleLink') }) : null;
      return el('li', { className: 'org-row' }, name, booth, link, remove);
    });
    $('interpreter-rows').replaceChildren(...rows);
  }

  drawGlossary() {
    const codes = this.state.languages.map((l) => l.code);
    $('glossary-head').replaceChildren(el('tr', {}, ...codes.map((code) => el('th', { attrs: { scope: 'col' }, text: ownName(code) })), el('th', {})));
    const rows = this.state.glossary.map((term, index) => el('tr', {},
      ...codes.map((code) => {
        const input = el('input', { attrs: { type: 'text', maxlength: 100, value: term[code] || '', 'aria-label': `${t('orgGlossary')} ${index + 1}: ${languageName(code)}` } });
        input.addEventListener('input', () => {
          term[code] = input.value;
        });
        return el('td', {}, input);
      }),
      el('td', {}, (() => {
        const remove = el('button', { attrs: { type: 'button', 'aria-label': t('orgRemoveTerm', { n: index + 1 }) }, className: 'org-remove', text: '✕' });
        remove.addEventListener('click', () => {
          this.state.glossary.splice(index, 1);
          this.drawGlossary();
        });
        return remove;
      })())));
    $('glossary-rows').replaceChildren(...rows);
  }

  /** The problem a technician must fix before saving, in words, or null. */
  problem() {
    if (!this.state.name.trim()) return { field: 'event-name', message: t('orgNameMissing') };
    if (!this.state.languages.length) return { field: 'language-search', message: t('orgLanguagesMissing') };
    const removing = this.state.mode === 'edit' && this.state.pinSet && this.state.removePin;
    if (!removing && pinStrength(this.state.pin) === 'invalid') return { field: 'event-pin', message: t('orgPin.invalid') };
    const unnamed = this.state.interpreters.findIndex((p) => !p.id && !p.name.trim());
    if (unnamed >= 0) return { field: null, message: t('dashNameMissing') };
    return null;
  }

  /** The PIN part of the body: a new meeting sends its PIN; an edit sends one only when it is typed or removed. */
  pinChange() {
    if (this.state.mode !== 'edit' || !this.state.pinSet) return { pin: this.state.pin ? this.state.pin : null };
    if (this.state.removePin) return { pin: null };
    return this.state.pin ? { pin: this.state.pin } : {};
  }

  /** The POST or PATCH body. */
  request() {
    const codes = this.state.languages.map((l) => l.code);
    const glossary = this.state.glossary
      .map((term) => Object.fromEntries(codes.map((code) => [code, (term[code] || '').trim()]).filter(([, text]) => text)))
      .filter((term) => Object.keys(term).length);
    return {
      name: this.state.name.trim(),
      languages: codes,
      machine: this.state.languages.filter((l) => l.machine).map((l) => l.code),
      ...this.pinChange(),
      packetMs: this.state.packetMs || 20,
      recording: !!this.state.recording && !this.state.confidential,
      confidential: !!this.state.confidential,
      namesInRecord: !!this.state.namesInRecord,
      glossary,
    };
  }
}
