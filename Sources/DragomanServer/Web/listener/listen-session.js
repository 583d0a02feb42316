// One listener's playback of one event: picks the audio path, keeps the connection alive, decodes,
// measures, and reports its state. The page (listener.js) only draws it.
//
// Paths: 'webcodecs' (secure context + AudioWorklet + WebCodecs Opus), 'pcm' (secure context +
// AudioWorklet, codec=pcm), 'mse' (no secure context, Media Source Extensions with Opus in WebM or else in
// fragmented MP4: the same WebSocket packets wrapped in the page, mse-player.js), 'stream' (anything else:
// <audio> with the Ogg stream).
//
// Captions: `caption` messages of the channel go to onCaption. The low-delay paths get them on their socket; the
// stream path has none, so while captions are wanted it keeps a CaptionFeed (caption-feed.js) open beside the
// <audio> element.
//
// Floor under interpretation (low-delay paths only): while the channel carries an interpretation and
// the listener asked for it, a FloorMix (floor-mix.js) plays the floor channel softly underneath.

import { fetchEvent, normalizeCarrying, socketURL, streamURL } from '../shared/api.js';
import { AudioOutput, createAudioContext, isResumable, keepResumed, sliderToGain } from '../shared/audio-output.js';
import { carriesInterpretation } from '../shared/carrying-text.js';
import { ReconnectingSocket } from '../shared/connection.js';
import { FINAL_CLOSE_CODES, MessageType } from '../shared/protocol.js';
import { KIND_OPUS, KIND_PCM, parsePackets } from '../shared/packet.js';

// The players are loaded when needed (dynamic import), and at page load only those of the path this page will
// take (preparePlayers), so a phone does not download the code of paths it cannot use.
const MODULES = {
  opus: '../shared/opus-player.js',
  pcm: '../shared/pcm-player.js',
  mse: './mse-player.js',
  webm: '../shared/webm-opus.js', // the MSE path's muxers: the player imports the one it uses
  mp4: '../shared/mp4-opus.js',
  stream: './stream-player.js',
  captionFeed: './caption-feed.js',
  floorMix: './floor-mix.js',
};
const modules = {};

/** Starts loading a player module once; resolves to the module. */
function need(name) {
  if (!modules[name]) {
    const entry = { module: null, promise: null };
    entry.promise = import(MODULES[name]).then((module) => {
      entry.module = module;
      return module;
    });
    modules[name] = entry;
  }
  return modules[name].promise;
}

/** The module if it is loaded already, else null (and it starts loading). */
function loaded(name) {
  if (!modules[name]) need(name).catch(() => {});
  return modules[name].module;
}

// The MSE path's containers for Opus, in order: WebM, else fragmented MP4 (which Safari documents; iOS may take
// only that). The muxers' own types, repeated so that the page loads a muxer only when it uses it.
const MSE_TYPES = { webm: 'audio/webm; codecs="opus"', mp4: 'audio/mp4; codecs="opus"' };

/**
 * The container MSE plays Opus in here: 'webm', 'mp4', or null. preferred: the one to take first where both
 * play (?container=, a test and diagnostic switch: MP4 in Chromium; never one the browser refuses).
 */
export function mseContainer(preferred = null) {
  const Source = window.MediaSource || window.ManagedMediaSource;
  if (!Source || typeof Source.isTypeSupported !== 'function') return null;
  const plays = (container) => {
    try {
      return Source.isTypeSupported(MSE_TYPES[container]);
    } catch {
      return false;
    }
  };
  const order = Object.keys(MSE_TYPES);
  if (order.includes(preferred)) order.unshift(preferred);
  return order.find(plays) || null;
}

/** Whether a page like this one gets a low-delay path (worklet where secure, else MSE). */
export function lowDelayPossible() {
  return window.isSecureContext || mseContainer() !== null;
}

/** Loads, at page load, the players of the path this page will take (container: ?container=). */
export function preparePlayers(forcePath = null, container = null) {
  const load = (...names) => Promise.all(names.filter(Boolean).map(need)).catch(() => {});
  if (forcePath === 'stream') return load('stream', 'captionFeed');
  if (forcePath === 'mse') return load('mse', mseContainer(container));
  if (window.isSecureContext && forcePath !== 'mse') return load('opus', 'pcm');
  const mse = mseContainer(container);
  if (mse) return load('mse', mse);
  return load('stream', 'captionFeed');
}

