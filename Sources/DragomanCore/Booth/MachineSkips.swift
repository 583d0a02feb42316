/// Speech the machine booths skipped because they had fallen behind (a segment whose turn came too long after it
/// ended is dropped rather than spoken late): what the dashboard tells the technician, since a machine that skips
/// often needs a faster recognizer or fewer booths.
public struct MachineSkips: Equatable, Sendable {
    /// How many stretches of speech were skipped.
    public private(set) var count = 0
    /// How much speech they held, µs.
    public private(set) var speechMicros: UInt64 = 0
    /// When the last was skipped, µs since the Unix epoch.
    public private(set) var lastAt: UInt64 = 0
    /// How late the last one was when its turn came, µs.
    public private(set) var lastLateBy: UInt64 = 0

    public init() {}

    /// One more stretch of `speech` µs skipped at `now`, `lateBy` µs after it ended.
    public mutating func skipped(speech: UInt64, lateBy: UInt64, at now: UInt64) {
        count += 1
        speechMicros += speech
        lastAt = now
        lastLateBy = lateBy
    }
}
