// The console's two conversations: with the booth partners, and with the organizer. Messages arrive as `chat`
// (docs/protocol.md); one the console sends is shown at once, and replaced by the server's copy if one comes back.

const MAX_TEXT = 500;
const MAX_SHOWN = 200;
const FLASH_MS = 4000;

function timeOf(at) {
  const date = at ? new Date(at / 1000) : new Date();
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

export class ChatPane {
  /**
   * to: 'booth' | 'organizer'; log: <ol>; form, input: the composer; send(text) → true if it went out;
   * labels(): { you, empty, notSent } in the page's language.
   */
  constructor({ to, log, form, input, section, send, labels }) {
    Object.assign(this, { to, log, form, input, section, send, labels });
    this.pending = [];
    this.count = 0;
    this.flashTimer = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.renderEmpty();
  }

  submit() {
    const text = this.input.value.trim().slice(0, MAX_TEXT);
    if (!text) return false;
    const ok = this.send(text);
    const item = this.append({ from: null, text, at: null, own: true, failed: !ok });
    if (ok) {
      this.pending.push({ text, item });
      this.input.value = '';
    }
    return ok;
  }

  /** A `chat` message of the server. youId: this console's interpreter id. */
  receive(message, youId) {
    const own = !!(message.from && youId && message.from.id === youId);
    if (own) {
      const i = this.pending.findIndex((p) => p.text === message.text);
      if (i >= 0) {
        const [{ item }] = this.pending.splice(i, 1);
        item.querySelector('time').textContent = timeOf(message.at);
        return;
      }
    }
    this.append({ from: message.from, text: message.text, at: message.at, own });
    if (!own) this.flash();
  }

  append({ from, text, at, own, failed = false }) {
    const empty = this.log.querySelector('.chat-empty');
    if (empty) empty.remove();
    const li = document.createElement('li');
    li.className = own ? 'own' : from && from.id === 'organizer' ? 'organizer' : 'other';
    if (failed) li.classList.add('failed');
    const time = document.createElement('time');
    time.textContent = timeOf(at);
    const who = document.createElement('b');
    who.textContent = own ? this.labels().you : (from && from.name) || '?';
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(time, ' ', who, ' ', body);
    if (failed) {
      const note = document.createElement('em');
      note.textContent = ` — ${this.labels().notSent}`;
      li.append(note);
    }
    this.log.append(li);
    while (this.log.children.length > MAX_SHOWN) this.log.firstElementChild.remove();
    this.log.scrollTop = this.log.scrollHeight;
    this.count += 1;
    return li;
  }

  flash() {
    if (!this.section) return;
    this.section.classList.add('new-message');
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => this.section.classList.remove('new-message'), FLASH_MS);
  }

  renderEmpty() {
    if (this.log.children.length > 0 && !this.log.querySelector('.chat-empty')) return;
    this.log.textContent = '';
    const li = document.createElement('li');
    li.className = 'chat-empty';
    li.textContent = this.labels().empty;
    this.log.append(li);
  }

  /** After a language change: the labels that are not messages. */
  relabel() {
    const empty = this.log.querySelector('.chat-empty');
    if (empty) empty.textContent = this.labels().empty;
  }
}
