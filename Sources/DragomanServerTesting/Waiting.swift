import DragomanClient

/// Waiting for a condition instead of sleeping for a guess: a test that waits for what it needs
/// passes on a busy machine as on an idle one, and fails with a message that names what never came.
public enum Waiting {
    /// How often a condition is looked at.
    public static let pollInterval: Duration = .milliseconds(10)
    /// How long a condition may take before the test fails: generous, since CI machines are busy.
    public static let defaultTimeout: Duration = .seconds(10)
}

/// Waits until `condition` holds; throws, naming `what`, if it does not within `timeout`.
///
/// ```swift
/// try await wait("three listeners") { server.statistics(.floor)?.listeners == 3 }
/// ```
public func wait(
    _ what: String,
    timeout: Duration = Waiting.defaultTimeout,
    until condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw ClientError("waited \(timeout) for \(what), in vain") }
        try await Task.sleep(for: Waiting.pollInterval)
    }
}
