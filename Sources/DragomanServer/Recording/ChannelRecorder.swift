import DragomanAudio
import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// Records one channel to an Ogg/Opus file as it happens: the packets its listeners get, unchanged, laid on the
/// wall clock by `RecordingTimeline` (silence where the channel carried nothing), one page per second, each
/// written and synced to disk before the next. A `kill -9` or a power cut loses at most the last second: Ogg
/// readers take a file up to its last whole page.
final class ChannelRecorder: Sendable {
    /// How often the pages go to disk.
    static let flushInterval: Duration = .seconds(1)

    let channel: ChannelID
    let file: URL
    private let fanout: ChannelFanout
    private let preSkip: Int
    private let silence: [UInt8]
    private let arrived = NIOLockedValueBox<[(packet: [UInt8], at: UInt64)]>([])

    /// - Parameter silence: an Opus packet of 20 ms of silence, from the channel's encoder settings.
    init(channel: ChannelID, fanout: ChannelFanout, file: URL, preSkip: Int, silence: [UInt8]) {
        self.channel = channel
        self.fanout = fanout
        self.file = file
        self.preSkip = preSkip
        self.silence = silence
    }

    /// Records until cancelled; then ends the stream properly.
    func run(startMicros: UInt64) async throws {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var writer = OggOpusWriter(serial: UInt32.random(in: 1...UInt32.max), preSkip: preSkip)
        try handle.write(contentsOf: writer.headerPages())
        try handle.synchronize()
        var timeline = RecordingTimeline(startMicros: startMicros)
        let (id, packets) = fanout.subscribeRecorder()
        defer { fanout.unsubscribeRecorder(id) }
        let collector = Task { [arrived] in
            for await packet in packets { arrived.withLockedValue { $0.append((packet.opus, WallClock.nowMicros())) } }
        }
        defer { collector.cancel() }
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.flushInterval)
            try write(&writer, &timeline, to: handle)
        }
        try write(&writer, &timeline, to: handle)
        try handle.write(contentsOf: writer.endOfStream())
        try handle.synchronize()
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
