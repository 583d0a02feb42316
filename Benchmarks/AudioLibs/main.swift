// Compares the libraries Dragoman could use with its hand-written audio code; prints Markdown tables.
// Build and run: scripts/bench-audio-libs [resampler|wav|ogg]
let which = CommandLine.arguments.dropFirst().first ?? "all"
if which == "all" || which == "resampler" { ResamplerBenchmark.run() }
if which == "all" || which == "wav" { WAVBenchmark.run() }
if which == "all" || which == "ogg" { OggBenchmark.run() }
