import Dispatch
import Foundation
import Synchronization

/// Ctrl-C or SIGTERM as a request to finish: a command that writes files (a WAV header, statistics) looks at
/// `isRequested` and ends cleanly. A second signal ends the process at once, as a user pressing Ctrl-C twice expects.
final class StopRequest: @unchecked Sendable {
    // @unchecked: `sources` is set once in init and only kept alive; the flag is behind its mutex.
    private let requested = Mutex(false)
    private var sources: [any DispatchSourceSignal] = []

    /// Whether a signal came.
    var isRequested: Bool { requested.withLock { $0 } }

    private init() {}

    /// A request that SIGINT and SIGTERM set.
    static func onInterrupt() -> StopRequest {
        let request = StopRequest()
        let queue = DispatchQueue(label: "dragoman.stop-request")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [request] in
                if request.requestAgain() { exit(128 + number) }
            }
            source.resume()
            request.sources.append(source)
        }
        return request
    }

    /// Marks the request; returns whether it was already made.
    private func requestAgain() -> Bool {
        requested.withLock { requested in
            defer { requested = true }
            return requested
        }
    }
}
