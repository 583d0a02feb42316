import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Counts open connections and turns away those over a cap set below the descriptor limit, so
/// a flood of connections can never take the last descriptors that the database, the logs and
/// the runtime's own threads need (running out of them crashes a process in places no code of
/// ours can catch).
final class ConnectionAdmission: Sendable {
    /// The most connections open at once.
    let limit: Int
    private let counts = NIOLockedValueBox((open: 0, refused: 0))

    init(limit: Int = ConnectionAdmission.defaultLimit) {
        self.limit = limit
    }

    /// Takes a place for a new connection; false when the server is full.
    func admit() -> Bool {
        counts.withLockedValue { counts in
            guard counts.open < limit else {
                counts.refused += 1
                return false
            }
            counts.open += 1
            return true
        }
    }

    /// Gives back the place of a connection that closed.
    func release() {
        counts.withLockedValue { $0.open -= 1 }
    }

    var open: Int { counts.withLockedValue { $0.open } }
    var refused: Int { counts.withLockedValue { $0.refused } }

    /// The descriptor limit of the process less a reserve: an eighth of it, at least 64.
    static var defaultLimit: Int {
        #if canImport(Glibc)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            let descriptors = Int(clamping: limit.rlim_cur)
            return max(16, descriptors - max(64, descriptors / 8))
        }
        #endif
        return 10_000
    }
}
