import Foundation
import ServiceLifecycle

/// Deletes recordings past their event's retention period: at start, then every ten minutes, so a laptop that
/// was off on the day still deletes them the moment it runs.
struct RecordingRetention: Service {
    static let interval: Duration = .seconds(600)
    let events: LiveEvents

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                events.applyRetention()
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
