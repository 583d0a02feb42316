// What the interpreter hears: the booth's Opus packets → WebCodecs → jitter buffer → volume → bass → treble →
// limiter → hard ceiling → analyser → headphones.
//
// The limiter is the acoustic-shock protection (ISO 20109): a fast compressor (20:1 above −12 dBFS) and, behind
// it, a waveshaper that clips anything the compressor lets through above −1 dBFS. Volume goes up to +6 dB before
// the limiter, for a quiet floor; it can never push the output past the ceiling.

import { AudioOutput } from '../shared/audio-output.js';
import { OpusPlayer } from '../shared/opus-player.js';
import { KIND_OPUS, parsePacket } from '../shared/packet.js';

const CEILING = 10 ** (-1 / 20); // −1 dBFS
const MAX_GAIN = 2; // +6 dB at the top of the volume slider

/** Volume slider position (0..100) → gain: square law, up to MAX_GAIN. */
export function volumeGain(position) {
  const x = Math.max(0, Math.min(100, Number(position) || 0)) / 100;
  return MAX_GAIN * x * x;
}

/** The volume slider's position as dB ("−inf" at 0). */
export function volumeDb(position) {
  const g = volumeGain(position);
  return g > 0 ? 20 * Math.log10(g) : -Infinity;
}

function ceilingCurve() {
  const n = 4097;
  const curve = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i / (n - 1)) * 2 - 1;
    curve[i] = Math.max(-CEILING, Math.min(CEILING, x));
  }
  return curve;
}

export class IncomingAudio {
  static async isSupported() {
    return OpusPlayer.isSupported();
  }

  /** Builds the chain in ctx (the jitter worklet is loaded once per context). */
  static async create(ctx, { volume = 70, bass = 0, treble = 0 } = {}) {
    const output = await AudioOutput.create(ctx, { gain: volumeGain(volume) });
    return new IncomingAudio(ctx, output, { bass, treble });
  }

  constructor(ctx, output, { bass, treble }) {
    this.ctx = ctx;
    this.output = output;
    this.packets = 0;
    this.lost = 0;
    this.lastSeq = null;
    this.lastPacketAt = 0;

    this.bass = ctx.createBiquadFilter();
    this.bass.type = 'lowshelf';
    this.bass.frequency.value = 250;
    this.bass.gain.value = bass;
    this.treble = ctx.createBiquadFilter();
    this.treble.type = 'highshelf';
    this.treble.frequency.value = 3500;
    this.treble.gain.value = treble;
    this.limiter = ctx.createDynamicsCompressor();
    this.limiter.threshold.value = -12;
    this.limiter.knee.value = 0;
    this.limiter.ratio.value = 20;
    this.limiter.attack.value = 0.001;
    this.limiter.release.value = 0.1;
    this.ceiling = ctx.createWaveShaper();
    this.ceiling.curve = ceilingCurve();
    this.ceiling.oversample = '4x';

    // AudioOutput wires volume → analyser → speakers; put the tone and the limiter in between, so that the
    // analyser (and incomingLevel()) measures what the ears get.
    output.gain.disconnect();
    output.gain.connect(this.bass);
    this.bass.connect(this.treble);
    this.treble.connect(this.limiter);
    this.limiter.connect(this.ceiling);
    this.ceiling.connect(output.analyser);

    this.player = new OpusPlayer(output);
  }

  /** The `codec` object of booth-welcome. */
  configure(codec) {
    this.player.configure(codec);
    this.lastSeq = null;
  }

  /** One binary message from the booth socket. */
  receive(buffer) {
    const packet = parsePacket(buffer);
    if (!packet || packet.kind !== KIND_OPUS) return;
    const now = performance.now();
    if (this.lastSeq !== null && !packet.discontinuity) {
      const gap = (packet.seq - this.lastSeq - 1) >>> 0;
      if (gap > 0 && gap < 1000) this.lost += gap;
    }
    this.lastSeq = packet.seq;
    this.packets += 1;
    this.lastPacketAt = now;
    this.player.decode(packet, now);
  }

  /** After a reconnect: the next packets start a new stream. */
  reset() {
    this.lastSeq = null;
    this.output.reset();
  }

  setVolume(position) {
    this.output.setGain(volumeGain(position));
  }

  setBass(db) {
    this.bass.gain.setTargetAtTime(Number(db) || 0, this.ctx.currentTime, 0.02);
  }

  setTreble(db) {
    this.treble.gain.setTargetAtTime(Number(db) || 0, this.ctx.currentTime, 0.02);
  }

  /** RMS (0..1) of what the interpreter hears now, after the limiter. */
  level() {
    return this.output.level();
  }

  /** Whether packets arrived in the last second. */
  get receiving() {
    return this.lastPacketAt > 0 && performance.now() - this.lastPacketAt < 1000;
  }

  get bufferMs() {
    return this.output.bufferMs;
  }

  close() {
    this.player.close();
    this.output.close();
    for (const node of [this.bass, this.treble, this.limiter, this.ceiling]) {
      try {
        node.disconnect();
      } catch {
        // Already disconnected.
      }
    }
  }
}
