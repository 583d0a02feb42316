import DragomanAudio
import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// Records one channel to an Ogg/Opus file as it happens: the packets its listeners get, unchanged, laid on the
/// wall clock by `RecordingTimeline` (silence where the channel carried nothing), one page per second, each
/// written and synced to disk before the next. A `kill -9` or a power cut loses at most the last second: Ogg
/// readers take a file up to its last whole page.
///
/// Beside it, `<file>.jsonl` logs what the channel's listeners were told, one JSON line each with its time: the
/// final captions (the transcript) and every change of what the channel carries and of the floor language (the
/// audit trail of the meeting), synced with the audio.
final class ChannelRecorder: Sendable {
    /// How often the pages go to disk.
    static let flushInterval: Duration = .seconds(1)

    let channel: ChannelID
    let file: URL
    private let fanout: ChannelFanout
    private let preSkip: Int
    private let silence: [UInt8]
    private let arrived = NIOLockedValueBox<[(packet: [UInt8], at: UInt64)]>([])
    private let messages = NIOLockedValueBox<[String]>([])
    /// What the trail keeps of a message it keeps (`RecordingTrailLine`: names as the organizer allows).
    private let trail: @Sendable (String) -> String

    /// The log beside the audio file.
    static func logFile(of audio: URL) -> URL { audio.deletingPathExtension().appendingPathExtension("jsonl") }

    /// - Parameter silence: an Opus packet of 20 ms of silence, from the channel's encoder settings.
    init(channel: ChannelID, fanout: ChannelFanout, file: URL, preSkip: Int, silence: [UInt8], trail: @escaping @Sendable (String) -> String = { $0 })
    {
        self.channel = channel
        self.trail = trail
        self.fanout = fanout
        self.file = file
        self.preSkip = preSkip
        self.silence = silence
    }

    /// Records until cancelled; then ends the stream properly.
    func run(startMicros: UInt64) async throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.create(file)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let logURL = Self.logFile(of: file)
        try Self.create(logURL, contents: Data("{\"recording\":\"\(channel)\",\"start\":\(startMicros)}\n".utf8))
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        try log.seekToEnd()
        var writer = OggOpusWriter(serial: UInt32.random(in: 1...UInt32.max), preSkip: preSkip)
        try handle.write(contentsOf: writer.headerPages())
        try handle.synchronize()
        var timeline = RecordingTimeline(startMicros: startMicros)
        let (id, items) = fanout.subscribeRecorder()
        defer { fanout.unsubscribeRecorder(id) }
        let collector = Task { [arrived, messages, trail] in
            for await item in items {
                switch item {
                case .audio(let packet):
                    arrived.withLockedValue { $0.append((packet.opus, WallClock.nowMicros())) }
                case .text(let text):
                    guard Self.isWorthKeeping(text) else { continue }
                    messages.withLockedValue { $0.append("{\"at\":\(WallClock.nowMicros()),\"message\":\(trail(text))}\n") }
                }
            }
        }
        defer { collector.cancel() }
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.flushInterval)
            try write(&writer, &timeline, to: handle)
            try writeLog(to: log)
        }
        try write(&writer, &timeline, to: handle)
        try writeLog(to: log)
        try handle.write(contentsOf: writer.endOfStream())
        try handle.synchronize()
    }

    /// Creates (or empties) `url` with `contents`; throws the system's error (a full disk says ENOSPC, not that the
    /// file then cannot be found).
    private static func create(_ url: URL, contents: Data = Data()) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        if !contents.isEmpty { try handle.write(contentsOf: contents) }
        try handle.close()
    }

    /// Captions (final ones), what the channel carries, and alerts: the transcript and the audit trail.
    static func isWorthKeeping(_ text: String) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let type = object["type"] as? String else {
            return false
        }
        switch type {
        case "caption": return object["final"] as? Bool ?? false
        case "carrying", "alert": return true
        default: return false
        }
    }

    private func writeLog(to log: FileHandle) throws {
        let lines = messages.withLockedValue { lines in
            defer { lines = [] }
            return lines
        }
        guard !lines.isEmpty else { return }
        try log.write(contentsOf: Data(lines.joined().utf8))
        try log.synchronize()
    }

    /// What arrived since the last flush, with the silence the timeline asks for, as pages on disk.
    private func write(_ writer: inout OggOpusWriter, _ timeline: inout RecordingTimeline, to handle: FileHandle) throws {
        let batch = arrived.withLockedValue { batch in
            defer { batch = [] }
            return batch
        }
        var out: [[UInt8]] = []
        for (packet, at) in batch {
            out += Array(repeating: silence, count: timeline.packet(at: at))
            out.append(packet)
        }
        out += Array(repeating: silence, count: timeline.idle(at: WallClock.nowMicros()))
        guard !out.isEmpty else { return }
        try handle.write(contentsOf: writer.pages(for: out))
        try handle.synchronize()
    }
}
