import Testing

@testable import DragomanSpeech

/// The circuit breaker and the retry backoff, with the time given as an argument.
@Suite struct CircuitBreakerTests {
    let t0 = ContinuousClock.now
    let config = CircuitBreaker.Configuration(failureThreshold: 3, openDuration: .seconds(10))

    @Test func closedLetsRequestsThroughAndCountsFailuresInARow() {
        var breaker = CircuitBreaker(config)
        #expect(breaker.permit(at: t0) == .allowed)
        breaker.recordFailure(at: t0)
        breaker.recordFailure(at: t0)
        #expect(breaker.state == .closed(failures: 2))
        breaker.recordSuccess()
        #expect(breaker.state == .closed(failures: 0), "a success in between resets the count")
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func theThresholdOpensItAndOpenRefusesUntilTheDurationPasses() {
        var breaker = CircuitBreaker(config)
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        #expect(breaker.state == .open(until: t0 + .seconds(10)))
        #expect(breaker.isOpen(at: t0 + .seconds(9)))
        #expect(breaker.permit(at: t0 + .seconds(9)) == .refused(retryAt: t0 + .seconds(10)))
        #expect(breaker.consecutiveFailures == 3)
    }

    @Test func afterTheDurationOneProbePassesAndOthersWait() {
        var breaker = CircuitBreaker(config)
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        let later = t0 + .seconds(10)
        #expect(breaker.permit(at: later) == .probe)
        #expect(breaker.state == .halfOpen(probeSince: later))
        #expect(breaker.permit(at: later + .seconds(1)) == .refused(retryAt: later + .seconds(10)))
    }

    @Test func aSuccessfulProbeClosesIt() {
        var breaker = CircuitBreaker(config)
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        _ = breaker.permit(at: t0 + .seconds(11))
        breaker.recordSuccess()
        #expect(breaker.state == .closed(failures: 0))
        #expect(breaker.permit(at: t0 + .seconds(11)) == .allowed)
        #expect(!breaker.isOpen(at: t0 + .seconds(11)))
    }

    @Test func aFailedProbeOpensItAgainAtOnce() {
        var breaker = CircuitBreaker(config)
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        let probeTime = t0 + .seconds(11)
        _ = breaker.permit(at: probeTime)
        breaker.recordFailure(at: probeTime)
        #expect(breaker.state == .open(until: probeTime + .seconds(10)))
        #expect(breaker.consecutiveFailures == 4)
    }

    @Test func aProbeThatNeverReportsIsReplaced() {
        var breaker = CircuitBreaker(config)
        for _ in 0..<3 { breaker.recordFailure(at: t0) }
        _ = breaker.permit(at: t0 + .seconds(10))
        // The probe's task was cancelled: nothing is recorded; after another open duration, a new probe.
        #expect(breaker.permit(at: t0 + .seconds(20)) == .probe)
    }

    @Test func aThresholdOfOneOpensOnTheFirstFailure() {
        var breaker = CircuitBreaker(.init(failureThreshold: 0, openDuration: .seconds(1)))
        #expect(breaker.configuration.failureThreshold == 1)
        breaker.recordFailure(at: t0)
        #expect(breaker.isOpen(at: t0))
    }

    @Test func retryBackoffDoublesUpToTheCapAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .milliseconds(500))
        #expect(policy.delay(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 4) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 60) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 2, jitter: 0) == .milliseconds(100), "jitter takes at most half")
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(30)) == .milliseconds(500), "Retry-After is capped")
        #expect(policy.delay(afterAttempt: 1, retryAfter: .zero) == .zero)
        #expect(RetryPolicy.none.maxAttempts == 1)
    }
}
