// The ear's guard: the last node before the speakers on every programme path (WebCodecs, Media Source, the floor
// under the interpretation). Opus may decode louder than what the server's limiter let through (a hard-clipped or
// square signal by several dB); ISO 20109 and the README promise the listener never more than −1 dBFS, so the sum of
// everything the page plays is clamped there. Below the ceiling the curve is the identity: ordinary sound passes
// bit for bit. A WaveShaper, not a worklet, so that it works on plain-HTTP pages too.

/** −1 dBFS. */
export const CEILING = 10 ** (-1 / 20);

const guards = new Map();

class EarGuard {
  constructor(ctx) {
    this.shaper = ctx.createWaveShaper();
    const points = 4097;
    const curve = new Float32Array(points);
    for (let i = 0; i < points; i++) {
      const x = (i / (points - 1)) * 2 - 1;
      curve[i] = Math.max(-CEILING, Math.min(CEILING, x));
    }
    this.shaper.curve = curve;
    this.shaper.oversample = 'none';
    this.shaper.connect(ctx.destination);
    // The loudest sample that left the guard: a figure for the page's details and the browser tests.
    this.meter = ctx.createAnalyser();
    this.meter.fftSize = 4096;
    this.scratch = new Float32Array(this.meter.fftSize);
    this.shaper.connect(this.meter);
    this.peak = 0;
    this.timer = setInterval(() => this.measure(), 40);
  }

  measure() {
    this.meter.getFloatTimeDomainData(this.scratch);
    for (const sample of this.scratch) this.peak = Math.max(this.peak, Math.abs(sample));
  }
}

/** The node a programme path connects to instead of `ctx.destination`. */
export function earInput(ctx) {
  let guard = guards.get(ctx);
  if (!guard) {
    guard = new EarGuard(ctx);
    guards.set(ctx, guard);
  }
  return guard.shaper;
}

/** The loudest sample any guard let out so far (linear, 0…CEILING). */
export function earPeak() {
  let peak = 0;
  for (const guard of guards.values()) peak = Math.max(peak, guard.peak);
  return peak;
}
