import CAudioLibs
import Foundation

/// Seconds taken by `body`, best of `runs`.
func bestSeconds(runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let elapsed = try ContinuousClock().measure(body)
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}

/// A temporary file holding `bytes`; removed by the caller.
func temporaryFile(_ bytes: [UInt8], suffix: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("audiolibs-\(UUID().uuidString)\(suffix)")
    precondition(FileManager.default.createFile(atPath: url.path, contents: Data(bytes)), "cannot create \(url.path)")
    return url
}

enum WAVBenchmark {
    /// One odd input: how it is built and the samples a correct reader returns.
    struct Case {
        var name: String
        var bytes: [UInt8]
        var expected: [Float]
        var channels: Int
    }

    /// A WAV file built by hand so that every odd layout can be produced.
    static func wav(
        tag: UInt16,
        bits: Int,
        channels: Int = 2,
        rate: Int = 48000,
        extensible: Bool = false,
        data: [UInt8],
        chunksBefore: [(String, [UInt8], pad: Bool)] = [],
        declaredData: UInt32? = nil,
        declaredRIFF: UInt32? = nil,
        cbSize: Bool = false
    ) -> [UInt8] {
        var fmt: [UInt8] = []
        fmt.appendLE(extensible ? UInt16(0xFFFE) : tag)
        fmt.appendLE(UInt16(channels))
        fmt.appendLE(UInt32(rate))
        fmt.appendLE(UInt32(rate * channels * bits / 8))
        fmt.appendLE(UInt16(channels * bits / 8))
        fmt.appendLE(UInt16(bits))
        if extensible {
            fmt.appendLE(UInt16(22))
            fmt.appendLE(UInt16(bits))
            fmt.appendLE(UInt32(channels == 2 ? 3 : 4))
            fmt.appendLE(tag)
            fmt += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        } else if cbSize {
            fmt.appendLE(UInt16(0))
        }
        var body: [UInt8] = []
        body.appendASCII("WAVE")
        body.appendASCII("fmt ")
        body.appendLE(UInt32(fmt.count))
        body += fmt
        for (id, content, pad) in chunksBefore {
            body.appendASCII(id)
            body.appendLE(UInt32(content.count))
            body += content
            if pad && content.count % 2 == 1 { body.append(0) }
        }
        body.appendASCII("data")
        body.appendLE(declaredData ?? UInt32(data.count))
        body += data
        var bytes: [UInt8] = []
        bytes.appendASCII("RIFF")
        bytes.appendLE(declaredRIFF ?? UInt32(body.count))
        return bytes + body
    }

