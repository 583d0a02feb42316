// "Floor under interpretation": while a language channel carries an interpreter, a second WebSocket
// listens to the floor channel and plays it softly under the interpretation, in the browser: each
// stream arrives once, as it is, and the two meet at the speakers (a GainNode sets the floor's level).
//
// floor socket → Opus/PCM decoder → jitter worklet → gain (volume × floor level) → speakers
// (the main channel's own output sums with it at the destination)

import { socketURL } from '../shared/api.js';
import { AudioOutput } from '../shared/audio-output.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';
import { OpusPlayer } from '../shared/opus-player.js';
import { KIND_OPUS, KIND_PCM, parsePackets } from '../shared/packet.js';
import { PcmPlayer } from '../shared/pcm-player.js';
import { MsePlayer } from './mse-player.js';

const QUIET_RESTART_MS = 6000;

/** dB (e.g. −18) → linear gain. */
export function dbToGain(db) {
  return 10 ** (Number(db) / 20);
}

export class FloorMix {
  /**
   * ctx: the session's AudioContext; path: 'webcodecs', 'pcm' or 'mse'; container: the MSE path's container
   * ('webm' or 'mp4', as the session's own player); onChange(): state changed.
   */
  constructor({ code, pin = null, ctx, path, container = null, gain = 0.1, onChange = null }) {
    Object.assign(this, { code, pin, ctx, path, container, gain, onChange });
    this.state = 'idle'; // idle | connecting | connected | reconnecting | failed
    this.output = null;
    this.decoder = null;
    this.socket = null;
    this.codec = null;
    this.fresh = true;
    this.packets = 0;
    this.floorLive = null;
    this.lastPacketAt = 0;
    this.closed = false;
    this.watchTimer = setInterval(() => this.watch(), 1000);
  }

  async open() {
    this.setState('connecting');
    if (this.path === 'mse') {
      // No worklet here: a second MSE element, its gain in the same AudioContext.
      this.output = new MsePlayer({ ctx: this.ctx, gain: this.gain, container: this.container || 'webm' });
      this.output.play();
      this.decoder = this.output;
    }
    try {
      if (!this.output) this.output = await AudioOutput.create(this.ctx, { gain: this.gain });
    } catch (error) {
      console.warn('Dragoman: floor mix unavailable', error);
      this.setState('failed');
      return;
    }
    if (this.closed) {
      this.output.close();
      this.output = null;
      return;
    }
    // One comfort-noise source is enough: the main channel's output already keeps the tab audible.
    try {
      if (this.output.node) this.output.node.disconnect(1);
      if (this.output.noise) this.output.noise.stop();
    } catch {
      // Not connected.
    }
    this.socket = new ReconnectingSocket({
      url: () => socketURL(`/ws/listen/${encodeURIComponent(this.code)}`, {
        channel: 'floor',
        pin: this.pin,
        codec: this.path === 'pcm' ? 'pcm' : 'opus',
      }),
      onMessage: (message) => this.onMessage(message),
      onBinary: (buffer) => this.onBinary(buffer),
      onState: (state) => {
        if (state === 'connecting' || state === 'reconnecting' || state === 'failed') this.setState(state);
      },
      shouldStop: (event) => FINAL_CLOSE_CODES.has(event.code),
    });
    this.socket.start();
  }

  close() {
    this.closed = true;
    clearInterval(this.watchTimer);
    if (this.socket) this.socket.close();
    this.socket = null;
    if (this.decoder && this.decoder !== this.output) this.decoder.close();
    this.decoder = null;
    if (this.output) this.output.close();
    this.output = null;
    this.setState('idle');
  }

  setGain(gain) {
    this.gain = gain;
    if (this.output) this.output.setGain(gain);
  }

  wake() {
    if (this.socket) this.socket.reconnectNow();
  }

  level() {
    return this.output ? this.output.level() : 0;
  }

  onMessage(message) {
    switch (message.type) {
      case MessageType.welcome:
      case MessageType.tuned:
        if (message.type === MessageType.welcome) this.socket.healthy();
        this.codec = message.codec || this.codec;
        this.fresh = true;
        if (this.decoder && this.decoder.configure) this.decoder.configure(this.codec);
        this.lastPacketAt = performance.now();
        this.setState('connected');
        break;
      case MessageType.carrying:
        this.floorLive = message.floorLive ?? null;
        break;
      case MessageType.error:
        if (message.fatal !== false) this.setState('failed');
        break;
      default:
        break;
    }
  }

  onBinary(buffer) {
    const arrival = performance.now();
    for (const packet of parsePackets(buffer)) this.onPacket(packet, arrival);
  }

  onPacket(packet, arrival) {
    if (!this.output) return;
    this.packets += 1;
    this.lastPacketAt = arrival;
    if (this.fresh) {
      packet.discontinuity = true;
      this.fresh = false;
    }
    if (!this.decoder) {
      if (packet.kind === KIND_PCM) this.decoder = new PcmPlayer(this.output);
      else if (packet.kind === KIND_OPUS) {
        this.decoder = new OpusPlayer(this.output, { onError: (error) => console.warn('Dragoman: floor mix decoder', error) });
        this.decoder.configure(this.codec);
      } else return;
    }
    this.decoder.decode(packet, arrival);
  }

  /** A floor socket that went quiet while the floor is live is dead (phones): start it again. */
  watch() {
    if (!this.socket || this.state !== 'connected' || document.visibilityState !== 'visible') return;
    if (this.floorLive && performance.now() - this.lastPacketAt > QUIET_RESTART_MS) {
      this.lastPacketAt = performance.now();
      this.socket.restart();
    }
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.onChange) this.onChange();
  }
}
