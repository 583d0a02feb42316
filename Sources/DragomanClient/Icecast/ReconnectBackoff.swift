/// How long to wait before the next reconnection attempt: 0.5 s, doubling up to 10 s, each with ±20 % jitter.
///
/// The jitter keeps several relays that lost the same server (a restart, a Wi-Fi drop) from
/// knocking on it in lockstep.
public struct ReconnectBackoff: Sendable {
    /// The first delay, in seconds.
    public let initial: Double
    /// The longest delay, in seconds.
    public let maximum: Double
    /// The relative spread around each delay: 0.2 means ±20 %.
    public let jitter: Double
    private var nominal: Double

    /// Creates a backoff at its first delay.
    public init(initial: Double = 0.5, maximum: Double = 10, jitter: Double = 0.2) {
        precondition(initial > 0 && maximum >= initial && (0..<1).contains(jitter))
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.nominal = initial
    }

    /// The next delay in seconds; the one after it is twice as long, up to `maximum`.
    public mutating func next() -> Double {
        let delay = nominal * Double.random(in: (1 - jitter)...(1 + jitter))
        nominal = min(nominal * 2, maximum)
        return min(delay, maximum)
    }

    /// Back to the first delay, after a connection that worked for a while.
    public mutating func reset() { nominal = initial }
}

extension ReconnectBackoff {
    /// A delay as a log line shows it: "2.0 s".
    static func describe(_ seconds: Double) -> String {
        "\((seconds * 10).rounded() / 10) s"
    }

    /// A connection that lasted this long worked: the next failure starts again from the first delay.
    static let healthyConnection: Duration = .seconds(10)
}
