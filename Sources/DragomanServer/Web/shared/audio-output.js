import { earInput } from './ear-guard.js';
// Where decoded audio goes on the low-delay paths:
// jitter worklet ─ output 0 → volume gain → analyser → speakers
//                └ output 1 (comfort noise) ───────────→ speakers

/** Asks iOS for a playback audio session (keeps playing when locked); must precede the AudioContext. */
export function requestPlaybackSession() {
  try {
    if (navigator.audioSession && navigator.audioSession.type !== 'playback') navigator.audioSession.type = 'playback';
  } catch {
    // Not WebKit, or not allowed: nothing to do.
  }
}

/** A new AudioContext for playback (call it inside the user's gesture), or null without Web Audio. */
export function createAudioContext() {
  requestPlaybackSession();
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  try {
    return new Context({ latencyHint: 'interactive' });
  } catch {
    return new Context();
  }
}

/** True for the states a context can be resumed from (WebKit's 'interrupted' included). */
export function isResumable(ctx) {
  return !!ctx && (ctx.state === 'suspended' || ctx.state === 'interrupted');
}

/**
 * Resumes ctx whenever it can while wanted() is true: when the page is shown again, gets the focus,
 * on any tap or key, and when the context itself changes state.
 */
export function keepResumed(ctx, wanted) {
  const tryResume = () => {
    if (wanted() && isResumable(ctx)) ctx.resume().catch(() => {});
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') tryResume();
  });
  window.addEventListener('focus', tryResume);
  window.addEventListener('pageshow', tryResume);
  for (const type of ['pointerdown', 'touchend', 'keydown']) {
    document.addEventListener(type, tryResume, { capture: true, passive: true });
  }
  ctx.addEventListener('statechange', tryResume);
}

/** RMS (0..1) of what an analyser sees now. */
export function analyserLevel(analyser, scratch) {
  if (!analyser) return 0;
  const buffer = scratch && scratch.length === analyser.fftSize ? scratch : new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(buffer);
  let sum = 0;
  for (let i = 0; i < buffer.length; i++) sum += buffer[i] * buffer[i];
  return Math.sqrt(sum / buffer.length);
}

/** Volume slider position (0..100) → gain: a square law, closer to how loudness is heard. */
export function sliderToGain(position) {
  const x = Math.max(0, Math.min(100, Number(position) || 0)) / 100;
  return x * x;
}

const loadedContexts = new WeakSet();

export class AudioOutput {
  /** Loads the worklet module into ctx (once) and builds the graph. */
  static async create(ctx, options = {}) {
    if (!loadedContexts.has(ctx)) {
      await ctx.audioWorklet.addModule(new URL('./jitter-worklet.js', import.meta.url));
      loadedContexts.add(ctx);
    }
    return new AudioOutput(ctx, options);
  }

  constructor(ctx, { gain = 1, onStats = null } = {}) {
    this.ctx = ctx;
    this.onStats = onStats;
    this.stats = null;
    this.stale = false;
    this.node = new AudioWorkletNode(ctx, 'dragoman-jitter', {
      numberOfInputs: 0,
      numberOfOutputs: 2,
      outputChannelCount: [1, 1],
      processorOptions: { initialTargetMs: 60, minTargetMs: 40, maxTargetMs: 250 },
    });
    this.gain = ctx.createGain();
    this.gain.gain.value = gain;
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.scratch = new Float32Array(this.analyser.fftSize);
    this.node.connect(this.gain, 0);
    this.gain.connect(this.analyser);
    this.analyser.connect(earInput(ctx));
    this.node.connect(ctx.destination, 1);
    this.node.port.onmessage = (event) => {
      if (event.data && event.data.type === 'stats') {
        this.stats = event.data;
        if (this.onStats) this.onStats(event.data);
      }
    };
  }

  /**
   * Queues 48 kHz mono samples (the buffer is transferred). meta: { seq, arrival, discontinuity }.
   * While the context is not running, audio is dropped rather than piled up; the buffer starts
   * afresh once it runs again.
   */
  push(samples, meta = {}) {
    if (this.ctx.state !== 'running') {
      this.stale = true;
      return;
    }
    if (this.stale) {
      this.stale = false;
      this.reset();
    }
    this.node.port.postMessage(
      { type: 'pcm', samples, seq: meta.seq, arrival: meta.arrival, discontinuity: !!meta.discontinuity },
      [samples.buffer],
    );
  }

  reset() {
    this.node.port.postMessage({ type: 'reset' });
  }

  setGain(value) {
    this.gain.gain.setTargetAtTime(value, this.ctx.currentTime, 0.015);
  }

  level() {
    return analyserLevel(this.analyser, this.scratch);
  }

  /** Average depth of the jitter buffer in ms (null before the first stats). */
  get bufferMs() {
    return this.stats ? this.stats.depthMs : null;
  }

  close() {
    try {
      this.node.disconnect();
      this.gain.disconnect();
      this.analyser.disconnect();
    } catch {
      // Already disconnected.
    }
  }
}
