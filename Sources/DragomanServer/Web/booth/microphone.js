// The interpreter's microphone: the shared capture (getUserMedia with every processing off → 20 ms mono Float32
// chunks) → s16le → onChunk(ArrayBuffer). The console sends it all the time (docs/protocol.md); the server uses it
// only while this interpreter is live and not coughing. While the cough key is held the chunks are zeros here
// already, so that the mute does not wait for the server.
//
// It also watches the input, for the warnings an interpreter needs: clipping, too quiet, silent while live.

import { CHUNK_MS, MicrophoneCapture, toS16LE } from '../shared/microphone-capture.js';

const CLIP_PEAK = 0.99; // about −0.1 dBFS
const SILENT_PEAK = 10 ** (-55 / 20); // below this for SILENT_S: no microphone signal
const QUIET_PEAK = 10 ** (-30 / 20); // peaks never above this for QUIET_S: too quiet
const SILENT_S = 6;
const QUIET_S = 8;
const CLIP_HOLD_S = 2;
const HISTORY = Math.round((QUIET_S * 1000) / CHUNK_MS);

export class Microphone {
  /** ctx: the console's AudioContext; onChunk(ArrayBuffer s16le); onEnded(): the device went away. */
  constructor(ctx, { onChunk, onEnded = null }) {
    this.ctx = ctx;
    this.onChunk = onChunk;
    this.capture = new MicrophoneCapture({ onChunk: (chunk) => this.chunk(chunk), onEnded });
    this.muted = false; // the cough key, locally
    this.lastRms = 0;
    this.lastPeak = 0;
    this.peakSinceRead = 0;
    this.peaks = new Float32Array(HISTORY); // ring of the last chunks' peaks
    this.filled = 0;
    this.next = 0;
    this.lastClipAt = -Infinity;
    this.openedAt = 0;
    this.deviceId = '';
  }

  get isOpen() {
    return this.capture.isOpen;
  }

  /** Opens the input (deviceId '' = the default). Throws the getUserMedia error. */
  async open(deviceId = '') {
    await this.capture.open(() => this.ctx, deviceId);
    this.deviceId = deviceId;
    this.filled = 0;
    this.next = 0;
    this.openedAt = performance.now();
  }

  close() {
    this.capture.close();
  }

  /** The label of the input in use, when the browser tells it. */
  get label() {
    return this.capture.label;
  }

  chunk(message) {
    const peak = message.peak;
    this.lastPeak = peak;
    this.lastRms = message.rms;
    this.peakSinceRead = Math.max(this.peakSinceRead, peak);
    this.peaks[this.next] = peak;
    this.next = (this.next + 1) % HISTORY;
    this.filled = Math.min(HISTORY, this.filled + 1);
    if (peak >= CLIP_PEAK) this.lastClipAt = performance.now();
    if (this.muted) message.samples.fill(0);
    if (this.onChunk) this.onChunk(toS16LE(message.samples));
  }

  /** The highest peak since the last call (for a meter drawn at display rate). */
  takePeak() {
    const p = this.peakSinceRead;
    this.peakSinceRead = 0;
    return p;
  }

  /** The highest chunk peak over the last `seconds` (null while there is less history than that). */
  maxPeak(seconds) {
    const n = Math.round((seconds * 1000) / CHUNK_MS);
    if (this.filled < n) return null;
    let max = 0;
    for (let i = 1; i <= n; i++) max = Math.max(max, this.peaks[(this.next - i + HISTORY) % HISTORY]);
    return max;
  }

  /**
   * The warnings that apply now: 'clip' (peaks at full scale in the last 2 s), 'silent-live' (live, and no signal
   * for 6 s), 'quiet' (live, and the peaks stayed below −30 dBFS for 8 s), 'no-signal' (not live, nothing at all).
   */
  warnings({ live }) {
    if (!this.isOpen) return [];
    const out = [];
    if (performance.now() - this.lastClipAt < CLIP_HOLD_S * 1000) out.push('clip');
    const silentPeak = this.maxPeak(SILENT_S);
    const quietPeak = this.maxPeak(QUIET_S);
    if (live) {
      if (silentPeak !== null && silentPeak < SILENT_PEAK) out.push('silent-live');
      else if (quietPeak !== null && quietPeak < QUIET_PEAK) out.push('quiet');
    } else if (silentPeak !== null && silentPeak === 0) {
      out.push('no-signal');
    }
    return out;
  }
}
