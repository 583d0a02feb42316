import DragomanAudio
import DragomanCore
import NIOConcurrencyHelpers

/// The voice of one machine booth on its channel: utterances queue up and go out at real-time pace,
/// 20 ms at a time, through the same path as any source; between utterances it sends silence, so a
/// channel the machine carries never starves its listeners' players.
///
/// Speech that waited too long is dropped rather than spoken ever later: the machine keeps pace with
/// the floor, like an interpreter who skips rather than falls behind.
final class MachineVoice: Sendable {
    /// Utterances that would start more than this after they were queued are dropped, µs.
    static let maximumQueueDelay: UInt64 = 4_000_000

    let language: LanguageTag
    private let queue = NIOLockedValueBox<[Utterance]>([])
    private let event: LiveEvent
    private let bitrate: Int

    private struct Utterance {
        var samples: [Float]  // 48 kHz mono
        var queuedAt: UInt64
    }

    init(event: LiveEvent, language: LanguageTag, bitrate: Int) {
        self.event = event
        self.language = language
        self.bitrate = bitrate
    }

    /// Queues `audio` to be spoken after what is queued already.
    func say(_ audio: PCMAudio) throws {
        var resampler = try Resampler(from: audio.sampleRate, to: 48000)
        let mono = audio.channels == 1 ? audio.samples : audio.mixedToMono().samples
        let samples = resampler.process(mono) + resampler.process([Float](repeating: 0, count: resampler.lookahead))
        let now = event.clock.nowMicros()
        queue.withLockedValue { $0.append(Utterance(samples: samples, queuedAt: now)) }
    }

    /// Speaks until cancelled: one 20 ms frame every 20 ms, from the queue or silence.
    func run() async throws {
        var feed = try SourceFeed(
            event: event,
            source: .machine(language),
            speaker: nil,
            format: FloorFormat(sampleRate: 48000, channels: 1, sampleFormat: .f32le),
            bitrate: bitrate
        )
        let clock = ContinuousClock()
        var next = clock.now
        let silence = [Float](repeating: 0, count: 960)
        while !Task.isCancelled {
            next += .milliseconds(20)
            try await Task.sleep(until: next, clock: clock)
            let frame = nextFrame() ?? silence
            try feed.push(samples: frame, ingestMicros: event.clock.nowMicros())
            // After a long stall (a suspended machine), start again from now rather than bursting to catch up.
            if clock.now - next > .milliseconds(200) { next = clock.now }
        }
    }

    /// The next 20 ms of queued speech, dropping utterances that waited too long.
    private func nextFrame() -> [Float]? {
        let now = event.clock.nowMicros()
        return queue.withLockedValue { queue in
            while let first = queue.first, first.samples.isEmpty || now > first.queuedAt + Self.maximumQueueDelay {
                queue.removeFirst()
            }
            guard !queue.isEmpty else { return nil }
            let count = min(960, queue[0].samples.count)
            var frame = Array(queue[0].samples.prefix(count))
            queue[0].samples.removeFirst(count)
            queue[0].queuedAt = now  // an utterance being spoken is not dropped half way
            if frame.count < 960 { frame += [Float](repeating: 0, count: 960 - frame.count) }
            return frame
        }
    }
}
