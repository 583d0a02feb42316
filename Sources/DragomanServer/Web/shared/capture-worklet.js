// AudioWorkletProcessor 'dragoman-capture': cuts the input into ~20 ms chunks of mono Float32
// and posts each (transferred) to the page with its peak and RMS: { type: 'chunk', samples, peak, rms }.
// Several input channels are averaged to mono. The output stays silent.

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const chunkMs = (options && options.processorOptions && options.processorOptions.chunkMs) || 20;
    this.size = Math.max(128, Math.round((sampleRate * chunkMs) / 1000));
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
    this.peak = 0;
    this.sumSquares = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === 'stop') this.running = false;
    };
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) {
      const channels = input.length;
      const frames = input[0].length;
      for (let i = 0; i < frames; i++) {
        let v = input[0][i];
        if (channels > 1) {
          for (let c = 1; c < channels; c++) v += input[c][i];
          v /= channels;
        }
        this.buffer[this.filled++] = v;
        const a = v < 0 ? -v : v;
        if (a > this.peak) this.peak = a;
        this.sumSquares += v * v;
        if (this.filled === this.size) this.flush();
      }
    }
    return this.running;
  }

  flush() {
    const samples = this.buffer;
    this.port.postMessage(
      { type: 'chunk', samples, peak: this.peak, rms: Math.sqrt(this.sumSquares / this.size) },
      [samples.buffer],
    );
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
    this.peak = 0;
    this.sumSquares = 0;
  }
}

registerProcessor('dragoman-capture', CaptureProcessor);
