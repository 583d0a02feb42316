/// How often and how patiently a transient failure (no connection, a timeout, HTTP 429 or 5xx, a cut
/// stream) is tried again: exponential backoff with a cap, and the server's `Retry-After` when it gives one.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1: never retry).
    public var maxAttempts: Int
    /// The wait after the first failure; each later wait doubles.
    public var initialDelay: Duration
    /// The longest wait, whatever the backoff or `Retry-After` say.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(2)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1`, after `attempt` (1-based) failed; `retryAfter` is the server's
    /// own wish. `jitter` in 0…1 scales the backoff between half and all of it, so that clients spread out.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, jitter: Double = 1) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let doubling = min(max(attempt - 1, 0), 30)
        let backoff = min(initialDelay * (1 << doubling), maxDelay)
        return backoff * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
