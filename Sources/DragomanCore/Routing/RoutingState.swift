/// What a booth hears: the floor, or the output of another booth (relay, or pivot).
public enum BoothSource: Hashable, Sendable {
    case floor
    case relay(LanguageTag)
}

/// The part of an event's state that decides what every channel carries.
public struct RoutingState: Equatable, Sendable {
    /// The state of one booth, for routing.
    public struct Booth: Equatable, Sendable {
        /// Whether an interpreter is live (coughing or not: a cough mutes, it does not reroute).
        public var isOnAir: Bool
        public var source: BoothSource
        /// Whether the channel has a machine booth that is ready: it carries the channel while no
        /// interpreter is live and the floor speaks another language.
        public var hasMachine: Bool

        public init(isOnAir: Bool, source: BoothSource = .floor, hasMachine: Bool = false) {
            self.isOnAir = isOnAir
            self.source = source
            self.hasMachine = hasMachine
        }
    }

    /// The language the floor speaks now; nil while nobody said.
    public var floorLanguage: LanguageTag?
    /// The booths of the event, by language; a language without a booth is absent.
    public var booths: [LanguageTag: Booth]

    public init(floorLanguage: LanguageTag? = nil, booths: [LanguageTag: Booth] = [:]) {
        self.floorLanguage = floorLanguage
        self.booths = booths
    }

    /// Whether letting `booth` hear `source` would close a relay loop (en ← ru ← en): the chain of
    /// relays from `source` must end at the floor without passing through `booth`.
    public func wouldCreateLoop(booth: LanguageTag, source: BoothSource) -> Bool {
        var visited: Set<LanguageTag> = [booth]
        var current = source
        while case .relay(let next) = current {
            guard visited.insert(next).inserted else { return true }
            current = booths[next]?.source ?? .floor
        }
        return false
    }
}
