/// Decides what each channel carries, as a pure function of the event's routing state.
///
/// - the Floor channel carries the floor;
/// - a language channel whose language the floor speaks carries the floor (auto-floor);
/// - else, while its booth is on air, the booth's interpreter (who may hear another booth: relay);
/// - else, while it has a machine booth that is ready and the floor's language is known, the machine (it
///   listens to the floor itself);
/// - else the floor, and the channel says that no interpretation is live.
public enum ChannelRouting {
    /// What `channel` carries in `state`.
    public static func carrying(_ channel: ChannelID, in state: RoutingState) -> Carrying {
        switch channel {
        case .floor:
            return Carrying(source: .floor, language: state.floorLanguage, interpretation: false)
        case .language(let language):
            if state.floorLanguage == language {
                return Carrying(source: .floor, language: language, interpretation: false)
            }
            guard let booth = state.booths[language] else {
                return Carrying(source: .floor, language: state.floorLanguage, interpretation: false)
            }
            guard booth.isOnAir else {
                // The machine needs to know the floor speaks another language: on a floor of unknown language it
                // might be hearing the channel's own, which it would not translate (silence).
                if booth.hasMachine, state.floorLanguage != nil {
                    return Carrying(source: .machine(language), language: language, interpretation: true)
                }
                return Carrying(source: .floor, language: state.floorLanguage, interpretation: false)
            }
            var via: LanguageTag?
            if case .relay(let other) = booth.source { via = other }
            return Carrying(source: .interpreter(language), language: language, interpretation: true, relayVia: via)
        }
    }

    /// What `channel` carries when only the floor language is known (no booths).
    public static func carrying(_ channel: ChannelID, floorLanguage: LanguageTag?) -> Carrying {
        carrying(channel, in: RoutingState(floorLanguage: floorLanguage))
    }

    /// What the booth of `language` hears, and how many interpreters stand between it and the
    /// floor: 0 the floor itself, 1 a relay, 2 a relay of a relay. A relay booth whose source
    /// carries the floor (auto-floor, or nobody live) hears the floor, at depth 0.
    public static func input(ofBooth language: LanguageTag, in state: RoutingState) -> (carrying: Carrying, depth: Int) {
        let floor = carrying(.floor, in: state)
        guard case .relay(let first) = state.booths[language]?.source ?? .floor, first != language else { return (floor, 0) }
        let heard = carrying(.language(first), in: state)
        guard heard.source != .floor else { return (floor, 0) }
        var depth = 1
        var visited: Set<LanguageTag> = [language, first]
        var source = state.booths[first]?.source ?? .floor
        while case .relay(let next) = source, visited.insert(next).inserted, carrying(.language(next), in: state).source != .floor {
            depth += 1
            source = state.booths[next]?.source ?? .floor
        }
        return (heard, depth)
    }
}
