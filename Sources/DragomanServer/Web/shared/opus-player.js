// Opus packets → WebCodecs AudioDecoder → AudioOutput.

function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const BASE_CONFIG = { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 };

export class OpusPlayer {
  /** Whether this browser decodes 48 kHz mono Opus with WebCodecs. */
  static async isSupported() {
    if (typeof window.AudioDecoder !== 'function' || typeof window.EncodedAudioChunk !== 'function') return false;
    try {
      const answer = await window.AudioDecoder.isConfigSupported(BASE_CONFIG);
      return !!(answer && answer.supported);
    } catch {
      return false;
    }
  }

  constructor(output, { onError = null } = {}) {
    this.output = output;
    this.onError = onError;
    this.decoder = null;
    this.config = { ...BASE_CONFIG };
    this.timestamp = 0;
    this.frameUs = 20000;
    // Packet facts in decode order. Outputs come back in the same order, one per 20 ms packet, but
    // not with the input's timestamp (Chrome numbers them by output duration after the pre-skip).
    this.pending = [];
    this.errors = 0;
  }

  /** The `codec` object of `welcome` / `tuned`: its opusHead becomes the decoder's description. */
  configure(codec) {
    const config = { ...BASE_CONFIG };
    if (codec) {
      if (codec.sampleRate) config.sampleRate = codec.sampleRate;
      if (codec.channels) config.numberOfChannels = codec.channels;
      if (codec.frameDurationMs) this.frameUs = codec.frameDurationMs * 1000;
      if (codec.opusHead) {
        try {
          config.description = base64ToBytes(codec.opusHead);
        } catch {
          // A bad header: decode without it (no pre-skip).
        }
      }
    }
    this.config = config;
    this.restart();
  }

  restart() {
    this.pending = [];
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.reset();
      } catch {
        this.decoder = null;
      }
    }
    if (!this.decoder || this.decoder.state === 'closed') {
      this.decoder = new window.AudioDecoder({
        output: (data) => this.emit(data),
        error: (error) => {
          this.errors += 1;
          if (this.onError) this.onError(error);
        },
      });
    }
    this.decoder.configure(this.config);
  }

  /** One parsed packet (see packet.js) with its arrival time (ms, performance.now()). */
  decode(packet, arrival) {
    if (!this.decoder || this.decoder.state === 'closed') this.restart();
    // A new source (discontinuity) needs no reset: every packet decodes on its own, and a reset would drop the
    // pre-skip and wait for the decoder again, which ran the jitter buffer dry at each floor ↔ booth switch.
    // A new channel or connection reconfigures (configure()) anyway.
    if (this.decoder.decodeQueueSize > 25) return; // far behind: let the jitter buffer catch up
    const timestamp = this.timestamp;
    this.timestamp += this.frameUs;
    this.pending.push({ seq: packet.seq, arrival, discontinuity: packet.discontinuity });
    if (this.pending.length > 64) this.pending.shift();
    try {
      this.decoder.decode(new window.EncodedAudioChunk({ type: 'key', timestamp, duration: this.frameUs, data: packet.payload }));
    } catch (error) {
      this.errors += 1;
      this.pending.pop();
      if (this.onError) this.onError(error);
    }
  }

  emit(data) {
    try {
      const frames = data.numberOfFrames;
      const samples = new Float32Array(frames);
      try {
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      } catch {
        data.copyTo(samples, { planeIndex: 0 });
      }
      const meta = this.pending.shift() || {};
      if (frames > 0) this.output.push(samples, meta);
    } finally {
      data.close();
    }
  }

  close() {
    this.pending = [];
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.close();
      } catch {
        // Already closed.
      }
    }
    this.decoder = null;
  }
}
