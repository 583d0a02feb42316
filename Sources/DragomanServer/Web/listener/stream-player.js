// The <audio> fallback for pages without a secure context (no AudioWorklet, no WebCodecs): the live
// Ogg/Opus stream at /stream/{code}/{channel}.ogg. Its delay is the browser's media buffering:
// Chromium 156 here starts such a stream after ~4 s and then plays ~2.3 s behind; jumping closer
// makes it stall and buffer the same again, so the player only jumps back towards the live edge
// after a large backlog (a frozen tab), and opens the stream again after an error, an end, or a
// long stall.

import { analyserLevel } from '../shared/audio-output.js';
import { earInput } from '../shared/ear-guard.js';

const RETRY_MS = [300, 600, 1000, 1500, 2000];
const MAX_BEHIND_S = 6;
const LIVE_MARGIN_S = 2.5;
const STALL_RELOAD_MS = 10000;

export class StreamPlayer {
  /** Whether this browser's <audio> can play Ogg/Opus at all. */
  static canPlay() {
    const audio = document.createElement('audio');
    return typeof audio.canPlayType === 'function' && audio.canPlayType('audio/ogg; codecs="opus"') !== '';
  }

  /**
   * ctx: an AudioContext used only to measure the level (where captureStream exists); may be null.
   * onState('connecting' | 'playing' | 'buffering' | 'reconnecting' | 'paused' | 'failed').
   */
  constructor({ ctx = null, onState = null } = {}) {
    this.ctx = ctx;
    this.onState = onState;
    this.url = null;
    this.wanted = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.lastTime = 0;
    this.lastProgressAt = 0;
    this.analyser = null;
    this.tapTrackId = null;
    this.scratch = null;
    this.state = 'idle';
    this.loadedAt = 0;

    const audio = document.createElement('audio');
    audio.preload = 'none';
    audio.setAttribute('playsinline', '');
    audio.hidden = true;
    document.body.append(audio);
    this.audio = audio;
    this.gainNode = null;
    this.routeThroughTheGuard();

    audio.addEventListener('playing', () => {
      this.attempt = 0;
      this.hasPlayed = true;
      this.lastProgressAt = performance.now();
      this.tapLevel();
      this.setState('playing');
    });
    const waiting = () => this.wanted && this.hasPlayed && this.setState('buffering');
    audio.addEventListener('waiting', waiting);
    audio.addEventListener('stalled', waiting);
    audio.addEventListener('error', () => this.retry());
    audio.addEventListener('ended', () => this.retry());
    audio.addEventListener('pause', () => {
      // Paused by the system (headphones unplugged, another app took the audio): report it.
      // (Changing src pauses too, a moment later: ignore pauses right after a load.)
      if (this.wanted && performance.now() - this.loadedAt > 1000) this.setState('paused');
    });
    this.watchdog = setInterval(() => this.check(), 1000);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.onState) this.onState(state);
  }

  /** Starts playing url; call it inside the user's gesture (iOS). */
  start(url) {
    this.wanted = true;
    this.attempt = 0;
    this.load(url);
  }

  /** Plays another channel's stream. */
  switchTo(url) {
    if (!this.wanted) {
      this.url = url;
      return;
    }
    this.load(url);
  }

  load(url) {
    clearTimeout(this.retryTimer);
    this.url = url;
    this.loadedAt = performance.now();
    this.hasPlayed = false;
    this.audio.src = url;
    this.lastTime = 0;
    this.lastProgressAt = performance.now();
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const playing = this.audio.play();
    if (playing && typeof playing.catch === 'function') {
      playing.catch((error) => {
        if (error && error.name === 'NotAllowedError') {
          this.wanted = false;
          this.setState('paused');
        }
        // Other failures surface as an 'error' event, which retries.
      });
    }
  }

  retry() {
    if (!this.wanted) return;
    clearTimeout(this.retryTimer);
    const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
    this.attempt += 1;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => {
      if (this.wanted && this.url) this.load(this.url);
    }, delay);
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.audio.pause();
    this.audio.removeAttribute('src');
    this.audio.load(); // closes the HTTP stream
    this.setState('idle');
  }

  /** Seconds of audio buffered ahead of the playhead. */
  bufferedAhead() {
    const { buffered, currentTime } = this.audio;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered.start(i) <= currentTime + 0.05 && currentTime <= buffered.end(i)) return buffered.end(i) - currentTime;
    }
    return buffered.length ? Math.max(0, buffered.end(buffered.length - 1) - currentTime) : 0;
  }

  get bufferMs() {
    return this.wanted ? Math.round(this.bufferedAhead() * 1000) : null;
  }

  check() {
    if (!this.wanted || this.audio.paused) return;
    const now = performance.now();
    if (this.audio.currentTime !== this.lastTime) {
      this.lastTime = this.audio.currentTime;
      this.lastProgressAt = now;
    } else if (now - this.lastProgressAt > STALL_RELOAD_MS && this.url) {
      // Nothing played for a while (the floor went off the air, or the connection died quietly):
      // open the stream afresh, which also puts it back at the live edge.
      this.load(this.url);
      return;
    }
    const ahead = this.bufferedAhead();
    if (ahead > MAX_BEHIND_S) {
      try {
        this.audio.currentTime = this.audio.currentTime + ahead - LIVE_MARGIN_S;
      } catch {
        // Not seekable: the stall reload above is the remedy.
      }
    }
  }

  /**
   * Plays the element through the page's audio context, so that it ends in the ear's guard like every other
   * path (Opus may decode above the −1 dBFS the server's limiter let through), with a gain for the volume
   * (iOS ignores the element's) and an analyser for the level. Without Web Audio the element plays as it is.
   */
  routeThroughTheGuard() {
    if (!this.ctx || typeof this.ctx.createMediaElementSource !== 'function') return;
    try {
      const source = this.ctx.createMediaElementSource(this.audio);
      this.gainNode = this.ctx.createGain();
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 2048;
      this.scratch = new Float32Array(this.analyser.fftSize);
      source.connect(this.gainNode);
      this.gainNode.connect(this.analyser);
      this.analyser.connect(earInput(this.ctx));
    } catch {
      this.gainNode = null;
      this.analyser = null;
    }
  }

  setGain(gain) {
    const level = Math.max(0, Math.min(1, gain));
    if (this.gainNode) this.gainNode.gain.value = level;
    // iOS ignores element volume; the hardware buttons still work there.
    else this.audio.volume = level;
  }

  /** Taps the element's output for level() without rerouting it (captureStream; Chrome), where it is not routed. */
  tapLevel() {
    if (this.gainNode || !this.ctx || typeof this.audio.captureStream !== 'function') return;
    try {
      const stream = this.audio.captureStream();
      const track = stream.getAudioTracks()[0];
      if (!track || track.id === this.tapTrackId) return;
      this.tapTrackId = track.id;
      if (this.tapSource) this.tapSource.disconnect();
      this.tapSource = this.ctx.createMediaStreamSource(new MediaStream([track]));
      if (!this.analyser) {
        this.analyser = this.ctx.createAnalyser();
        this.analyser.fftSize = 2048;
        this.scratch = new Float32Array(this.analyser.fftSize);
      }
      this.tapSource.connect(this.analyser);
    } catch {
      this.analyser = null;
    }
  }

  level() {
    if (!this.analyser || !this.wanted) return 0;
    return analyserLevel(this.analyser, this.scratch);
  }
}
