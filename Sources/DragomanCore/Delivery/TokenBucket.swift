/// A rate limit: up to `capacity` actions at once, refilled at `perSecond`. Keeps one sender
/// from flooding everyone else (chat lines, signals) while a normal burst goes through.
public struct TokenBucket: Equatable, Sendable {
    public let capacity: Double
    public let perSecond: Double
    private var tokens: Double
    private var lastMicros: UInt64?

    public init(capacity: Int, perSecond: Double) {
        self.capacity = Double(capacity)
        self.perSecond = perSecond
        self.tokens = Double(capacity)
    }

    /// Takes one token if there is one at time `micros`; returns whether the action may go ahead.
    public mutating func allow(at micros: UInt64) -> Bool {
        if let lastMicros, micros > lastMicros {
            tokens = min(capacity, tokens + Double(micros - lastMicros) / 1_000_000 * perSecond)
        }
        lastMicros = max(lastMicros ?? micros, micros)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
