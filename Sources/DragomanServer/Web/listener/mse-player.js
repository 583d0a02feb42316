// The low-delay player for pages without a secure context (plain http:// on the venue's address),
// where browsers refuse WebCodecs and AudioWorklet but keep Media Source Extensions
// (ManagedMediaSource on iOS Safari 17.1+): the Opus packets of the listener WebSocket are wrapped
// in the page and appended to a SourceBuffer of an <audio> element, which is held near the live
// edge. The container is WebM (shared/webm-opus.js) or, where WebM/Opus is refused, fragmented MP4
// (shared/mp4-opus.js); listen-session.js chooses, and only that muxer is loaded.
//
// WebSocket packets → WebM clusters or MP4 fragments (one per append, of what arrived meanwhile)
// → SourceBuffer → <audio> → MediaElementSource → volume gain → analyser → speakers
//
// Timestamps are the packets' own count × 20 ms, contiguous: a lost packet or a pause of the source
// leaves no hole in the buffer (a hole would stall the element), and a new channel or a new
// connection just continues the same timeline. Near the live edge: the buffered audio ahead of the
// playhead is kept at a target by playbackRate (±3 %, pitch kept); more than 400 ms ahead (a frozen
// tab, a burst) is skipped by a seek; below the target it plays slower. The target starts at 100 ms;
// each time the element runs dry while packets flow it rises by 40 ms (up to 400 ms), and it melts
// back at 5 ms/s. Old audio is removed from the SourceBuffer every few seconds.

import { analyserLevel } from '../shared/audio-output.js';
import { earInput } from '../shared/ear-guard.js';

const TARGET_S = 0.1;
const MAX_TARGET_S = 0.4;
const SEEK_AHEAD_S = 0.4;
const KEEP_BEHIND_S = 5;
const FRAME_MS = 20;

// Each container's muxer, loaded when needed, behind one interface: the type, the initialization segment,
// and a media segment of packets (sequence: 1, 2, … per player).
const MUXERS = {
  webm: () => import('../shared/webm-opus.js').then((m) => ({
    type: m.WEBM_OPUS_TYPE,
    init: (opusHead) => m.webmInitSegment({ opusHead }),
    segment: (timeMs, packets) => m.webmCluster(timeMs, packets, FRAME_MS),
  })),
  mp4: () => import('../shared/mp4-opus.js').then((m) => ({
    type: m.MP4_OPUS_TYPE,
    init: (opusHead) => m.mp4InitSegment({ opusHead, frameMs: FRAME_MS }),
    segment: (timeMs, packets, sequence) => m.mp4Fragment(timeMs, packets, FRAME_MS, sequence),
  })),
};

// MediaSource where it exists (desktop Safari 17+ has both, and MediaSource asks less of the page), else
// ManagedMediaSource (iOS 17.1+), which wants disableRemotePlayback on the element before it is attached and
// may say when it wants data (startstreaming).
function mediaSourceClass() {
  if (typeof window.MediaSource === 'function') return window.MediaSource;
  if (typeof window.ManagedMediaSource === 'function') return window.ManagedMediaSource;
  return null;
}

