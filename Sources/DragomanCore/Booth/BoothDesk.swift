/// One booth's part of the event state: its microphone (who is live, cough, handover), what it
/// chose to hear (the floor, or another booth: relay), and the channel's machine booth.
public struct BoothDesk: Hashable, Sendable {
    public var microphone: BoothMicrophone
    public var source: BoothSource
    /// The channel's machine booth, if it has one.
    public var machine: MachineStatus

    public init(microphone: BoothMicrophone = BoothMicrophone(), source: BoothSource = .floor, machine: MachineStatus = .none) {
        self.microphone = microphone
        self.source = source
        self.machine = machine
    }

    /// The booth as routing sees it: on air while someone is live. A cough mutes the booth but
    /// keeps its channel on it; listeners hear silence, not the floor jumping in for a second.
    public var routing: RoutingState.Booth {
        RoutingState.Booth(isOnAir: microphone.live != nil, source: source, hasMachine: machine.isReady)
    }
}

extension RoutingState {
    /// The routing state of an event from its floor language and its booths.
    public init(floorLanguage: LanguageTag?, desks: [LanguageTag: BoothDesk]) {
        self.init(floorLanguage: floorLanguage, booths: desks.mapValues(\.routing))
    }

    /// The booths `booth` may take relay from now, in `languages` order: every other booth whose
    /// chain of relays does not come back to `booth`.
    public func relayOptions(for booth: LanguageTag, among languages: [LanguageTag]) -> [LanguageTag] {
        languages.filter { $0 != booth && !wouldCreateLoop(booth: booth, source: .relay($0)) }
    }
}
