/// What the consoles and the dashboard are shown, built from the state and what the connections measure.
extension EventState {
    /// The state of `booth` as its consoles and the dashboard see it.
    /// - Parameters:
    ///   - audience: everyone who hears the booth's channel now
    ///   - now: the server's time, µs since the Unix epoch
    public func boothState(_ booth: LanguageTag, audience: Int, at now: UInt64) -> ControlMessages.BoothState? {
        guard let desk = desks[booth] else { return nil }
        let routing = self.routing
        let online = desk.microphone.online
        let input = ChannelRouting.input(ofBooth: booth, in: routing)
        let channel = ChannelID.language(booth)
        var state = ControlMessages.BoothState(
            booth: booth.value,
            interpreters: interpreters.filter { $0.booth == booth }.map {
                ControlMessages.BoothInterpreter(id: $0.id.value, name: $0.name, online: online.contains($0.id))
            },
            live: desk.microphone.live?.value,
            coughing: desk.microphone.coughing,
            onAir: desk.microphone.isOnAir,
            handover: ControlMessages.HandoverState(desk.microphone.handover),
            source: ControlMessages.BoothSourceChoice(desk.source),
            hears: ControlMessages.Hearing(carrying: input.carrying, depth: input.depth),
            relayOptions: routing.relayOptions(for: booth, among: definition.languages).map(\.value),
            floorLanguage: floorLanguage?.value,
            floorLive: isFloorLive,
            carrying: carrying(channel),
            listeners: audience,
            recorded: definition.recording,
            streamedOutside: relayCount(channel) > 0,
            serverTime: now
        )
        state.machine = desk.machine.wireName
        state.confidential = definition.confidential
        if case .failed(let problem) = desk.machine { state.machineProblem = problem }
        if desk.machine != .none, machineSkips.count > 0 {
            state.machineSkipped = ControlMessages.MachineSkipped(machineSkips)
        }
        return state
    }

    /// Everything the organizer watches, as one message.
    /// - Parameters:
    ///   - census: what each channel's connections measure
    ///   - levels: the level of each source now, dBFS (absent: silence)
    public func dashboard(
        links: PublicLinks,
        census: [ChannelID: ChannelCensus],
        levels: [ChannelSource: Double],
        at now: UInt64
    )
        -> ControlMessages.Dashboard
    {
        let routing = self.routing
        let channels = definition.channels.map { channel -> ControlMessages.Dashboard.Channel in
            let counts = census[channel] ?? ChannelCensus()
            return ControlMessages.Dashboard.Channel(
                channel: channel.description,
                listeners: counts.listeners,
                streamListeners: counts.streamListeners,
                relays: relayCount(channel),
                carrying: carrying(channel),
                level: levels[ChannelRouting.carrying(channel, in: routing).source] ?? PeakMeter.floorDB,
                delayP50: Self.rounded(counts.delayP50),
                delayP99: Self.rounded(counts.delayP99),
                dropped: counts.dropped,
                joinURL: links.join(definition.code, channel: channel)
            )
        }
        return ControlMessages.Dashboard(
            serverTime: now,
            event: .init(
                code: definition.code.value,
                name: definition.name,
                languages: definition.languages.map(\.value),
                joinURL: links.join(definition.code)
            ),
            floor: .init(
                live: isFloorLive,
                language: floorLanguage?.value,
                level: levels[.floor] ?? PeakMeter.floorDB,
                suggested: suggestedFloorLanguage?.value
            ),
            channels: channels,
            booths: definition.languages.compactMap { boothState($0, audience: census[.language($0)]?.audience ?? 0, at: now) },
            signals: recentSignals(at: now),
            recording: definition.recording
                ? .init(
                    stopped: recordingProblems.sorted { $0.key.description < $1.key.description }
                        .map { .init(channel: $0.key.description, diskFull: $0.value.diskFull, problem: $0.value.detail) }
                )
                : nil
        )
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