function base64ToBytes(textValue) {
  const binary = atob(textValue);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class MsePlayer {
  /**
   * ctx: an AudioContext for the volume and the level meter (may be null); gain: 0..1; container: 'webm' or
   * 'mp4', one this browser plays (listen-session.js, mseContainer).
   */
  constructor({ ctx = null, gain = 1, targetS = TARGET_S, container = 'webm', onState = null } = {}) {
    Object.assign(this, { ctx, gain, targetS, container, onState });
    this.baseTargetS = targetS;
    this.opusHead = null;
    this.queue = [];
    this.timeMs = 0;
    this.muxer = null;
    this.segments = 0;
    this.sourceBuffer = null;
    this.mediaSource = null;
    this.sourceOpen = false;
    this.closed = false;
    this.started = false;
    this.waiting = 0;
    this.skippedMs = 0;
    this.seeks = 0;
    this.appended = 0;
    this.lastTrim = 0;
    this.lastPacketAt = -Infinity;
    this.analyser = null;
    this.gainNode = null;
    this.scratch = null;
    this.noise = null;
    this.state = 'idle';

    const audio = document.createElement('audio');
    audio.setAttribute('playsinline', '');
    audio.disableRemotePlayback = true; // ManagedMediaSource plays only without AirPlay
    audio.preservesPitch = true;
    audio.hidden = true;
    document.body.append(audio);
    this.audio = audio;
    audio.addEventListener('playing', () => this.setState('playing'));
    audio.addEventListener('waiting', () => {
      if (this.started && this.queueDepthS() < 0.02 && performance.now() - this.lastPacketAt < 200) {
        // Ran dry while the source speaks: the network is jitterier than the target allows.
        this.waiting += 1;
        this.targetS = Math.min(MAX_TARGET_S, this.targetS + 0.04);
      }
      this.setState('buffering');
    });
    this.routeThroughContext();
    this.open();
    MUXERS[container]().then((muxer) => {
      this.muxer = muxer;
      this.attach();
    }, (error) => {
      console.warn('Dragoman: MSE muxer', error);
      this.setState('failed');
    });
    this.timer = setInterval(() => this.steer(), 100);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.onState) this.onState(state);
  }

  /** The element's sound through the AudioContext (volume on iOS, where element volume is ignored; the level). */
  routeThroughContext() {
    this.audio.volume = Math.max(0, Math.min(1, this.gain));
    if (!this.ctx) return;
    try {
      const source = this.ctx.createMediaElementSource(this.audio);
      this.gainNode = this.ctx.createGain();
      this.gainNode.gain.value = this.gain;
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 2048;
      this.scratch = new Float32Array(this.analyser.fftSize);
      source.connect(this.gainNode);
      this.gainNode.connect(this.analyser);
      this.analyser.connect(earInput(this.ctx));
      this.audio.volume = 1;
      this.startComfortNoise();
    } catch {
      this.gainNode = this.analyser = null;
    }
  }

  /**
   * Very quiet noise (about −70 dBFS) straight to the speakers, as the worklet path has during silence: Android
   * freezes background tabs that are not audible, and a paused source leaves the element silent. No worklet is
   * needed: a looped one-second buffer.
   */
  startComfortNoise() {
    try {
      const buffer = this.ctx.createBuffer(1, this.ctx.sampleRate, this.ctx.sampleRate);
      const data = buffer.getChannelData(0);
      for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 5.5e-4;
      this.noise = this.ctx.createBufferSource();
      this.noise.buffer = buffer;
      this.noise.loop = true;
      this.noise.connect(this.ctx.destination);
      this.noise.start();
    } catch {
      this.noise = null;
    }
  }

  open() {
    const Source = mediaSourceClass();
    const mediaSource = new Source();
    this.mediaSource = mediaSource;
    mediaSource.addEventListener('sourceopen', () => {
      if (this.closed || this.mediaSource !== mediaSource) return;
      this.sourceOpen = true;
      this.attach();
    });
    mediaSource.addEventListener('startstreaming', () => this.flush()); // ManagedMediaSource only
    this.audio.src = URL.createObjectURL(mediaSource);
  }

  /** Adds the SourceBuffer once both the MediaSource is open and the container's muxer is loaded. */
  attach() {
    if (this.closed || this.sourceBuffer || !this.sourceOpen || !this.muxer) return;
    try {
      this.sourceBuffer = this.mediaSource.addSourceBuffer(this.muxer.type);
    } catch (error) {
      console.warn('Dragoman: MSE source buffer', error);
      this.setState('failed');
      return;
    }
    this.sourceBuffer.addEventListener('updateend', () => this.flush());
    this.sourceBuffer.addEventListener('error', () => this.setState('failed'));
    this.initPending = true;
    this.flush();
  }

  /** Call inside the user's gesture (autoplay rules): the element plays as soon as audio is appended. */
  play() {
    this.wantPlaying = true;
    const playing = this.audio.play();
    if (playing && typeof playing.catch === 'function') playing.catch(() => {});
  }

  /** The `codec` object of `welcome` / `tuned`. */
  configure(codec) {
    if (codec && codec.opusHead && !this.opusHead) {
      try {
        this.opusHead = base64ToBytes(codec.opusHead);
      } catch {
        this.opusHead = null;
      }
    }
  }

  /** One parsed packet (see packet.js); the same interface as OpusPlayer. */
  decode(packet) {
    if (this.closed) return;
    this.lastPacketAt = performance.now();
    this.queue.push(packet.payload.slice());
    if (this.queue.length > 100) this.queue.splice(0, this.queue.length - 50); // 2 s behind: keep 1 s
    this.flush();
  }

  flush() {
    const sb = this.sourceBuffer;
    if (!sb || sb.updating || this.closed || this.mediaSource.readyState !== 'open') return;
    try {
      if (this.initPending) {
        if (!this.queue.length) return; // the welcome's OpusHead comes before the first packet
        this.initPending = false;
        sb.appendBuffer(this.muxer.init(this.opusHead));
        return;
      }
      if (this.trim()) return;
      if (!this.queue.length) return;
      const packets = this.queue;
      this.queue = [];
      this.segments += 1;
      sb.appendBuffer(this.muxer.segment(this.timeMs, packets, this.segments));
      this.timeMs += packets.length * FRAME_MS;
      this.appended += packets.length;
    } catch (error) {
      // QuotaExceededError and the like: start the buffer again rather than stop.
      console.warn('Dragoman: MSE append', error);
      this.queue = [];
    }
  }

  /** Removes what was played long ago; true when a removal started (updateend continues). */
  trim() {
    const now = performance.now();
    const sb = this.sourceBuffer;
    if (now - this.lastTrim < 5000 || !sb.buffered.length) return false;
    this.lastTrim = now;
    const end = this.audio.currentTime - KEEP_BEHIND_S;
    if (end <= sb.buffered.start(0) + 1) return false;
    sb.remove(0, end);
    return true;
  }

  /** Seconds buffered ahead of the playhead. */
  queueDepthS() {
    const b = this.audio.buffered;
    if (!b.length) return 0;
    return Math.max(0, b.end(b.length - 1) - this.audio.currentTime);
  }

  /** Holds the playhead near the live edge. */
  steer() {
    if (this.closed) return;
    const audio = this.audio;
    const b = audio.buffered;
    this.targetS = Math.max(this.baseTargetS, this.targetS - 0.0005);
    if (!b.length) return;
    const end = b.end(b.length - 1);
    const ahead = end - audio.currentTime;
    if (!this.started && ahead > 0) this.started = true;
    if (ahead > this.targetS + SEEK_AHEAD_S) {
      this.skippedMs += (ahead - this.targetS) * 1000;
      this.seeks += 1;
      audio.currentTime = end - this.targetS;
      audio.playbackRate = 1;
      return;
    }
    let rate = 1;
    if (ahead > this.targetS + 0.06) rate = 1.03;
    else if (ahead > this.targetS + 0.02) rate = 1.01;
    else if (ahead < this.targetS - 0.04) rate = 0.97;
    if (audio.playbackRate !== rate) audio.playbackRate = rate;
    if (audio.paused && this.wantPlaying) this.play();
  }

  get bufferMs() {
    return this.sourceBuffer ? this.queueDepthS() * 1000 : null;
  }

  get stats() {
    if (!this.sourceBuffer) return null;
    const depthMs = this.queueDepthS() * 1000;
    return {
      depthMs,
      targetMs: this.targetS * 1000,
      jitterMs: null,
      underruns: this.waiting,
      skippedMs: this.skippedMs,
      comfortNoise: false,
      rate: this.audio.playbackRate,
    };
  }

  /** A new source or connection: nothing to reset (the timeline continues), but drop what waits. */
  reset() {
    this.queue = [];
  }

  setGain(gain) {
    this.gain = gain;
    if (this.gainNode) this.gainNode.gain.setTargetAtTime(gain, this.ctx.currentTime, 0.015);
    else this.audio.volume = Math.max(0, Math.min(1, gain));
  }

  level() {
    if (!this.analyser || this.closed) return 0;
    return analyserLevel(this.analyser, this.scratch);
  }

  close() {
    this.closed = true;
    this.wantPlaying = false;
    clearInterval(this.timer);
    try {
      this.audio.pause();
      if (this.audio.src) URL.revokeObjectURL(this.audio.src);
      this.audio.removeAttribute('src');
      this.audio.load();
    } catch {
      // Already gone.
    }
    try {
      if (this.noise) this.noise.stop();
      if (this.noise) this.noise.disconnect();
      if (this.gainNode) this.gainNode.disconnect();
      if (this.analyser) this.analyser.disconnect();
    } catch {
      // Already disconnected.
    }
    this.audio.remove();
    this.setState('idle');
  }
}
