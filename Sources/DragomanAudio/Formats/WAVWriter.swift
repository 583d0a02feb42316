public import Foundation

/// Writes a 16-bit PCM WAV file as audio arrives, e.g. a recording of a channel.
///
/// The header is written first with its sizes set to 0xFFFFFFFF ("read to the end"), which
/// is what a pipe such as stdout must keep and what a crashed recording is left with; `finish()`
/// replaces them with the real sizes when the destination can seek.
///
/// Not `Sendable`: it owns a file handle and a running byte count; one task writes.
public final class WAVWriter {
    /// Sample frames per second.
    public let sampleRate: Int
    /// Interleaved channels.
    public let channels: Int
    /// Sample frames written so far.
    public private(set) var frameCount = 0
    /// Whether `finish()` has run.
    public private(set) var isFinished = false

    private let handle: FileHandle
    private let ownsHandle: Bool
    private let description: String
    // Where the header starts, or nil for a destination that cannot seek (a pipe).
    private let headerOffset: UInt64?

    /// Creates (or truncates) a WAV file at `url` and writes its header; a device there (`/dev/null`) is written to.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for a bad rate or channel count, `.io` when the file cannot be created.
    public convenience init(url: URL, sampleRate: Int, channels: Int) throws {
        let handle: FileHandle
        do {
            handle = try OutputFile.open(atPath: url.path)
        } catch {
            throw AudioError(.io, "\(error)")
        }
        try self.init(handle: handle, ownsHandle: true, description: url.path, sampleRate: sampleRate, channels: channels)
    }

    /// Writes a WAV stream to an open handle (a file, or `FileHandle.standardOutput`), which
    /// the caller keeps and closes.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for a bad rate or channel count, `.io` when writing fails.
    public convenience init(fileHandle: FileHandle, sampleRate: Int, channels: Int) throws {
        try self.init(
            handle: fileHandle,
            ownsHandle: false,
            description: "file handle \(fileHandle.fileDescriptor)",
            sampleRate: sampleRate,
            channels: channels
        )
    }

    private init(handle: FileHandle, ownsHandle: Bool, description: String, sampleRate: Int, channels: Int) throws {
        guard (1...192_000 * 4).contains(sampleRate) else {
            throw AudioError(.invalidArgument, "WAV sample rate \(sampleRate) Hz is not positive and plausible")
        }
        guard (1...64).contains(channels) else {
            throw AudioError(.invalidArgument, "WAV channel count \(channels) is outside 1–64")
        }
        self.handle = handle
        self.ownsHandle = ownsHandle
        self.description = description
        self.sampleRate = sampleRate
        self.channels = channels
        self.headerOffset = try? handle.offset()
        try write(WAVFile.header(sampleRate: sampleRate, channels: channels, dataBytes: .max))
    }

    deinit {
        // Best effort for a writer dropped without finish(): the header is already valid.
        if !isFinished { try? finish() }
    }

    /// Appends interleaved samples as 16-bit PCM (clamped to -1…1).
    ///
    /// - Throws: `AudioError` with `.invalidFrameSize` when `samples` is not whole sample frames,
    ///   `.io` when writing fails or the writer is finished.
    public func append(_ samples: [Float]) throws {
        guard !isFinished else { throw AudioError(.io, "WAV writer for \(description) is already finished") }
        guard samples.count % channels == 0 else {
            throw AudioError(.invalidFrameSize, "\(samples.count) samples are not whole sample frames of \(channels) channels")
        }
        try write(PCMEncoding.s16le(samples))
        frameCount += samples.count / channels
    }

    /// Writes the real sizes into the header if the destination can seek, and closes a file this writer opened.
    ///
    /// - Throws: `AudioError` with `.io` when the header cannot be rewritten.
    public func finish() throws {
        guard !isFinished else { return }
        isFinished = true
        defer { if ownsHandle { try? handle.close() } }
        let dataBytes = frameCount * channels * 2
        // Beyond 4 GiB the sizes stay 0xFFFFFFFF, which readers take as "to the end".
        guard dataBytes <= Int(UInt32.max) - 36 else { return }
        // A pipe cannot seek: its header keeps 0xFFFFFFFF.
        guard let headerOffset else { return }
        var riffSize: [UInt8] = []
        riffSize.appendLE(UInt32(dataBytes + 36))
        var dataSize: [UInt8] = []
        dataSize.appendLE(UInt32(dataBytes))
        for (offset, bytes) in [(headerOffset + 4, riffSize), (headerOffset + 40, dataSize)] {
            do { try handle.seek(toOffset: offset) } catch {
                throw AudioError(.io, "cannot seek in \(description) to fix the WAV header: \(error.localizedDescription)")
            }
            try write(bytes)
        }
        _ = try? handle.seekToEnd()
    }

    private func write(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw AudioError(.io, "cannot write to \(description): \(error.localizedDescription)")
        }
    }
}
