// kind=2 packets (signed 16-bit little-endian, 48 kHz mono) → AudioOutput. For secure browsers
// without Opus in WebCodecs; the socket asks for them with codec=pcm.

export class PcmPlayer {
  constructor(output) {
    this.output = output;
  }

  configure() {
    // Nothing to set up: the format is fixed by the protocol.
  }

  /** One parsed packet (see packet.js) with its arrival time (ms, performance.now()). */
  decode(packet, arrival) {
    const bytes = packet.payload;
    const n = bytes.byteLength >> 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    this.output.push(samples, { seq: packet.seq, arrival, discontinuity: packet.discontinuity });
  }

  close() {}
}
