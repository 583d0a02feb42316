/// Keeps a burst of floor-language changes from becoming a burst of alerts on every phone.
///
/// The first change goes through at once (the switch alert must not wait); changes that come less
/// than `interval` after the last applied one are held, and only the latest of them is applied
/// when the interval has passed. A thousand changes in a second become two.
public struct FloorLanguageThrottle: Sendable, Equatable {
    /// The shortest time between two applied changes.
    public static let intervalMicros: UInt64 = 1_000_000

    /// What to do with a requested change.
    public enum Decision: Sendable, Equatable {
        /// Apply it now.
        case applyNow
        /// It is held; apply what `due(at:)` returns at this time (the caller schedules that once).
        case holdUntil(UInt64)
        /// It replaced a change already held; the wake-up is already scheduled.
        case held
    }

    private var lastApplied: UInt64?
    /// The latest held change (`.some(nil)` is a held change to "not known").
    public private(set) var pending: LanguageTag??

    public init() {}

    /// Decides about a change to `language` requested at `now`.
    public mutating func request(_ language: LanguageTag?, at now: UInt64) -> Decision {
        if pending != nil {
            pending = .some(language)
            return .held
        }
        if let lastApplied, now < lastApplied + Self.intervalMicros {
            pending = .some(language)
            return .holdUntil(lastApplied + Self.intervalMicros)
        }
        lastApplied = now
        return .applyNow
    }

    /// When the held change is due (µs), if one is held.
    public var dueAt: UInt64? {
        guard pending != nil, let lastApplied else { return nil }
        return lastApplied + Self.intervalMicros
    }

    /// The held change to apply at `now`, if one is due; it counts as applied.
    public mutating func due(at now: UInt64) -> LanguageTag?? {
        guard let held = pending, let lastApplied, now >= lastApplied + Self.intervalMicros else { return nil }
        pending = nil
        self.lastApplied = now
        return .some(held)
    }
}
