import CAudioLibs
import Foundation

/// A streaming mono resampler as the floor conditioner uses one: blocks of any size in, what is ready out.
protocol BenchResampler {
    var name: String { get }
    mutating func process(_ input: [Float]) -> [Float]
    mutating func flush() -> [Float]
}

extension PolyphaseResampler: BenchResampler {
    var name: String { "ours (polyphase, 32 taps)" }
}

extension Resampler: BenchResampler {
    var name: String { "Resampler (as built now)" }
}

/// libsoxr through its C API, float32 in and out, one thread.
final class SoxrBench: BenchResampler {
    let name: String
    private let soxr: soxr_t
    private let ratio: Double

    /// `minDFT`/`largeDFT`: log2 of soxr's DFT sizes (8…15 / 8…20; soxr's defaults 10 and 17). Smaller blocks hold back less.
    init(from input: Int, to output: Int, recipe: Int32, label: String, minDFT: UInt32 = 10, largeDFT: UInt32 = 17) {
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(recipe), 0)
        var runtime = soxr_runtime_spec(1)
        runtime.log2_min_dft_size = minDFT
        runtime.log2_large_dft_size = largeDFT
        guard let soxr = soxr_create(Double(input), Double(output), 1, &error, &io, &quality, &runtime) else {
            fatalError("soxr_create: \(String(cString: error!))")
        }
        self.soxr = soxr
        self.ratio = Double(output) / Double(input)
        name = label
    }

    deinit { soxr_delete(soxr) }

    func process(_ input: [Float]) -> [Float] { run(input) }
    func flush() -> [Float] { run(nil) }

    private func run(_ input: [Float]?) -> [Float] {
        var output: [Float] = []
        var buffer = [Float](repeating: 0, count: Int(Double(input?.count ?? 0) * ratio) + 4096)
        var offset = 0
        while true {
            var consumed = 0
            var produced = 0
            let error: soxr_error_t? = buffer.withUnsafeMutableBufferPointer { out in
                if let input {
                    return input.withUnsafeBufferPointer { inp in
                        soxr_process(soxr, inp.baseAddress! + offset, inp.count - offset, &consumed, out.baseAddress, out.count, &produced)
                    }
                }
                return soxr_process(soxr, nil, 0, nil, out.baseAddress, out.count, &produced)
            }
            if let error { fatalError("soxr_process: \(String(cString: error))") }
            offset += consumed
            output += buffer[0..<produced]
            if let input {
                if offset >= input.count && produced < buffer.count { break }
            } else if produced == 0 {
                break
            }
        }
        return output
    }
}

/// speexdsp's resampler (float build), with its leading zeros skipped so the output is time-aligned.
final class SpeexBench: BenchResampler {
    let name: String
    private let state: OpaquePointer
    private let ratio: Double

    init(from input: Int, to output: Int, quality: Int32) {
        var error: Int32 = 0
        guard let state = speex_resampler_init(1, UInt32(input), UInt32(output), quality, &error) else {
            fatalError("speex_resampler_init: \(error)")
        }
        speex_resampler_skip_zeros(state)
        self.state = state
        self.ratio = Double(output) / Double(input)
        name = "speexdsp quality \(quality)"
    }

    deinit { speex_resampler_destroy(state) }

    func process(_ input: [Float]) -> [Float] {
        var output: [Float] = []
        var buffer = [Float](repeating: 0, count: Int(Double(input.count) * ratio) + 256)
        var offset = 0
        while offset < input.count {
            var inLength = UInt32(input.count - offset)
            var outLength = UInt32(buffer.count)
            input.withUnsafeBufferPointer { inp in
                buffer.withUnsafeMutableBufferPointer { out in
                    _ = speex_resampler_process_float(state, 0, inp.baseAddress! + offset, &inLength, out.baseAddress, &outLength)
                }
            }
            offset += Int(inLength)
            output += buffer[0..<Int(outLength)]
        }
        return output
    }

    func flush() -> [Float] {
        process([Float](repeating: 0, count: Int(speex_resampler_get_input_latency(state)) + 1))
    }
}

struct ResamplerFigures {
    var snr: Double
    var lag: Int
    var edge3dB: Double
    var edge1dB: Double
    var maxHoldBackMs20: Double
    var maxHoldBackMs2: Double
    var microsecondsPerFrame: Double
    var worstImage: Double
}

