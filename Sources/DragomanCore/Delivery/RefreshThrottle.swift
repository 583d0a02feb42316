/// At most one refresh per interval for each target (a booth's consoles, the dashboards): the first
/// goes at once; later ones within the interval fold into one, sent when `due(at:)` is asked after
/// it. A flood of changes (listeners re-tuning, keys pressed) then costs each screen a few messages
/// a second instead of one per change.
public struct RefreshThrottle<Target: Hashable & Sendable>: Sendable {
    public let intervalMicros: UInt64
    private var lastSent: [Target: UInt64] = [:]
    public private(set) var pending: Set<Target> = []

    public init(intervalMicros: UInt64) {
        self.intervalMicros = intervalMicros
    }

    /// Whether a refresh of `target` asked for at `now` goes out now; if not, it is held.
    public mutating func request(_ target: Target, at now: UInt64) -> Bool {
        if let last = lastSent[target], now < last + intervalMicros {
            pending.insert(target)
            return false
        }
        lastSent[target] = now
        pending.remove(target)
        return true
    }

    /// The held refreshes whose interval has passed at `now`; they count as sent.
    public mutating func due(at now: UInt64) -> [Target] {
        let ready = pending.filter { now >= (lastSent[$0] ?? 0) + intervalMicros }
        for target in ready {
            pending.remove(target)
            lastSent[target] = now
        }
        return Array(ready)
    }
}