    static func cases() -> [Case] {
        let frames = 4800
        // A stereo test signal: 440 Hz left, 1 kHz right, −6 dBFS.
        let signal: [Double] = (0..<(frames * 2)).map { index in
            let frequency = index % 2 == 0 ? 440.0 : 1000.0
            return 0.5 * sin(2 * Double.pi * frequency * Double(index / 2) / 48000)
        }
        func integer(_ bits: Int) -> (bytes: [UInt8], samples: [Float]) {
            let scale = Double(1 << (bits - 1))
            var bytes: [UInt8] = []
            var samples: [Float] = []
            for value in signal {
                let q = Int((value * scale).rounded())
                samples.append(Float(Double(q) / scale))
                if bits == 8 {
                    bytes.append(UInt8(q + 128))
                    continue
                }
                for byte in 0..<(bits / 8) { bytes.append(UInt8(truncatingIfNeeded: q >> (8 * byte))) }
            }
            return (bytes, samples)
        }
        let s16 = integer(16)
        let s24 = integer(24)
        let s32 = integer(32)
        let u8 = integer(8)
        var f32: [UInt8] = []
        for value in signal { f32.appendLE(Float(value).bitPattern) }
        var f64: [UInt8] = []
        for value in signal { f64.appendLE(value.bitPattern) }
        let floats = signal.map { Float($0) }
        let list: [UInt8] = Array("INFOISFT\u{5}\0\0\0Dragm".utf8)  // 17 bytes: an odd-sized chunk
        let half = Array(s16.bytes[0..<(s16.bytes.count / 2)])
        var streamed = WAVFile.header(sampleRate: 48000, channels: 2, dataBytes: .max)
        streamed += s16.bytes
        return [
            Case(name: "16-bit PCM", bytes: wav(tag: 1, bits: 16, data: s16.bytes), expected: s16.samples, channels: 2),
            Case(name: "24-bit PCM", bytes: wav(tag: 1, bits: 24, data: s24.bytes), expected: s24.samples, channels: 2),
            Case(
                name: "24-bit PCM, WAVE_FORMAT_EXTENSIBLE",
                bytes: wav(tag: 1, bits: 24, extensible: true, data: s24.bytes),
                expected: s24.samples,
                channels: 2
            ),
            Case(name: "32-bit PCM, extensible", bytes: wav(tag: 1, bits: 32, extensible: true, data: s32.bytes), expected: s32.samples, channels: 2),
            Case(name: "8-bit unsigned PCM", bytes: wav(tag: 1, bits: 8, data: u8.bytes), expected: u8.samples, channels: 2),
            Case(name: "32-bit float", bytes: wav(tag: 3, bits: 32, data: f32, cbSize: true), expected: floats, channels: 2),
            Case(name: "32-bit float, extensible", bytes: wav(tag: 3, bits: 32, extensible: true, data: f32), expected: floats, channels: 2),
            Case(name: "64-bit float", bytes: wav(tag: 3, bits: 64, data: f64, cbSize: true), expected: floats, channels: 2),
            Case(
                name: "odd-sized LIST chunk, padded (per spec)",
                bytes: wav(tag: 1, bits: 16, data: s16.bytes, chunksBefore: [("LIST", list, true)]),
                expected: s16.samples,
                channels: 2
            ),
            Case(
                name: "odd-sized LIST chunk, pad byte missing",
                bytes: wav(tag: 1, bits: 16, data: s16.bytes, chunksBefore: [("LIST", list, false)]),
                expected: s16.samples,
                channels: 2
            ),
            Case(name: "sizes 0xFFFFFFFF (streamed to a pipe)", bytes: streamed, expected: s16.samples, channels: 2),
            Case(
                name: "data chunk cut short (recorder killed)",
                bytes: wav(tag: 1, bits: 16, data: half, declaredData: UInt32(s16.bytes.count), declaredRIFF: UInt32(36 + s16.bytes.count)),
                expected: Array(s16.samples[0..<(half.count / 2)]),
                channels: 2
            ),
            Case(
                name: "sizes 0 (header never updated)",
                bytes: wav(tag: 1, bits: 16, data: s16.bytes, declaredData: 0, declaredRIFF: 36),
                expected: s16.samples,
                channels: 2
            ),
        ]
    }

    static func verdict(_ samples: [Float]?, error: String?, expected: [Float]) -> String {
        guard let samples else { return "refused: \(error ?? "?")" }
        guard samples.count == expected.count else { return "wrong: \(samples.count / 2) of \(expected.count / 2) frames" }
        let worst = zip(samples, expected).map { abs($0 - $1) }.max() ?? 0
        return worst < 1e-6 ? "ok" : String(format: "wrong: off by %.2g", worst)
    }

    static func readWithSndfile(_ url: URL) -> (samples: [Float]?, error: String?) {
        var info = SF_INFO()
        guard let file = sf_open(url.path, Int32(SFM_READ), &info) else {
            return (nil, String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        var samples = [Float](repeating: 0, count: Int(info.frames) * Int(info.channels))
        let read = samples.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, info.frames) }
        return (Array(samples[0..<(Int(read) * Int(info.channels))]), nil)
    }