enum ResamplerBenchmark {
    static let outputRate = 48000

    /// Streams `input` in chunks of `chunk` samples; returns the output and the largest shortfall
    /// (in output samples) between what the input so far ideally gives and what came out.
    static func stream(_ resampler: inout some BenchResampler, _ input: [Float], chunk: Int, inputRate: Int) -> ([Float], Int) {
        var output: [Float] = []
        var offset = 0
        var worst = 0
        while offset < input.count {
            let end = min(offset + chunk, input.count)
            output += resampler.process(Array(input[offset..<end]))
            offset = end
            let ideal = offset * outputRate / inputRate
            // Past the first 100 ms, when the stream is in its steady state.
            if offset > inputRate / 10 { worst = max(worst, ideal - output.count) }
        }
        output += resampler.flush()
        return (output, worst)
    }

    static func measure(inputRate: Int, make: () -> any BenchResampler) -> ResamplerFigures {
        let duration = 5.0
        let top = 0.95 * Double(inputRate) / 2
        let input = fadedSweep(to: top, duration: duration, sampleRate: inputRate)
        // The ideal result: the same continuous sweep, sampled at 48 kHz.
        let reference = fadedSweep(to: top, duration: duration, sampleRate: outputRate)
        var resampler = make()
        let (output, holdBack20) = stream(&resampler, input, chunk: inputRate / 50, inputRate: inputRate)
        var small = make()
        let (_, holdBack2) = stream(&small, input, chunk: inputRate / 400, inputRate: inputRate)
        let lag = AudioAnalysis.normalizedCrossCorrelation(reference, output, maxLag: 480).lag
        let snr = AudioAnalysis.snr(reference: reference, test: output, lag: lag)
        // −3 dB / −1 dB edge: level per 10 ms window against the reference, at the sweep's frequency there.
        let window = 480
        var edge3: Double?
        var edge1: Double?
        var start = window
        while start + window + abs(lag) < min(reference.count, output.count) - window {
            let ref = Array(reference[start..<(start + window)])
            let out = Array(output[(start + lag)..<(start + lag + window)])
            let level = AudioAnalysis.decibels(AudioAnalysis.rms(out) / AudioAnalysis.rms(ref))
            let t = (Double(start) + Double(window) / 2) / Double(outputRate)
            let frequency = 20 * exp(log(top / 20) * t / duration)
            if frequency > 1000 {
                if edge1 == nil && level < -1 { edge1 = frequency }
                if edge3 == nil && level < -3 { edge3 = frequency }
            }
            start += window
        }
        // CPU: 60 s of the sweep, 20 ms per push, best of three.
        let long = Array((0..<12).map { _ in input }.joined())
        let chunk = inputRate / 50
        var best = Double.infinity
        for _ in 0..<3 {
            var timed = make()
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                var offset = 0
                var sink = 0
                while offset < long.count {
                    let end = min(offset + chunk, long.count)
                    sink &+= timed.process(Array(long[offset..<end])).count
                    offset = end
                }
                precondition(sink > 0)
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds / Double(long.count / chunk) * 1e6)
        }
        // Images: tones at 50, 80 and 90 % of the input Nyquist; the loudest component at k·rate ± f (k = 1, 2), folded into 0–24 kHz.
        var worstImage = -Double.infinity
        for fraction in [0.5, 0.8, 0.9] {
            let frequency = fraction * Double(inputRate) / 2
            var tone = make()
            let all = tone.process(AudioAnalysis.sine(frequency: frequency, duration: 1, sampleRate: inputRate)) + tone.flush()
            let steady = Array(all[(outputRate / 10)..<(outputRate * 9 / 10)])
            for k in 1...2 {
                for image in [Double(k * inputRate) - frequency, Double(k * inputRate) + frequency] {
                    var folded = image.truncatingRemainder(dividingBy: Double(outputRate))
                    if folded > Double(outputRate) / 2 { folded = Double(outputRate) - folded }
                    guard abs(folded - frequency) > 100, folded > 100 else { continue }
                    worstImage = max(
                        worstImage,
                        AudioAnalysis.decibels(AudioAnalysis.toneAmplitude(steady, frequency: folded, sampleRate: outputRate) / 0.5)
                    )
                }
            }
        }
        func ms(_ samples: Int) -> Double { Double(samples) / Double(outputRate) * 1000 }
        return ResamplerFigures(
            snr: snr,
            lag: lag,
            edge3dB: edge3 ?? top,
            edge1dB: edge1 ?? top,
            maxHoldBackMs20: ms(holdBack20),
            maxHoldBackMs2: ms(holdBack2),
            microsecondsPerFrame: best,
            worstImage: worstImage
        )
    }

    /// A log sweep from 20 Hz to `top`, amplitude 0.5, with 20 ms raised-cosine fades at both ends so that
    /// its start and end are band-limited too and the SNR measures the resampler, not the clicks.
    static func fadedSweep(to top: Double, duration: Double, sampleRate: Int) -> [Float] {
        let sweep = AudioAnalysis.sineSweep(from: 20, to: top, duration: duration, sampleRate: sampleRate)
        let fade = 0.02
        return sweep.enumerated().map { index, sample in
            let t = Double(index) / Double(sampleRate)
            let edge = min(t, duration - t)
            let gain = edge >= fade ? 1 : 0.5 - 0.5 * cos(Double.pi * max(0, edge) / fade)
            return Float(gain) * sample
        }
    }

    static func run() {
        print("## Resamplers: log sweep 20 Hz → 95 % of the input Nyquist, 5 s, amplitude 0.5, 20 ms fades, to 48 kHz")
        print("SNR against the ideal (the analytic sweep sampled at 48 kHz); edges from 10 ms windows;")
        print("worst image: loudest image of tones at 50/80/90 % of the input Nyquist, dB below the tone;")
        print("hold-back = most output a streaming push leaves owed (20 ms / 2.5 ms pushes); CPU per 20 ms push, best of 3 over 60 s.\n")
        print(
            "| input | resampler | SNR dB | lag | −1 dB edge Hz | −3 dB edge Hz | worst image dB | hold-back ms (20 ms / 2.5 ms pushes) | µs per 20 ms |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for inputRate in [44100, 16000] {
            var candidates: [(String, () -> any BenchResampler)] = [
                ("ours (polyphase, 32 taps)", { try! PolyphaseResampler(from: inputRate, to: outputRate) }),
                (
                    "Resampler as built (now: speexdsp, quality \((try! Resampler(from: inputRate, to: outputRate)).quality), ≤ 2 ms look-ahead)",
                    { try! Resampler(from: inputRate, to: outputRate) }
                ),
            ]
            for (recipe, label) in [(SOXR_LQ, "LQ"), (SOXR_MQ, "MQ"), (SOXR_HQ, "HQ"), (SOXR_MQ | SOXR_MINIMUM_PHASE, "MQ minimum phase")] {
                candidates.append(("libsoxr \(label)", { SoxrBench(from: inputRate, to: outputRate, recipe: recipe, label: "libsoxr \(label)") }))
            }
            for (recipe, label) in [(SOXR_MQ, "MQ"), (SOXR_HQ, "HQ"), (SOXR_MQ | SOXR_MINIMUM_PHASE, "MQ minimum phase")] {
                candidates.append(
                    ("libsoxr \(label), DFT 2^8", { SoxrBench(from: inputRate, to: outputRate, recipe: recipe, label: "", minDFT: 8, largeDFT: 8) })
                )
            }
            for quality: Int32 in [2, 3, 4, 5, 8, 10] {
                candidates.append(("speexdsp quality \(quality)", { SpeexBench(from: inputRate, to: outputRate, quality: quality) }))
            }
            for (label, make) in candidates {
                let f = measure(inputRate: inputRate, make: make)
                print(
                    String(
                        format: "| %d | %@ | %.1f | %d | %.0f | %.0f | %.0f | %.2f / %.2f | %.1f |",
                        inputRate,
                        label,
                        f.snr,
                        f.lag,
                        f.edge1dB,
                        f.edge3dB,
                        f.worstImage,
                        f.maxHoldBackMs20,
                        f.maxHoldBackMs2,
                        f.microsecondsPerFrame
                    )
                )
            }
        }
        print()
    }
}