// Close codes after which retrying cannot help (docs/protocol.md).
const QUIET_RESTART_MS = 6000;
const STREAM_POLL_MS = 5000;
const NET_WINDOW = 50;

export class ListenSession {
  /**
   * code, pin: the event; channel: the channel to play; forcePath: null or 'webcodecs' | 'pcm' | 'mse' |
   * 'stream' (for tests and technicians: ?path= on the page); container: null, or the MSE container to prefer,
   * 'webm' | 'mp4' (the same: ?container=); onChange(): state changed;
   * onAlert({ language, channel }): a language channel switched from the floor to interpretation;
   * onCaption(message): a `caption` line of the channel listened to.
   */
  constructor({ code, pin = null, channel = 'floor', forcePath = null, container = null, onChange = null, onAlert = null,
    onCaption = null }) {
    Object.assign(this, { code, pin, channel, forcePath, onChange, onAlert, onCaption });
    this.preferredContainer = container;
    this.captionsWanted = false;
    this.captionFeed = null;
    this.wanted = false;
    this.connection = 'idle';
    this.path = null;
    this.confirmedChannel = null;
    this.pendingTune = null;
    this.carrying = null;
    this.carryingChannel = null;
    this.error = null;
    this.notice = null;
    this.finalError = false;
    this.welcomed = false;
    this.codec = null;
    this.gain = 1;
    this.packets = 0;
    this.lost = 0;
    this.lastSeq = null;
    this.lastPacketAt = 0;
    this.netSamples = [];
    this.clockOffsetMs = 0;
    this.ctx = null;
    this.output = null;
    this.opus = null;
    this.pcm = null;
    this.mse = null;
    this.socket = null;
    this.stream = null;
    this.pollTimer = null;
    this.floorMix = { enabled: false, db: -18 };
    this.mix = null;

    const wake = () => this.wake();
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && wake());
    window.addEventListener('online', wake);
    window.addEventListener('pageshow', wake);
    document.addEventListener('resume', wake); // Chrome's page lifecycle: unfrozen
    setInterval(() => this.watch(), 1000);
  }

  // Commands.

  /** Starts playback. Call it from the user's gesture: it creates/resumes the AudioContext. */
  start() {
    if (this.wanted) return;
    this.wanted = true;
    this.error = null;
    this.finalError = false;
    if (!this.ctx) {
      this.ctx = createAudioContext();
      if (this.ctx) {
        keepResumed(this.ctx, () => this.wanted);
        this.ctx.addEventListener('statechange', () => this.changed());
      }
    }
    if (isResumable(this.ctx)) this.ctx.resume().catch(() => {});
    const worklet = window.isSecureContext && this.ctx && this.ctx.audioWorklet;
    const forced = this.forcePath;
    if (this.path === 'stream' || forced === 'stream') this.startStream();
    else if (this.path === 'mse' || forced === 'mse' || !worklet) {
      if (mseContainer(this.preferredContainer)) this.startMse();
      else this.startStream();
    } else this.startLowDelay();
    this.changed();
  }

  stop() {
    this.wanted = false;
    this.welcomed = false;
    if (this.socket) this.socket.close();
    this.socket = null;
    if (this.stream) this.stream.stop();
    clearTimeout(this.pollTimer);
    if (this.opus) this.opus.close();
    this.opus = null;
    if (this.mse) this.mse.close();
    this.mse = null;
    if (this.output) this.output.reset();
    if (this.ctx && this.ctx.state === 'running') this.ctx.suspend().catch(() => {});
    this.pendingTune = null;
    this.setConnection('idle');
    this.updateFloorMix();
    this.updateCaptionFeed();
  }

  /** Switches channel without reloading: a `tune` on the open socket (or the next connection uses it). */
  tune(channel) {
    if (channel === this.channel && this.connection !== 'error') return;
    this.channel = channel;
    this.notice = null;
    if (!this.wanted) {
      this.changed();
      return;
    }
    if (this.path === 'stream') {
      this.confirmedChannel = channel;
      this.carrying = null;
      if (this.stream) this.stream.switchTo(streamURL(this.code, channel, this.pin));
      if (this.captionFeed) this.captionFeed.tune(channel);
      this.poll();
    } else if (this.connection === 'error' || !this.socket) {
      this.error = null;
      this.finalError = false;
      if (this.socket) this.socket.start();
    } else if (this.welcomed && this.socket.send({ type: MessageType.tune, channel })) {
      this.pendingTune = channel;
    }
    // Otherwise the socket is between connections: its next URL carries the new channel.
    this.updateFloorMix();
    this.changed();
  }

  /** Whether the listener wants captions (the stream path opens its caption socket only then). */
  setCaptions(enabled) {
    this.captionsWanted = !!enabled;
    this.updateCaptionFeed();
  }

  /** Opens or closes the stream path's caption socket to match what is wanted. */
  updateCaptionFeed() {
    const wanted = this.captionsWanted && this.wanted && this.path === 'stream' && this.connection !== 'error';
    if (wanted && !this.captionFeed) {
      const feed = loaded('captionFeed');
      if (!feed) {
        need('captionFeed').then(() => this.updateCaptionFeed(), () => {});
        return;
      }
      this.captionFeed = new feed.CaptionFeed({
        code: this.code,
        pin: this.pin,
        channel: this.channel,
        onMessage: (message) => {
          if (message.type === MessageType.caption) this.caption(message);
          else if (message.type === MessageType.carrying) this.setCarrying(normalizeCarrying(message), message.channel || this.channel);
        },
      });
    } else if (!wanted && this.captionFeed) {
      this.captionFeed.close();
      this.captionFeed = null;
    }
  }

  /** A `caption` message: passed on when it belongs to the channel listened to (not one being left). */
  caption(message) {
    const channel = message.channel || this.confirmedChannel;
    if (channel !== this.channel || channel !== this.confirmedChannel || !this.onCaption) return;
    this.onCaption(message);
  }

  /** Volume slider position 0..100. */
  setVolume(position) {
    this.gain = sliderToGain(position);
    if (this.output) this.output.setGain(this.gain);
    if (this.stream) this.stream.setGain(this.gain);
    if (this.mse) this.mse.setGain(this.gain);
    if (this.mix) this.mix.setGain(this.floorMixGain());
  }

  /**
   * Floor under interpretation: { enabled, db } (db: the floor's level under the interpretation, e.g.
   * −30…−6). Plays only while the channel carries an interpretation, on the low-delay paths.
   */
  setFloorMix({ enabled = this.floorMix.enabled, db = this.floorMix.db } = {}) {
    this.floorMix = { enabled: !!enabled, db: Number(db) };
    if (this.mix) this.mix.setGain(this.floorMixGain());
    this.updateFloorMix();
    this.changed();
  }

  floorMixGain() {
    return this.gain * 10 ** (Number(this.floorMix.db) / 20);
  }

  /** Whether the floor mix should play now. */
  floorMixWanted() {
    return this.floorMix.enabled && this.wanted && !!this.ctx
      && (this.path === 'webcodecs' || this.path === 'pcm' || this.path === 'mse')
      && this.connection !== 'error'
      && this.channel !== 'floor' && !this.pendingTune
      && this.carryingChannel === this.channel
      && carriesInterpretation(this.carrying);
  }

  /** Opens or closes the second (floor) socket to match floorMixWanted(). */
  updateFloorMix() {
    const wanted = this.floorMixWanted();
    if (wanted && !this.mix) {
      const floorMix = loaded('floorMix');
      if (!floorMix) {
        need('floorMix').then(() => this.updateFloorMix(), () => {});
        return;
      }
      this.mix = new floorMix.FloorMix({
        code: this.code,
        pin: this.pin,
        ctx: this.ctx,
        path: this.path,
        container: mseContainer(this.preferredContainer),
        gain: this.floorMixGain(),
        onChange: () => this.changed(),
      });
      this.mix.open();
    } else if (!wanted && this.mix) {
      const mix = this.mix;
      this.mix = null;
      mix.close();
    }
  }

  /** RMS (0..1) of the floor mixed under the interpretation (0 when it is off). */
  floorMixLevel() {
    return this.mix ? this.mix.level() : 0;
  }

  /** RMS (0..1) of what plays now, after the volume. */
  level() {
    if (this.path === 'stream') return this.stream ? this.stream.level() : 0;
    if (this.path === 'mse') return this.mse && this.wanted ? this.mse.level() : 0;
    return this.output && this.wanted ? this.output.level() : 0;
  }

  snapshot() {
    const stats = this.path === 'stream' ? null : this.path === 'mse' ? this.mse && this.mse.stats : this.output && this.output.stats;
    const bufferMs = this.path === 'stream' ? (this.stream ? this.stream.bufferMs : null) : stats ? stats.depthMs : null;
    // Only while audio flows: during silence (floor off the air) there is no delay to show.
    const flowing = this.path !== 'stream' && performance.now() - this.lastPacketAt < 1000;
    const netMs = flowing ? this.netMs() : null;
    let delayMs = null;
    if (this.path === 'stream') delayMs = bufferMs;
    else if (netMs !== null && bufferMs !== null) delayMs = netMs + bufferMs;
    return {
      connection: this.connection,
      channel: this.confirmedChannel || this.channel,
      wantedChannel: this.channel,
      switching: this.pendingTune,
      carrying: this.carrying,
      path: this.path,
      container: this.path === 'mse' && this.mse ? this.mse.container : null,
      playing: this.wanted,
      packets: this.packets,
      lost: this.lost,
      netMs: netMs === null ? null : Math.round(netMs),
      bufferMs: bufferMs === null ? null : Math.round(bufferMs),
      delayMs: delayMs === null ? null : Math.round(delayMs),
      targetMs: stats ? Math.round(stats.targetMs) : null,
      jitterMs: stats ? Math.round(stats.jitterMs) : null,
      underruns: stats ? stats.underruns : 0,
      comfortNoise: stats ? !!stats.comfortNoise : false,
      skippedMs: stats ? Math.round(stats.skippedMs) : 0,
      rate: stats && stats.rate ? stats.rate : null,
      outputLatencyMs: this.ctx && this.ctx.outputLatency ? Math.round(this.ctx.outputLatency * 1000) : null,
      audioState: this.ctx ? this.ctx.state : null,
      suspended: this.wanted && isResumable(this.ctx),
      error: this.error,
      notice: this.notice,
      floorMix: {
        ...this.floorMix,
        available: this.path !== 'stream' && (!!this.path || lowDelayPossible()),
        active: !!this.mix,
        connection: this.mix ? this.mix.state : 'idle',
        packets: this.mix ? this.mix.packets : 0,
      },
    };
  }

  // Low-delay paths.

  async startLowDelay() {
    this.setConnection('connecting');
    try {
      if (!this.output) this.output = await AudioOutput.create(this.ctx, { gain: this.gain });
      await Promise.all([need('opus'), need('pcm')]);
      if (!this.path) {
        const opus = this.forcePath !== 'pcm' && (await loaded('opus').OpusPlayer.isSupported());
        this.path = opus ? 'webcodecs' : 'pcm';
      }
    } catch (error) {
      // The worklet did not load (e.g. served with the wrong MIME type): the stream still plays.
      console.warn('Dragoman: low-delay audio unavailable, using the stream', error);
      this.path = 'stream';
      if (this.wanted) this.startStream();
      return;
    }
    if (!this.wanted) return;
    this.output.setGain(this.gain);
    this.openSocket();
  }

  /** MSE path: the same socket and packets, played by an <audio> element fed WebM or MP4 (mse-player.js). */
  startMse() {
    this.path = 'mse';
    this.setConnection('connecting');
    const player = loaded('mse');
    if (!player) {
      // Listen pressed before the page finished loading the player: start as soon as it is here.
      need('mse').then(() => this.wanted && this.path === 'mse' && !this.mse && this.startMse(), () => this.startStream());
      return;
    }
    if (!this.mse) {
      this.mse = new player.MsePlayer({ ctx: this.ctx, gain: this.gain, container: mseContainer(this.preferredContainer) });
      this.mse.configure(this.codec);
    }
    this.mse.play(); // inside the gesture
    this.openSocket();
  }

  openSocket() {
    if (!this.socket) {
      this.socket = new ReconnectingSocket({
        url: () => socketURL(`/ws/listen/${encodeURIComponent(this.code)}`, {
          channel: this.channel,
          pin: this.pin,
          codec: this.path === 'pcm' ? 'pcm' : 'opus',
        }),
        onMessage: (message) => this.onMessage(message),
        onBinary: (buffer) => this.onBinary(buffer),
        onClose: () => {
          this.welcomed = false;
          this.pendingTune = null;
        },
        onState: (state) => this.onSocketState(state),
        shouldStop: (event) => this.finalError || FINAL_CLOSE_CODES.has(event.code),
      });
    }
    this.socket.start();
  }

  onSocketState(state) {
    if (state === 'connecting') this.setConnection('connecting');
    else if (state === 'reconnecting') this.setConnection('reconnecting');
    else if (state === 'failed') {
      if (!this.error) this.error = { code: 'closed', message: '' };
      this.setConnection('error');
    } else if (state === 'closed' && !this.wanted) this.setConnection('idle');
    // 'open': connected once `welcome` arrives.
  }

  onMessage(message) {
    switch (message.type) {
      case MessageType.welcome: {
        this.welcomed = true;
        this.socket.healthy();
        const skew = Number(message.serverTime) / 1000 - Date.now();
        // Same clock (one machine) or NTP-close clocks: measure against the server's clock as is.
        // Clocks far apart: correct by the skew seen at `welcome` (which hides the network part).
        this.clockOffsetMs = Number.isFinite(skew) && Math.abs(skew) > 1000 ? skew : 0;
        this.netSamples = [];
        this.confirmedChannel = message.channel || this.channel;
        this.channel = this.confirmedChannel;
        this.configure(message.codec);
        this.lastPacketAt = performance.now();
        this.setConnection('connected');
        break;
      }
      case MessageType.tuned:
        this.confirmedChannel = message.channel;
        if (this.pendingTune === message.channel) this.pendingTune = null;
        this.configure(message.codec);
        this.updateFloorMix();
        this.changed();
        break;
      case MessageType.carrying:
        if (!message.channel || message.channel === this.confirmedChannel) this.setCarrying(normalizeCarrying(message), message.channel);
        break;
      case MessageType.alert:
        // The server decides when what a channel carries changed with the floor language.
        if (message.channel === this.confirmedChannel && this.onAlert) {
          this.onAlert({ language: message.floorLanguage || null, channel: message.channel, interpretation: message.interpretation === true });
        }
        break;
      case MessageType.caption:
        this.caption(message);
        break;
      case MessageType.dropped:
        this.lost += Number(message.count) || 0;
        break;
      case MessageType.error:
        if (message.fatal === false) {
          this.notice = { code: message.code, message: message.message || '' };
          if (this.pendingTune) {
            this.channel = this.confirmedChannel;
            this.pendingTune = null;
            this.updateFloorMix();
          }
        } else {
          this.error = { code: message.code, message: message.message || '' };
          this.finalError = true;
        }
        this.changed();
        break;
      default:
        break; // later message types
    }
  }

  configure(codec) {
    this.codec = codec || this.codec;
    this.lastSeq = null;
    this.freshSequence = true; // a new connection or channel numbers its frames afresh
    if (this.opus) this.opus.configure(this.codec);
    if (this.mse) this.mse.configure(this.codec);
  }

  onBinary(buffer) {
    const arrival = performance.now();
    // One packet, or two or three in a room set to 40 or 60 ms per message.
    for (const packet of parsePackets(buffer)) this.onPacket(packet, arrival);
  }

  onPacket(packet, arrival) {
    this.packets += 1;
    this.lastPacketAt = arrival;
    if (this.lastSeq !== null && !packet.discontinuity) {
      const gap = (packet.seq - this.lastSeq) >>> 0;
      if (gap > 1 && gap < 3000) this.lost += gap - 1;
    }
    this.lastSeq = packet.seq;
    if (this.freshSequence) {
      packet.discontinuity = true;
      this.freshSequence = false;
    }
    const net = Date.now() + this.clockOffsetMs - packet.ingestUs / 1000;
    this.netSamples.push(net);
    if (this.netSamples.length > NET_WINDOW) this.netSamples.shift();
    const decoder = this.decoderFor(packet.kind);
    if (decoder) decoder.decode(packet, arrival);
  }

  decoderFor(kind) {
    if (kind === KIND_PCM) {
      if (!this.pcm) this.pcm = new (loaded('pcm').PcmPlayer)(this.output);
      return this.pcm;
    }
    if (kind === KIND_OPUS && this.path === 'mse') return this.mse;
    if (kind === KIND_OPUS && this.path === 'webcodecs') {
      if (!this.opus) {
        this.opus = new (loaded('opus').OpusPlayer)(this.output, { onError: (error) => console.warn('Dragoman: Opus decoder', error) });
        this.opus.configure(this.codec);
      }
      return this.opus;
    }
    return null;
  }

  netMs() {
    if (!this.netSamples.length || this.path === 'stream') return null;
    const sorted = [...this.netSamples].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  // Stream path.

  startStream() {
    this.path = 'stream';
    const player = loaded('stream');
    if (!player) {
      need('stream').then(() => this.wanted && this.path === 'stream' && !this.stream && this.startStream(), () => {});
      this.setConnection('connecting');
      return;
    }
    const { StreamPlayer } = player;
    if (!StreamPlayer.canPlay()) {
      this.error = { code: 'stream-unsupported', message: '' };
      this.setConnection('error');
      return;
    }
    if (!this.stream) {
      this.stream = new StreamPlayer({ ctx: this.ctx, onState: (state) => this.onStreamState(state) });
    }
    this.stream.setGain(this.gain);
    this.confirmedChannel = this.channel;
    this.stream.start(streamURL(this.code, this.channel, this.pin));
    this.updateCaptionFeed();
    this.poll();
  }

  onStreamState(state) {
    if (!this.wanted) return;
    if (state === 'playing' || state === 'buffering') this.setConnection('connected');
    else if (state === 'connecting') this.setConnection('connecting');
    else if (state === 'reconnecting') {
      this.setConnection('reconnecting');
      this.poll(); // tells a refusal (404, 401) from a network problem
    } else if (state === 'paused') this.stop();
  }

  /** Stream path: what the channel carries, from the JSON API (the stream has no control messages). */
  async poll() {
    clearTimeout(this.pollTimer);
    if (!this.wanted || this.path !== 'stream') return;
    const answer = await fetchEvent(this.code, this.pin);
    if (!this.wanted || this.path !== 'stream') return;
    if (answer.ok) {
      const event = answer.event;
      const channel = (event.channels || []).find((c) => c.id === this.confirmedChannel);
      if (channel) this.setCarrying(normalizeCarrying(channel.carrying, event), channel.id);
    } else if (answer.status === 401 || answer.status === 404) {
      this.error = { code: answer.code, message: answer.message };
      this.stream.stop();
      this.setConnection('error');
      return;
    }
    this.pollTimer = setTimeout(() => this.poll(), STREAM_POLL_MS);
  }

  // Shared.

  setCarrying(carrying, channel) {
    if (!carrying) return;
    this.carrying = carrying;
    this.carryingChannel = channel;
    this.updateFloorMix();
    this.changed();
  }

  wake() {
    if (!this.wanted) return;
    if (isResumable(this.ctx)) this.ctx.resume().catch(() => {});
    if (this.socket) this.socket.reconnectNow();
    if (this.mix) this.mix.wake();
  }

  /** Once a second: a socket that went quiet while the floor is live is dead (phones), restart it. */
  watch() {
    if (!this.wanted || !this.socket || !this.welcomed || document.visibilityState !== 'visible') return;
    const c = this.carrying;
    if (c && c.floorLive && c.kind === 'floor' && performance.now() - this.lastPacketAt > QUIET_RESTART_MS) {
      this.lastPacketAt = performance.now();
      this.socket.restart();
    }
  }

  setConnection(state) {
    if (this.connection === state) return;
    this.connection = state;
    this.updateFloorMix();
    this.updateCaptionFeed();
    this.changed();
  }

  changed() {
    if (this.onChange) this.onChange();
  }
}
