import DragomanCore
import Testing

struct ChannelRoutingTests {
    static let ru = LanguageTag("ru")!
    static let kk = LanguageTag("kk")!
    static let en = LanguageTag("en")!
    static let languages = [ru, kk, en]

    /// Every routing state of an event with ru, kk and en: each booth absent, or present, on air or not,
    /// hearing the floor or relaying one of the other two; and every floor language.
    static var allStates: [RoutingState] {
        var boothOptions: [LanguageTag: [RoutingState.Booth?]] = [:]
        for language in languages {
            var options: [RoutingState.Booth?] = [nil]
            for onAir in [false, true] {
                options.append(.init(isOnAir: onAir, source: .floor))
                for other in languages where other != language { options.append(.init(isOnAir: onAir, source: .relay(other))) }
            }
            boothOptions[language] = options
        }
        var states: [RoutingState] = []
        for floorLanguage in [nil] + languages {
            for r in boothOptions[ru]! {
                for k in boothOptions[kk]! {
                    for e in boothOptions[en]! {
                        var booths: [LanguageTag: RoutingState.Booth] = [:]
                        booths[ru] = r
                        booths[kk] = k
                        booths[en] = e
                        states.append(RoutingState(floorLanguage: floorLanguage, booths: booths))
                    }
                }
            }
        }
        return states
    }

    /// The routing rule, on every state and channel.
    @Test func everyStateAndChannel() {
        let states = Self.allStates
        #expect(states.count == 4 * 7 * 7 * 7)
        for state in states {
            #expect(ChannelRouting.carrying(.floor, in: state).source == .floor)
            for language in Self.languages {
                let carried = ChannelRouting.carrying(.language(language), in: state)
                if state.floorLanguage == language {
                    // Auto-floor: the floor speaks the channel's language.
                    #expect(carried == Carrying(source: .floor, language: language, interpretation: false), "\(state)")
                } else if let booth = state.booths[language], booth.isOnAir {
                    #expect(carried.source == .interpreter(language) && carried.interpretation, "\(state)")
                    if case .relay(let other) = booth.source { #expect(carried.relayVia == other) } else { #expect(carried.relayVia == nil) }
                } else {
                    // No interpretation live: the floor, and the channel says so.
                    #expect(carried.source == .floor && !carried.interpretation, "\(state)")
                }
                let (heard, depth) = ChannelRouting.input(ofBooth: language, in: state)
                #expect((0...2).contains(depth), "a booth is at most a relay of a relay away from the floor with three booths")
                #expect((depth == 0) == (heard.source == .floor))
            }
        }
    }

    /// A relay loop is refused however long the chain, and a chain ending at the floor is fine.
    @Test func relayLoopsAreDetected() {
        let state = RoutingState(booths: [
            Self.ru: .init(isOnAir: true, source: .floor), Self.kk: .init(isOnAir: true, source: .relay(Self.ru)),
            Self.en: .init(isOnAir: true, source: .relay(Self.kk)),
        ])
        #expect(!state.wouldCreateLoop(booth: Self.en, source: .relay(Self.kk)))
        #expect(state.wouldCreateLoop(booth: Self.ru, source: .relay(Self.en)), "ru ← en ← kk ← ru")
        #expect(state.wouldCreateLoop(booth: Self.kk, source: .relay(Self.kk)), "a booth cannot relay itself")
        #expect(!state.wouldCreateLoop(booth: Self.ru, source: .floor))
    }

    /// Relay depth as the console shows it: floor, relay, relay of relay.
    @Test func relayDepth() {
        let state = RoutingState(
            floorLanguage: Self.kk,
            booths: [
                Self.ru: .init(isOnAir: true, source: .floor), Self.en: .init(isOnAir: true, source: .relay(Self.ru)),
                LanguageTag("de")!: .init(isOnAir: true, source: .relay(Self.en)),
            ]
        )
        #expect(ChannelRouting.input(ofBooth: Self.ru, in: state).depth == 0)
        #expect(ChannelRouting.input(ofBooth: Self.en, in: state).depth == 1)
        #expect(ChannelRouting.input(ofBooth: Self.en, in: state).carrying.source == .interpreter(Self.ru))
        #expect(ChannelRouting.input(ofBooth: LanguageTag("de")!, in: state).depth == 2)
    }

    /// A relay from a booth that is off air hears what that channel carries: the floor.
    @Test func relayFromAnOffAirBoothHearsTheFloor() {
        let state = RoutingState(
            floorLanguage: Self.kk,
            booths: [Self.ru: .init(isOnAir: false), Self.en: .init(isOnAir: true, source: .relay(Self.ru))]
        )
        let (heard, depth) = ChannelRouting.input(ofBooth: Self.en, in: state)
        #expect(heard.source == .floor && depth == 0)
    }

    /// The story: the delegate stays on Russian; Russian floor → the floor, Kazakh floor → the Russian booth.
    @Test func theAstanaSwitch() {
        var state = RoutingState(floorLanguage: Self.ru, booths: [Self.ru: .init(isOnAir: true)])
        #expect(ChannelRouting.carrying(.language(Self.ru), in: state).source == .floor)
        state.floorLanguage = Self.kk
        #expect(ChannelRouting.carrying(.language(Self.ru), in: state).source == .interpreter(Self.ru))
    }
}
