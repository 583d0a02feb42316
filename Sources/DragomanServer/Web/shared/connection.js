// A WebSocket that reconnects by itself with backoff, until it is closed or told to stop.

import { CloseCode } from './protocol.js';

// Short: a listener must be playing again soon after the server is back; ±20 % jitter spreads the herd.
const DEFAULT_DELAYS_MS = [100, 300, 600, 1000, 1500];
const CONNECT_TIMEOUT_MS = 8000;
const HEALTHY_AFTER_MS = 5000;

export class ReconnectingSocket {
  /**
   * url(): the URL of the next attempt (so a reconnect resumes the current channel).
   * onOpen(), onMessage(json), onBinary(ArrayBuffer), onClose(CloseEvent),
   * onState('connecting' | 'open' | 'reconnecting' | 'failed' | 'closed').
   * shouldStop(closeEvent) → true when the close is final (a 44xx refusal): no retry.
   */
  constructor({ url, onOpen, onMessage, onBinary, onClose, onState, shouldStop, delaysMs = DEFAULT_DELAYS_MS }) {
    Object.assign(this, { url, onOpen, onMessage, onBinary, onClose, onState, shouldStop, delaysMs });
    this.ws = null;
    this.timer = null;
    this.connectTimer = null;
    this.attempt = 0;
    this.stopped = true;
    this.openedAt = 0;
    this.everOpened = false;
    this.state = 'closed';
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.everOpened = false;
    this.connect();
  }

  /** Marks the connection as good (e.g. after the server's first message): the next drop retries fast. */
  healthy() {
    this.attempt = 0;
  }

  /** Reconnects now if not connected (page visible again, network back), skipping the backoff wait. */
  reconnectNow() {
    if (this.stopped) return;
    if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) return;
    this.connect();
  }

  /** Drops the current connection (e.g. one that went quiet) and connects again at once. */
  restart() {
    if (this.stopped) return;
    this.detach(CloseCode.restart);
    this.connect();
  }

  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(typeof message === 'string' || message instanceof ArrayBuffer || ArrayBuffer.isView(message) ? message : JSON.stringify(message));
    return true;
  }

  get bufferedAmount() {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  /** Closes for good (no reconnect). */
  close(code = CloseCode.normal) {
    this.stopped = true;
    clearTimeout(this.timer);
    this.detach(code);
    this.setState('closed');
  }

  // Internals.

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.onState) this.onState(state);
  }

  detach(code) {
    clearTimeout(this.connectTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(code);
      } catch {
        // Already closing.
      }
    }
  }

  connect() {
    clearTimeout(this.timer);
    this.detach(CloseCode.normal);
    this.setState(this.attempt === 0 && !this.everOpened ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (error) {
      this.scheduleRetry();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.openedAt = 0;
    this.connectTimer = setTimeout(() => {
      if (this.ws === ws && ws.readyState === WebSocket.CONNECTING) {
        this.detach(CloseCode.normal);
        this.scheduleRetry();
      }
    }, CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(this.connectTimer);
      this.openedAt = Date.now();
      this.everOpened = true;
      this.setState('open');
      if (this.onOpen) this.onOpen();
    };
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        if (this.onMessage) this.onMessage(message);
      } else if (this.onBinary) {
        this.onBinary(event.data);
      }
    };
    ws.onerror = () => {
      // A close event follows; it decides.
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.connectTimer);
      if (this.onClose) this.onClose(event);
      if (this.stopped) return;
      if (this.shouldStop && this.shouldStop(event)) {
        this.stopped = true;
        this.setState('failed');
        return;
      }
      if (this.openedAt && Date.now() - this.openedAt > HEALTHY_AFTER_MS) this.attempt = 0;
      this.scheduleRetry();
    };
  }

  scheduleRetry() {
    if (this.stopped) return;
    const base = this.delaysMs[Math.min(this.attempt, this.delaysMs.length - 1)];
    this.attempt += 1;
    this.setState('reconnecting');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), base * (0.8 + 0.4 * Math.random()));
  }
}
