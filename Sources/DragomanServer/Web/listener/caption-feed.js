// The stream path's control socket. The <audio> element plays the Ogg stream, which has no control messages, so
// while captions are on a listener on that path also keeps a listen WebSocket open for its `caption` and
// `carrying` messages, asked for with codec=none: control messages only, no audio, not counted as a listener. It
// follows the channel with `tune`
// like the low-delay path's socket, and reconnects by itself.

import { socketURL } from '../shared/api.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';

export class CaptionFeed {
  /** onMessage(message): a `caption` or `carrying` of the channel asked for (after `tune`, only the new one's). */
  constructor({ code, pin = null, channel, onMessage }) {
    Object.assign(this, { code, pin, channel, onMessage });
    this.confirmed = null;
    this.welcomed = false;
    this.socket = new ReconnectingSocket({
      url: () => socketURL(`/ws/listen/${encodeURIComponent(this.code)}`, { channel: this.channel, pin: this.pin, codec: 'none' }),
      onMessage: (message) => this.receive(message),
      onBinary: () => {},
      onClose: () => {
        this.welcomed = false;
      },
      shouldStop: (event) => FINAL_CLOSE_CODES.has(event.code),
    });
    this.socket.start();
  }

  receive(message) {
    switch (message.type) {
      case MessageType.welcome:
        this.welcomed = true;
        this.socket.healthy();
        this.confirmed = message.channel || this.channel;
        if (this.confirmed !== this.channel) this.socket.send({ type: MessageType.tune, channel: this.channel });
        break;
      case MessageType.tuned:
        this.confirmed = message.channel;
        break;
      case MessageType.caption:
      case MessageType.carrying:
        if (this.confirmed === this.channel && (!message.channel || message.channel === this.channel)) this.onMessage(message);
        break;
      default:
        break; // audio-path messages (dropped, alert, errors): the stream path has its own ways
    }
  }

  tune(channel) {
    if (channel === this.channel) return;
    this.channel = channel;
    if (this.welcomed) this.socket.send({ type: MessageType.tune, channel });
  }

  close() {
    this.socket.close();
  }
}
