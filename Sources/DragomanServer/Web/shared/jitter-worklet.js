// AudioWorkletProcessor 'dragoman-jitter': a small adaptive jitter buffer.
//
// Input (port messages): { type: 'pcm', samples: Float32Array at 48 kHz mono, seq?, arrival? (ms,
// main-thread clock), discontinuity? }, { type: 'reset' }.
// Output 0: the programme (to the volume gain and the analyser). Output 1: comfort noise at about
// -70 dBFS while the programme is silent, wired straight to the destination so that the page stays
// audible to the browser (Android freezes silent background tabs) without touching the level.
// Stats (port, every 250 ms): { type: 'stats', depthMs, minDepthMs, targetMs, jitterMs, underruns,
// skippedMs, playing, rate }.
//
// The buffer keeps its average depth near a target. The target starts at 60 ms and follows the
// measured arrival jitter (spread of arrival time - seq * 20 ms over the last 5 s) between 40 and
// 250 ms; each underrun raises it by 20 ms, and that boost melts at 10 ms/s, so after a burst of
// bad luck the delay is back at the target within seconds. Small excess or shortage is corrected by
// playing up to 3 % faster or 1 % slower (linear interpolation, which also converts 48 kHz to the
// context's rate); an excess is skipped with a 5 ms crossfade at once when it is large (> 100 ms),
// and during a pause of the speech when it is over 20 ms (dropping silence is inaudible).
// A change of source (the discontinuity flag: floor ↔ booth) is not jitter: the new source's
// frames come on another 20 ms phase, so for 2 s after it the last frame left is played 20 % slower
// instead of running dry, and an underrun right at a switch does not raise the target.
// On underrun the output fades out and the buffer refills to the target before fading in again.

const IN_RATE = 48000;
const FRAME_MS = 20;
const CAPACITY = IN_RATE * 4;
const BLOCK_MS = 250;
const TRANSIT_WINDOW = 250; // packets: 5 s of 20 ms frames
const WARMUP_PACKETS = 15; // 300 ms
const FRAME_SAMPLES = (IN_RATE * FRAME_MS) / 1000;

class JitterBufferProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.minTargetMs = o.minTargetMs ?? 40;
    this.maxTargetMs = o.maxTargetMs ?? 250;
    this.targetMs = o.initialTargetMs ?? 60;
    this.noiseAmplitude = o.noiseAmplitude ?? 5.5e-4; // uniform noise, RMS ≈ -70 dBFS

    this.ring = new Float32Array(CAPACITY);
    this.read = 0; // index of the next input sample
    this.frac = 0; // fractional position between read and read + 1
    this.write = 0;
    this.count = 0; // samples between read and write

    this.baseStep = IN_RATE / sampleRate;
    this.correction = 0;
    this.stretch = 1; // < 1: stretching the last frame across a switch of source
    this.playing = false;
    this.gain = 0;
    this.fadeStep = 1 / Math.max(1, Math.round(0.005 * sampleRate));
    this.tail = 0;
    this.crossfade = null; // { offset, pos }
    this.crossfadeLength = Math.max(1, Math.round(0.005 * sampleRate));

    this.transit = new Float64Array(TRANSIT_WINDOW);
    this.transitCount = 0;
    this.transitNext = 0;
    this.lastArrival = 0;
    this.warmup = WARMUP_PACKETS;
    this.jitterMs = 0;
    this.underrunBoostMs = 0;
    this.underrunAt = null;
    this.switchGuardUntil = -1; // currentTime until which a source switch is being absorbed

    this.blockFrames = Math.round((sampleRate * BLOCK_MS) / 1000);
    this.blockPos = 0;
    this.blockMin = Infinity;
    this.blockSum = 0;
    this.blockQuanta = 0;
    this.blockPeak = 0;
    this.blockMins = [];
    this.underruns = 0;
    this.skippedMs = 0;
    this.silentMs = 1000;
    this.noiseGain = 0;

    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (!message) return;
    if (message.type === 'pcm') this.push(message);
    else if (message.type === 'reset') this.flush();
  }

  flush() {
    this.read = this.write = this.count = 0;
    this.frac = 0;
    this.playing = false;
    this.crossfade = null;
    this.transitCount = 0;
    this.warmup = WARMUP_PACKETS;
    this.blockMins = [];
    this.underrunAt = null;
  }

  push(message) {
    const samples = message.samples;
    if (!samples || !samples.length) return;
    if (message.discontinuity) {
      this.transitCount = 0;
      this.warmup = WARMUP_PACKETS;
      this.switchGuardUntil = currentTime + 2;
    }
    if (this.underrunAt !== null) {
      // Audio that resumes soon after running dry means the buffer was too small (jitter); a long
      // gap is the source going quiet (floor off the air), which says nothing about the network;
      // nor does a switch of source.
      if (currentTime - this.underrunAt < 0.5 && currentTime > this.switchGuardUntil) {
        this.underruns += 1;
        this.underrunBoostMs = Math.min(this.maxTargetMs, this.underrunBoostMs + 20);
      }
      this.underrunAt = null;
    }
    if (typeof message.seq === 'number' && typeof message.arrival === 'number') this.noteArrival(message.seq, message.arrival);
    const n = Math.min(samples.length, CAPACITY - 4);
    const overflow = this.count + n - (CAPACITY - 4);
    if (overflow > 0) this.discard(overflow);
    const first = Math.min(n, CAPACITY - this.write);
    this.ring.set(samples.subarray(0, first), this.write);
    if (first < n) this.ring.set(samples.subarray(first, n), 0);
    this.write = (this.write + n) % CAPACITY;
    this.count += n;
  }

  discard(n) {
    this.crossfade = null;
    this.read = (this.read + n) % CAPACITY;
    this.count -= n;
  }

  noteArrival(seq, arrival) {
    const transit = arrival - seq * FRAME_MS;
    const paused = arrival - this.lastArrival > 500;
    if (this.transitCount > 0) {
      const last = this.transit[(this.transitNext + TRANSIT_WINDOW - 1) % TRANSIT_WINDOW];
      // A pause of the source (no frames, same sequence) or a new sequence is not jitter: start over.
      if (paused || Math.abs(transit - last) > 1000) {
        this.transitCount = 0;
        this.warmup = WARMUP_PACKETS;
      }
    } else if (paused) {
      this.warmup = WARMUP_PACKETS;
    }
    this.lastArrival = arrival;
    if (this.warmup > 0) {
      // The first packets of a (re)start come in a clump (page, decoder, socket starting): not jitter.
      this.warmup -= 1;
      return;
    }
    this.transit[this.transitNext] = transit;
    this.transitNext = (this.transitNext + 1) % TRANSIT_WINDOW;
    if (this.transitCount < TRANSIT_WINDOW) this.transitCount += 1;
  }

  measureJitter() {
    const n = this.transitCount;
    if (n < 25) return null;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = this.transit[(this.transitNext - n + i + TRANSIT_WINDOW) % TRANSIT_WINDOW];
    values.sort();
    return values[Math.floor(0.97 * (n - 1))] - values[0];
  }

  sampleAt(offset) {
    const i = (this.read + offset) % CAPACITY;
    const a = this.ring[i];
    const b = this.ring[(i + 1) % CAPACITY];
    return a + (b - a) * this.frac;
  }

  nextSample() {
    let value = this.sampleAt(0);
    const xf = this.crossfade;
    if (xf) {
      const g = xf.pos / this.crossfadeLength;
      value = value * (1 - g) + this.sampleAt(xf.offset) * g;
      xf.pos += 1;
      if (xf.pos >= this.crossfadeLength) {
        this.crossfade = null;
        this.read = (this.read + xf.offset) % CAPACITY;
        this.count -= xf.offset;
      }
    }
    this.frac += this.baseStep * (1 + this.correction) * this.stretch;
    const advance = Math.floor(this.frac);
    this.frac -= advance;
    this.read = (this.read + advance) % CAPACITY;
    this.count -= advance;
    return value;
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    const noise = outputs[1] && outputs[1][0];
    const frames = out.length;
    const startSamples = ((this.targetMs + FRAME_MS / 2) * IN_RATE) / 1000;
    let peak = 0;

    for (let i = 0; i < frames; i++) {
      if (!this.playing && this.count >= startSamples) {
        this.playing = true;
        this.gain = 0;
      }
      let value = 0;
      if (this.playing) {
        if (this.crossfade && this.count < this.crossfade.offset + 4) this.crossfade = null;
        // Across a switch of source, hold what is left rather than run dry between the two phases.
        this.stretch = currentTime < this.switchGuardUntil && this.count < FRAME_SAMPLES ? 0.8 : 1;
        if (this.count < 2 + Math.ceil(this.baseStep * 1.05)) {
          this.playing = false;
          this.underrunAt = currentTime;
        }
      }
      if (this.playing) {
        if (this.gain < 1) this.gain = Math.min(1, this.gain + this.fadeStep);
        value = this.nextSample() * this.gain;
        this.tail = value;
      } else {
        this.tail *= 0.97; // fade the last value out instead of a click
        value = this.tail;
      }
      out[i] = value;
      const a = value < 0 ? -value : value;
      if (a > peak) peak = a;
    }

    if (noise) {
      const wanted = this.silentMs >= 500 ? 1 : 0;
      const step = 1 / (0.05 * sampleRate);
      for (let i = 0; i < noise.length; i++) {
        if (this.noiseGain < wanted) this.noiseGain = Math.min(wanted, this.noiseGain + step);
        else if (this.noiseGain > wanted) this.noiseGain = Math.max(wanted, this.noiseGain - step);
        noise[i] = this.noiseGain > 0 ? (Math.random() * 2 - 1) * this.noiseAmplitude * this.noiseGain : 0;
      }
    }

    const depth = this.count;
    if (depth < this.blockMin) this.blockMin = depth;
    this.blockSum += depth;
    this.blockQuanta += 1;
    if (peak > this.blockPeak) this.blockPeak = peak;
    this.blockPos += frames;
    if (this.blockPos >= this.blockFrames) this.endBlock();
    return true;
  }

  endBlock() {
    const toMs = 1000 / IN_RATE;
    const minDepthMs = this.blockMin * toMs;
    const depthMs = (this.blockSum / Math.max(1, this.blockQuanta)) * toMs;
    const wasPlaying = this.playing;

    // Target: from the measured jitter, raised by underruns; rises at once, falls slowly.
    const jitter = this.measureJitter();
    if (jitter !== null) this.jitterMs = jitter;
    this.underrunBoostMs = Math.max(0, this.underrunBoostMs - 2.5);
    const base = jitter === null ? 60 : jitter * 1.2 + 20;
    const wanted = Math.min(this.maxTargetMs, Math.max(this.minTargetMs, base + this.underrunBoostMs));
    this.targetMs = wanted > this.targetMs ? wanted : Math.max(wanted, this.targetMs - 5);

    // Depth control on the 1 s minimum: with frames arriving every 20 ms the depth is a sawtooth
    // whose average is about the minimum plus half a frame.
    if (wasPlaying) {
      this.blockMins.push(minDepthMs);
      if (this.blockMins.length > 4) this.blockMins.shift();
    } else {
      this.blockMins = [];
    }
    this.correction = 0;
    if (wasPlaying && this.blockMins.length >= 2) {
      const error = Math.min(...this.blockMins) + FRAME_MS / 2 - this.targetMs;
      const pause = this.blockPeak < 3e-3; // speech pause (or silence): skipping is inaudible
      if ((error > 100 || (error > 20 && pause)) && !this.crossfade) {
        const skipMs = error - 10;
        const offset = Math.round((skipMs * IN_RATE) / 1000);
        if (this.count > offset + this.crossfadeLength * 2 + 4) {
          this.crossfade = { offset, pos: 0 };
          this.skippedMs += skipMs;
          this.blockMins = [];
        }
      } else if (Math.abs(error) > 5) {
        this.correction = Math.max(-0.01, Math.min(0.03, error / 2000));
      }
    }

    // Comfort noise after half a second of (near) digital silence or of no programme at all.
    if (!wasPlaying || this.blockPeak < 1e-4) this.silentMs += BLOCK_MS;
    else this.silentMs = 0;

    this.port.postMessage({
      type: 'stats',
      depthMs,
      minDepthMs,
      targetMs: this.targetMs,
      jitterMs: this.jitterMs,
      underruns: this.underruns,
      skippedMs: this.skippedMs,
      playing: this.playing,
      rate: 1 + this.correction,
      comfortNoise: this.silentMs >= 500,
    });

    this.blockPos = 0;
    this.blockMin = Infinity;
    this.blockSum = 0;
    this.blockQuanta = 0;
    this.blockPeak = 0;
  }
}

registerProcessor('dragoman-jitter', JitterBufferProcessor);
