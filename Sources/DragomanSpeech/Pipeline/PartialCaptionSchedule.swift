/// When the speech still open is worth a partial caption: once it has lasted `firstAfter`, then each time it has
/// grown by `every`, and only while the machine has nothing else to do.
///
/// Why only when idle: a segment-wise recognizer (Whisper) hears the open speech again from its start for each
/// partial, at about the cost of a final hearing. Finals come first; partials fill the time the recognizer would
/// otherwise wait, so they never queue ahead of a line that is already complete.
public struct PartialCaptionSchedule: Equatable, Sendable {
    /// How long open speech must last before its first partial, µs.
    public var firstAfter: UInt64
    /// How much more speech each further partial of the same line waits for, µs.
    public var every: UInt64
    /// Partials are heard only while the recognizer's quickest recent hearing took at most this long, µs
    /// (`MachineInterpreter.Configuration.partialHearingLimit`).
    public var hearingLimit: UInt64
    /// The start of the open speech last shown, and how far it reached.
    private var lastStart: UInt64?
    private var lastEnd: UInt64 = 0

    public init(firstAfter: UInt64 = 1_000_000, every: UInt64 = 1_000_000, hearingLimit: UInt64 = 600_000) {
        self.firstAfter = firstAfter
        self.every = every
        self.hearingLimit = hearingLimit
    }

    /// Whether `open` (the speech open now) should be heard for a partial caption, and if so notes that it is.
    /// - Parameter idle: whether the machine has no segment waiting or being heard
    public mutating func due(_ open: SpeechSegment, idle: Bool) -> Bool {
        guard idle else { return false }
        let isSameLine = lastStart.map { $0 == open.startMicros } ?? false
        let due = isSameLine ? open.endMicros >= lastEnd + every : open.durationMicros >= firstAfter
        guard due else { return false }
        lastStart = open.startMicros
        lastEnd = open.endMicros
        return true
    }
}