    static func run() {
        print("## WAV: odd inputs, ours (WAVFile) vs libsndfile \(String(cString: sf_version_string()))\n")
        print("| input | ours | libsndfile |")
        print("| --- | --- | --- |")
        for item in cases() {
            let url = temporaryFile(item.bytes, suffix: ".wav")
            defer { try? FileManager.default.removeItem(at: url) }
            var ours: [Float]?
            var oursError: String?
            do { ours = try WAVFile.read(contentsOf: url).samples } catch { oursError = "\(error)" }
            let theirs = readWithSndfile(url)
            print(
                "| \(item.name) | \(verdict(ours, error: oursError, expected: item.expected)) | \(verdict(theirs.samples, error: theirs.error, expected: item.expected)) |"
            )
        }

        // Speed: 60 s of 48 kHz stereo 16-bit, read whole; written in 20 ms appends.
        let minute = (0..<(48000 * 60 * 2)).map { Float(0.5 * sin(Double($0 / 2) * 0.0577)) }
        let url = temporaryFile(WAVFile.encode(PCMAudio(sampleRate: 48000, channels: 2, samples: minute)), suffix: ".wav")
        defer { try? FileManager.default.removeItem(at: url) }
        let readOurs = try! bestSeconds {
            let count = try WAVFile.read(contentsOf: url).samples.count
            precondition(count == minute.count)
        }
        let readTheirs = bestSeconds { precondition(readWithSndfile(url).samples?.count == minute.count) }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("audiolibs-write.wav")
        defer { try? FileManager.default.removeItem(at: out) }
        let frame = 1920
        let writeOurs = try! bestSeconds {
            let writer = try WAVWriter(url: out, sampleRate: 48000, channels: 2)
            for start in stride(from: 0, to: minute.count, by: frame) { try writer.append(Array(minute[start..<(start + frame)])) }
            try writer.finish()
        }
        let writeTheirs = bestSeconds {
            var info = SF_INFO(frames: 0, samplerate: 48000, channels: 2, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sections: 0, seekable: 0)
            let file = sf_open(out.path, Int32(SFM_WRITE), &info)!
            minute.withUnsafeBufferPointer { samples in
                for start in stride(from: 0, to: minute.count, by: frame) {
                    _ = sf_writef_float(file, samples.baseAddress! + start, sf_count_t(frame / 2))
                }
            }
            sf_close(file)
        }
        print("\n| 60 s of 48 kHz stereo 16-bit | ours | libsndfile |")
        print("| --- | --- | --- |")
        print(String(format: "| read the whole file (ms, best of 3) | %.1f | %.1f |", readOurs * 1000, readTheirs * 1000))
        print(String(format: "| write it in 20 ms appends (ms, best of 3) | %.1f | %.1f |", writeOurs * 1000, writeTheirs * 1000))

        // As-it-happens: what a reader finds while the recording runs (or after a crash), and on a pipe.
        let writer = try! WAVWriter(url: out, sampleRate: 48000, channels: 2)
        try! writer.append(Array(minute[0..<96000]))
        let oursMidway = (try? WAVFile.read(contentsOf: out).frameCount).map(String.init) ?? "unreadable"
        try! writer.finish()
        let sndOut = FileManager.default.temporaryDirectory.appendingPathComponent("audiolibs-snd.wav")
        defer { try? FileManager.default.removeItem(at: sndOut) }
        var info = SF_INFO(frames: 0, samplerate: 48000, channels: 2, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sections: 0, seekable: 0)
        let file = sf_open(sndOut.path, Int32(SFM_WRITE), &info)!
        _ = minute.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, 48000) }
        let theirsMidway = readWithSndfile(sndOut).samples.map { String($0.count / 2) } ?? "unreadable"
        sf_close(file)
        var pipeFDs: [Int32] = [0, 0]
        pipe(&pipeFDs)
        var pipeInfo = SF_INFO(frames: 0, samplerate: 48000, channels: 2, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sections: 0, seekable: 0)
        let piped = sf_open_fd(pipeFDs[1], Int32(SFM_WRITE), &pipeInfo, 1)
        let pipeResult = piped == nil ? "refused: \(String(cString: sf_strerror(nil)))" : "opened"
        if let piped { sf_close(piped) } else { close(pipeFDs[1]) }
        close(pipeFDs[0])
        print("| 1 s written, not yet finished: frames a reader finds (of 48000) | \(oursMidway) | \(theirsMidway) |")
        print("| write WAV to a pipe (stdout) | ok, sizes 0xFFFFFFFF | \(pipeResult) |")
        print()
    }
}

