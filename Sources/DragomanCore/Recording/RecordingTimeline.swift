/// Keeps a channel's recording on the wall clock: every channel of an event is recorded from the same start, and
/// a stretch where the channel carried nothing (no floor yet, a pause in the feed) becomes silence of the same
/// length, so that the recordings of every language stay aligned with each other and with the event's clock.
///
/// Packets are written in the order they come, 20 ms each; the timeline only says how much silence to put
/// before one, or at a tick when none came. Packets may come in bursts (a floor sent in 100 ms chunks completes
/// five frames at once), so silence is added only once the recording has fallen more than `slack` behind.
public struct RecordingTimeline: Sendable, Equatable {
    /// One packet's duration, µs.
    public static let frameMicros: UInt64 = 20_000

    /// When the recording started, µs since the Unix epoch.
    public let startMicros: UInt64
    /// How far behind the clock the recording may fall before silence fills the gap, µs.
    public var slack: UInt64 = 200_000
    /// How far behind the clock the audio of a packet arriving now lies (it was just completed), µs.
    public var latency: UInt64 = 60_000
    /// Frames written so far, silence included.
    public private(set) var frames: Int = 0

    public init(startMicros: UInt64) { self.startMicros = startMicros }

    /// Where the recording stands on the clock, µs since the Unix epoch.
    public var cursorMicros: UInt64 { startMicros + UInt64(frames) * Self.frameMicros }

    /// A packet arrives at `now`: how many frames of silence go before it. Counts the packet as written.
    public mutating func packet(at now: UInt64) -> Int {
        let silence = gap(at: now)
        frames += silence + 1
        return silence
    }

    /// Nothing arrived up to `now`: how many frames of silence to write to keep up. Counts them as written.
    public mutating func idle(at now: UInt64) -> Int {
        let silence = gap(at: now)
        frames += silence
        return silence
    }

    private func gap(at now: UInt64) -> Int {
        guard now > latency else { return 0 }
        let target = now - latency
        guard target > cursorMicros + slack else { return 0 }
        return Int((target - cursorMicros) / Self.frameMicros)
    }
}
