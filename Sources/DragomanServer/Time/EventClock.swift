/// Where the live event reads the time: the wall clock in service, a clock the test moves in tests.
public protocol EventClock: Sendable {
    /// Microseconds since the Unix epoch: the time base of packet headers and messages.
    func nowMicros() -> UInt64
}
