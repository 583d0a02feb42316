#if canImport(Glibc)
import Glibc
#endif

/// Raises the soft limit of open files to the hard limit: every listener is a socket, and
/// the usual soft limit of 1,024 would refuse a full hall.
enum ResourceLimits {
    static func raiseOpenFiles() {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #endif
    }
}
