/// Lets requests to an engine through while it works, and fails them fast while it does not.
///
/// Closed: requests pass; `failureThreshold` failed calls in a row open it. Open: requests are refused
/// without trying, for `openDuration`. Then half-open: one request (a probe) passes; its success closes
/// the breaker, its failure opens it again. A probe that never reports (its task was cancelled) is
/// replaced by another after `openDuration`.
///
/// A pure value: the time is an argument, so every transition is tested without waiting.
public struct CircuitBreaker: Sendable, Equatable {
    /// How many failures open it, and for how long.
    public struct Configuration: Sendable, Equatable {
        /// Failed calls in a row that open the breaker.
        public var failureThreshold: Int
        /// How long it stays open before a probe may pass.
        public var openDuration: Duration

        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(10)) {
            self.failureThreshold = max(1, failureThreshold)
            self.openDuration = openDuration
        }
    }

    /// Where the breaker stands.
    public enum State: Sendable, Equatable {
        /// Requests pass; `failures` failed calls in a row so far.
        case closed(failures: Int)
        /// Requests are refused until `until`.
        case open(until: ContinuousClock.Instant)
        /// One probe is out since `since`; other requests are refused until it reports.
        case halfOpen(probeSince: ContinuousClock.Instant)
    }

    /// What a request may do now.
    public enum Permission: Sendable, Equatable {
        /// Go ahead.
        case allowed
        /// Go ahead as the probe of a half-open breaker.
        case probe
        /// Fail fast: the engine failed `failures` times in a row; try again at `retryAt`.
        case refused(retryAt: ContinuousClock.Instant)
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed(failures: 0)
    /// Failed calls in a row, kept across opening so that messages can say how many.
    public private(set) var consecutiveFailures = 0

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Asks whether a request may go now (and, when it becomes the probe, records that it went).
    public mutating func permit(at now: ContinuousClock.Instant) -> Permission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            if now < until { return .refused(retryAt: until) }
            state = .halfOpen(probeSince: now)
            return .probe
        case .halfOpen(let since):
            let retryAt = since + configuration.openDuration
            if now < retryAt { return .refused(retryAt: retryAt) }
            state = .halfOpen(probeSince: now)  // the last probe never reported: send another
            return .probe
        }
    }

    /// A call succeeded (or the engine answered, even if it refused the input): close.
    public mutating func recordSuccess() {
        state = .closed(failures: 0)
        consecutiveFailures = 0
    }

    /// A call failed in a way that says the engine is unwell (no answer, a timeout, a server error).
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        switch state {
        case .closed(let failures):
            state =
                failures + 1 >= configuration.failureThreshold
                ? .open(until: now + configuration.openDuration) : .closed(failures: failures + 1)
        case .halfOpen, .open:
            state = .open(until: now + configuration.openDuration)
        }
    }

    /// Whether requests are refused now (without changing anything).
    public func isOpen(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: false
        case .open(let until): now < until
        case .halfOpen(let since): now < since + configuration.openDuration
        }
    }
}