enum OggBenchmark {
    static func run() {
        // 60 s of 20 ms Opus packets from our encoder (32 kbit/s mono), as the server records and relays them.
        let encoder = try! OpusEncoder(bitrate: 32000)
        let signal = AudioAnalysis.sineSweep(from: 100, to: 12000, duration: 60)
        var packets: [[UInt8]] = []
        for start in stride(from: 0, to: signal.count, by: 960) { packets.append(try! encoder.encode(Array(signal[start..<(start + 960)]))) }
        let preSkip = encoder.preSkip
        let serial: UInt32 = 0x1234_5678

        func writeOurs() -> [UInt8] {
            var writer = OggOpusWriter(serial: serial, preSkip: preSkip)
            var bytes = writer.headerPages()
            for (index, packet) in packets.enumerated() { bytes += writer.page(for: packet, endOfStream: index == packets.count - 1) }
            return bytes
        }
        // libogg with the same layout: one page per packet, flushed at once (a live stream cannot wait for more).
        func writeLibogg() -> [UInt8] {
            var stream = ogg_stream_state()
            ogg_stream_init(&stream, Int32(bitPattern: serial))
            defer { ogg_stream_clear(&stream) }
            var bytes: [UInt8] = []
            func flush() {
                var page = ogg_page()
                while ogg_stream_flush(&stream, &page) != 0 {
                    bytes += UnsafeBufferPointer(start: page.header, count: page.header_len)
                    bytes += UnsafeBufferPointer(start: page.body, count: page.body_len)
                }
            }
            func put(_ data: [UInt8], bos: Bool, eos: Bool, granule: Int64, number: Int64) {
                var data = data
                data.withUnsafeMutableBufferPointer { buffer in
                    var packet = ogg_packet(
                        packet: buffer.baseAddress,
                        bytes: buffer.count,
                        b_o_s: bos ? 1 : 0,
                        e_o_s: eos ? 1 : 0,
                        granulepos: granule,
                        packetno: number
                    )
                    ogg_stream_packetin(&stream, &packet)
                }
                flush()
            }
            put(OpusHead(channels: 1, preSkip: preSkip, inputSampleRate: 48000).bytes, bos: true, eos: false, granule: 0, number: 0)
            put(OpusTags(vendor: "Dragoman").bytes, bos: false, eos: false, granule: 0, number: 1)
            for (index, packet) in packets.enumerated() {
                put(packet, bos: false, eos: index == packets.count - 1, granule: Int64(index + 1) * 960, number: Int64(index + 2))
            }
            return bytes
        }
        func readLibogg(_ bytes: [UInt8]) -> Int {
            var sync = ogg_sync_state()
            var stream = ogg_stream_state()
            ogg_sync_init(&sync)
            defer {
                ogg_sync_clear(&sync)
                ogg_stream_clear(&stream)
            }
            var count = 0
            var started = false
            var page = ogg_page()
            var packet = ogg_packet()
            for start in stride(from: 0, to: bytes.count, by: 4096) {
                let chunk = bytes[start..<min(start + 4096, bytes.count)]
                let buffer = ogg_sync_buffer(&sync, chunk.count)!
                chunk.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                ogg_sync_wrote(&sync, chunk.count)
                while ogg_sync_pageout(&sync, &page) == 1 {
                    if !started {
                        ogg_stream_init(&stream, ogg_page_serialno(&page))
                        started = true
                    }
                    ogg_stream_pagein(&stream, &page)
                    while ogg_stream_packetout(&stream, &packet) == 1 { count += 1 }
                }
            }
            return count
        }
        func readOurs(_ bytes: [UInt8]) -> Int {
            var reader = OggOpusReader()
            var count = 0
            for start in stride(from: 0, to: bytes.count, by: 4096) {
                count += try! reader.push(Array(bytes[start..<min(start + 4096, bytes.count)])).count
            }
            try! reader.finish()
            return count
        }
        /// libopusfile's verdict on a file: its sample count and whether every packet decodes.
        func opusfile(_ bytes: [UInt8]) -> String {
            var error: Int32 = 0
            return bytes.withUnsafeBufferPointer { buffer -> String in
                guard let file = op_open_memory(buffer.baseAddress, buffer.count, &error) else { return "refused (error \(error))" }
                defer { op_free(file) }
                let total = op_pcm_total(file, -1)
                var pcm = [Float](repeating: 0, count: 5760)
                var decoded = 0
                while true {
                    let n = pcm.withUnsafeMutableBufferPointer { op_read_float(file, $0.baseAddress, Int32($0.count), nil) }
                    if n < 0 { return "decode error \(n) after \(decoded) samples" }
                    if n == 0 { break }
                    decoded += Int(n)
                }
                return "plays: \(total) samples, \(decoded) decoded"
            }
        }
        let ours = writeOurs()
        let libogg = writeLibogg()
        let writeOursTime = bestSeconds { precondition(!writeOurs().isEmpty) }
        let writeLiboggTime = bestSeconds { precondition(!writeLibogg().isEmpty) }
        let readOursTime = bestSeconds { precondition(readOurs(ours) == packets.count) }
        let readLiboggTime = bestSeconds { precondition(readLibogg(ours) == packets.count + 2) }
        print("## Ogg/Opus: 60 s of 20 ms packets (3000, 32 kbit/s mono), one page per packet\n")
        print("| what | ours (OggOpusWriter/Reader) | libogg \(pkgVersion("ogg")) |")
        print("| --- | --- | --- |")
        print("| bytes written | \(ours.count) | \(libogg.count) (\(ours == libogg ? "byte-identical" : "differs")) |")
        print(String(format: "| write all pages (ms, best of 3) | %.2f | %.2f |", writeOursTime * 1000, writeLiboggTime * 1000))
        print(String(format: "| read all packets back, 4 KiB pushes (ms, best of 3) | %.2f | %.2f |", readOursTime * 1000, readLiboggTime * 1000))
        print("| libopusfile on the file | \(opusfile(ours)) (expected \(packets.count * 960 - preSkip)) | \(opusfile(libogg)) |")
        print()
    }

    static func pkgVersion(_ name: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pkg-config")
        process.arguments = ["--modversion", name]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
