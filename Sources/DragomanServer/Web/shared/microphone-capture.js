// A microphone as 20 ms chunks of mono Float32: getUserMedia with every processing off (a floor desk or a booth
// microphone goes out as it comes in, no echo cancelling, noise gate or automatic gain) → the capture worklet →
// onChunk({ samples, peak, rms }). Used by the floor page and by the interpreter console.

export const CHUNK_MS = 20;

// A worklet module is loaded once per AudioContext (the floor page makes a new context at every start).
const contextsWithWorklet = new WeakSet();

export class MicrophoneCapture {
  /** onChunk({ samples: Float32Array, peak, rms }) for every chunk; onEnded(): the device went away. */
  constructor({ onChunk, onEnded = null }) {
    this.onChunk = onChunk;
    this.onEnded = onEnded;
    this.media = null;
    this.source = null;
    this.node = null;
  }

  get isOpen() {
    return !!this.media;
  }

  /** The label of the input in use, when the browser tells it. */
  get label() {
    const track = this.media && this.media.getAudioTracks()[0];
    return track ? track.label : '';
  }

  /**
   * Opens the input (deviceId '' = the default), replacing the one open. context() gives the AudioContext to use,
   * read once the browser has granted the microphone, which may take a while: null or a closed context then means
   * the page stopped meanwhile, and open() throws an AbortError. Otherwise it throws what getUserMedia throws.
   */
  async open(context, deviceId = '') {
    const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: { ideal: 1 } };
    if (deviceId) audio.deviceId = { exact: deviceId };
    const media = await navigator.mediaDevices.getUserMedia({ audio, video: false });
    const ctx = context();
    if (!ctx || ctx.state === 'closed') {
      stopTracks(media);
      throw new DOMException('stopped', 'AbortError');
    }
    if (!contextsWithWorklet.has(ctx)) {
      try {
        await ctx.audioWorklet.addModule(new URL('./capture-worklet.js', import.meta.url));
      } catch (error) {
        stopTracks(media);
        throw error;
      }
      contextsWithWorklet.add(ctx);
    }
    this.close();
    this.media = media;
    this.source = ctx.createMediaStreamSource(media);
    this.node = new AudioWorkletNode(ctx, 'dragoman-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { chunkMs: CHUNK_MS },
    });
    this.node.port.onmessage = (event) => {
      if (event.data && event.data.type === 'chunk') this.onChunk(event.data);
    };
    this.source.connect(this.node);
    this.node.connect(ctx.destination); // silent; keeps the node pulled
    for (const track of media.getAudioTracks()) {
      track.addEventListener('ended', () => {
        if (this.media === media && this.onEnded) this.onEnded();
      });
    }
  }

  close() {
    if (this.node) {
      this.node.port.postMessage({ type: 'stop' });
      this.node.port.onmessage = null;
      this.node.disconnect();
    }
    if (this.source) this.source.disconnect();
    if (this.media) stopTracks(this.media);
    this.node = this.source = this.media = null;
  }
}

function stopTracks(media) {
  for (const track of media.getTracks()) track.stop();
}

// The wire formats of microphone audio are little-endian (docs/protocol.md); typed arrays use the machine's order.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 samples as f32le bytes (the floor's format). */
export function toFloat32LE(samples) {
  if (LITTLE_ENDIAN) return samples.buffer;
  const out = new DataView(new ArrayBuffer(samples.length * 4));
  for (let i = 0; i < samples.length; i++) out.setFloat32(i * 4, samples[i], true);
  return out.buffer;
}

/** Float32 samples as s16le bytes (the console's format), clipped to full scale. */
export function toS16LE(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    out[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(out.buffer);
    for (let i = 0; i < out.length; i++) view.setInt16(i * 2, out[i], true);
  }
  return out.buffer;
}
