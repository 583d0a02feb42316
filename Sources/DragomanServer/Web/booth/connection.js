// The console's WebSocket: /ws/booth/{code}?key=…&rate=…&format=s16le (docs/protocol.md, "The interpreter
// console"). Reconnects by itself; a refusal that retrying cannot cure (wrong key, unknown event, another
// booth) stops it. Text messages go to onMessage, binary ones (what the booth hears) to onBinary.

import { socketURL } from '../shared/api.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { CloseCode, closeCodeOf, FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';

// Close codes after which retrying cannot help. The console also gives up on too-large: what it sent too much of
// (audio, chat) it would send again. The other pages retry on it.
const CONSOLE_FINAL_CLOSE_CODES = new Set([...FINAL_CLOSE_CODES, CloseCode.tooLarge]);
// A "busy" refusal (4409) right after a drop is usually our own old connection, not yet gone: retry a while.
const BUSY_RETRIES = 10;
// Beyond this much unsent audio (about 0.7 s of 48 kHz s16), chunks are dropped to stay live.
const MAX_BUFFERED_BYTES = 64 * 1024;

export class BoothConnection {
  /**
   * code, key(): the event and the interpreter key (read at each attempt); rate(): the microphone's sample rate;
   * onMessage(json), onBinary(ArrayBuffer), onState(state, closeEvent?) with state 'connecting' | 'open' |
   * 'reconnecting' | 'failed' | 'closed'. 'open' means the booth-welcome arrived, not just the socket.
   */
  constructor({ code, key, rate, onMessage, onBinary, onState }) {
    Object.assign(this, { code, key, rate, onMessage, onBinary, onState });
    this.state = 'closed';
    this.welcomed = false;
    this.lastError = null; // the last `error` message with fatal !== false
    this.lastClose = null;
    this.sentBytes = 0;
    this.droppedChunks = 0;
    this.everWelcomed = false;
    this.busyRetries = 0;
    this.socket = new ReconnectingSocket({
      url: () => socketURL(`/ws/booth/${encodeURIComponent(this.code)}`, {
        key: this.key(),
        rate: this.rate(),
        format: 's16le',
      }),
      onOpen: () => {
        this.welcomed = false;
      },
      onMessage: (message) => this.receive(message),
      onBinary: (data) => {
        if (this.onBinary) this.onBinary(data);
      },
      onClose: (event) => {
        this.welcomed = false;
        this.lastClose = event;
      },
      onState: (state) => {
        // 'open' waits for the welcome; the others are passed on as they are.
        if (state !== 'open') this.setState(state);
      },
      shouldStop: (event) => {
        if (CONSOLE_FINAL_CLOSE_CODES.has(event.code)) return true;
        if (this.lastError && CONSOLE_FINAL_CLOSE_CODES.has(closeCodeOf(this.lastError.code))) return true;
        if (event.code === CloseCode.busy) {
          this.busyRetries += 1;
          return !this.everWelcomed || this.busyRetries > BUSY_RETRIES;
        }
        return false;
      },
    });
  }

  start() {
    this.lastError = null;
    this.lastClose = null;
    this.everWelcomed = false;
    this.busyRetries = 0;
    this.socket.start();
  }

  close() {
    this.socket.close(CloseCode.normal);
    this.welcomed = false;
  }

  reconnectNow() {
    this.socket.reconnectNow();
  }

  get isOpen() {
    return this.welcomed && this.socket.isOpen;
  }

  /** A control message (an object); false when not connected. */
  send(message) {
    if (!this.isOpen) return false;
    return this.socket.send(JSON.stringify(message));
  }

  /** Microphone audio (an ArrayBuffer of s16le samples); dropped when not connected or far behind. */
  sendAudio(buffer) {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.droppedChunks += 1;
      return false;
    }
    this.socket.send(buffer);
    this.sentBytes += buffer.byteLength;
    return true;
  }

  receive(message) {
    if (!message || typeof message.type !== 'string') return;
    if (message.type === MessageType.boothWelcome) {
      this.welcomed = true;
      this.everWelcomed = true;
      this.busyRetries = 0;
      this.lastError = null;
      this.socket.healthy();
      this.setState('open');
    } else if (message.type === MessageType.error && message.fatal !== false) {
      this.lastError = message;
    }
    if (this.onMessage) this.onMessage(message);
  }

  setState(state) {
    this.state = state;
    if (this.onState) this.onState(state, this.lastClose);
  }
}
