import Foundation

/// The server's wall clock in microseconds since the Unix epoch: the time base of packet headers.
public struct WallClock: EventClock {
    public init() {}

    public func nowMicros() -> UInt64 { Self.nowMicros() }

    /// The time now, for the audio path (no existential to call through).
    static func nowMicros() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1_000_000)
    }
}
