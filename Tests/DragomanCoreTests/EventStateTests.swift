import DragomanCore
import Testing

/// The live event's state machine, without a server: the story's switch, failover, handover, relay,
/// the console that reconnects, chat and signal limits, and an organizer who removes a language.
@Suite struct EventStateTests {
    static let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!, en = LanguageTag("en")!
    let ru = Self.ru, kk = Self.kk, en = Self.en
    let aigerim = Interpreter(id: InterpreterID("i-aigerim"), name: "Aigerim", booth: ru, key: SecretDigest(of: "AAAAAAAA"), createdAt: 0)
    let pavel = Interpreter(id: InterpreterID("i-pavel"), name: "Pavel", booth: ru, key: SecretDigest(of: "BBBBBBBB"), createdAt: 0)
    let john = Interpreter(id: InterpreterID("i-john"), name: "John", booth: en, key: SecretDigest(of: "CCCCCCCC"), createdAt: 0)

    func summit() -> EventState {
        let definition = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [ru, kk, en],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        return EventState(definition: definition, floorLanguage: ru, interpreters: [aigerim, pavel, john])
    }

    func alerts(_ notices: [EventNotice]) -> [ChannelID] {
        notices.compactMap { if case .channel(let channel, .alert) = $0 { channel } else { nil } }
    }

    func carryings(_ notices: [EventNotice]) -> [ChannelID: ControlMessages.CarryingMessage] {
        var found: [ChannelID: ControlMessages.CarryingMessage] = [:]
        for case .channel(let channel, .carrying(let message)) in notices { found[channel] = message }
        return found
    }

    /// A script toggling the microphone is refused after a burst, per interpreter and across reconnects,
    /// so it cannot make every phone re-announce its channel 10,000 times; a second later keys work again.
    @Test func microphoneFloodsAreRefusedAfterABurstAndKeysWorkAgainASecondLater() throws {
        var event = summit()
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        var accepted = 0
        var refusedTooFast = 0
        for index in 0..<1000 {
            do {
                _ = try event.microphone(index.isMultiple(of: 2) ? .micOn(aigerim.id) : .micOff(aigerim.id), from: aigerim.id, at: 1_000)
                accepted += 1
            } catch {
                if error == .tooFast { refusedTooFast += 1 }
            }
        }
        #expect(accepted == 20 && refusedTooFast == 980)
        _ = event.disconnectConsole(aigerim.id, connection: ConnectionID(1))
        _ = event.connectConsole(aigerim.id, as: ConnectionID(2))
        #expect(throws: BoothMicrophone.Refusal.tooFast) { try event.microphone(.micOn(aigerim.id), from: aigerim.id, at: 2_000) }
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id, at: 1_001_000)
        #expect(event.operatorView.live[ru] == "Aigerim")
    }

    /// The story: Russian on the floor with the Russian booth staffed; the host switches to Kazakh and
    /// the Russian channel gets the booth, an alert first, and the booth's microphone is routed to it.
    @Test func theSwitchToKazakhAlertsTheRussianChannelAndRoutesTheBoothToIt() throws {
        var event = summit()
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        #expect(event.route(.interpreter(ru)).channels == [])  // auto-floor: live, not heard
        #expect(event.route(.floor).channels == [.floor, .language(ru), .language(kk), .language(en)])

        let notices = event.setFloorLanguage(kk, at: 42)
        // Every language channel now hears something else: ru its booth, kk the floor in Kazakh (auto-floor), en
        // the floor in Kazakh instead of Russian; each is alerted, in wire-name order.
        #expect(alerts(notices) == [.language(en), .language(kk), .language(ru)])
        let alert = notices.compactMap { if case .channel(.language(ru), .alert(let alert)) = $0 { alert } else { nil } }.first
        #expect(alert?.interpretation == true && alert?.floorLanguage == "kk" && alert?.at == 42)
        let alertIndex = notices.firstIndex { alerts([$0]) == [.language(ru)] }!
        let carryingIndex = notices.firstIndex { if case .channel(.language(ru), .carrying) = $0 { true } else { false } }!
        #expect(alertIndex < carryingIndex)
        #expect(Set(carryings(notices).keys) == [.floor, .language(ru), .language(kk), .language(en)])  // floorLanguage changed everywhere
        #expect(carryings(notices)[.language(ru)]?.source.kind == "interpreter")
        #expect(notices.contains(.routesChanged))
        #expect(event.route(.interpreter(ru)) == SourceRoute(channels: [.language(ru)], speaker: aigerim.id))
        #expect(event.route(.floor).channels == [.floor, .language(kk), .language(en)])
    }

    /// Setting the language the floor already speaks tells listeners nothing new and alerts nobody.
    @Test func theSameFloorLanguageAgainAlertsNobody() {
        var event = summit()
        let notices = event.setFloorLanguage(ru, at: 1)
        #expect(alerts(notices).isEmpty && carryings(notices).isEmpty && !notices.contains(.routesChanged))
    }

    /// Suggest mode: what the machine hears is offered on the dashboard and changes nothing for listeners until the
    /// operator confirms it; confirming (or setting any language) withdraws the offer.
    @Test func aSuggestedFloorLanguageWaitsForTheOperator() {
        var event = summit()
        let notices = event.suggestFloorLanguage(kk)
        #expect(notices == [.dashboards(.refresh)])
        #expect(event.floorLanguage == ru && event.suggestedFloorLanguage == kk)
        #expect(event.dashboard(links: PublicLinks(base: "http://h"), census: [:], levels: [:], at: 0).floor.suggested == "kk")
        #expect(event.suggestFloorLanguage(kk).isEmpty, "the same suggestion again refreshes nobody")
        _ = event.setFloorLanguage(kk, at: 5)
        #expect(event.suggestedFloorLanguage == nil)
        #expect(event.suggestFloorLanguage(kk).isEmpty, "the floor language already: nothing to offer")
        _ = event.suggestFloorLanguage(en)
        _ = event.suggestFloorLanguage(kk)
        #expect(event.suggestedFloorLanguage == nil, "the machine hears the floor language again: the offer goes")
    }

    /// Failover: the live interpreter's console drops; the channel is back on the floor in the same change.
    @Test func aLiveConsoleThatDropsHandsTheChannelBackToTheFloor() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        let notices = event.disconnectConsole(aigerim.id, connection: ConnectionID(1))
        #expect(carryings(notices)[.language(ru)]?.source.kind == "floor")
        #expect(carryings(notices)[.language(ru)]?.interpretation == false)
        #expect(alerts(notices).isEmpty)
        #expect(event.route(.interpreter(ru)) == .nowhere)
        #expect(event.route(.floor).channels.contains(.language(ru)))
    }

    /// A key opened again replaces the older console, which is closed; the booth comes back with the mic off.
    @Test func aReconnectReplacesTheOlderConsoleWithTheMicOff() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        let notices = event.connectConsole(aigerim.id, as: ConnectionID(2))
        #expect(
            notices.first
                == .console(
                    ConnectionID(1),
                    .close(ProtocolError(.forbidden, "This interpreter key was opened on another console; this one is closed."))
                )
        )
        #expect(event.desks[ru]?.microphone.live == nil)
        #expect(event.console(of: aigerim.id) == ConnectionID(2))
        // The old connection's late goodbye changes nothing.
        #expect(event.disconnectConsole(aigerim.id, connection: ConnectionID(1)).isEmpty)
        #expect(event.desks[ru]?.microphone.online == [aigerim.id])
    }

    /// A cough mutes the booth's route but keeps the channel on it.
    @Test func aCoughMutesTheRouteAndKeepsTheChannel() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        let notices = try event.microphone(.cough(aigerim.id, held: true), from: aigerim.id)
        #expect(carryings(notices).isEmpty)
        #expect(event.route(.interpreter(ru)) == SourceRoute(channels: [.language(ru)], speaker: aigerim.id, muted: true))
    }

    /// Handover moves the speaker of the booth's route from one interpreter to the other.
    @Test func aHandoverMovesTheRoutesSpeaker() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = event.connectConsole(pavel.id, as: ConnectionID(2))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        #expect(throws: BoothMicrophone.Refusal.micBusy(live: aigerim.id)) { try event.microphone(.micOn(pavel.id), from: pavel.id) }
        _ = try event.microphone(.requestHandover(aigerim.id), from: aigerim.id)
        _ = try event.microphone(.acceptHandover(pavel.id), from: pavel.id)
        let notices = try event.microphone(.switchNow(aigerim.id), from: aigerim.id)
        #expect(event.route(.interpreter(ru)).speaker == pavel.id)
        #expect(carryings(notices).isEmpty)  // the channel carries the booth throughout
    }

    /// Relay: the English booth hears the Russian booth while it is on air, the floor otherwise.
    @Test func aRelayBoothHearsTheBoothItRelaysWhileThatBoothIsOnAir() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = try event.setSource(.relay(ru), of: en)
        #expect(event.route(.floor).booths.contains(en))
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        #expect(event.route(.interpreter(ru)).booths == [en])
        #expect(!event.route(.floor).booths.contains(en))
        #expect(throws: ProtocolError.self) { try event.setSource(.relay(en), of: ru) }  // a loop
        #expect(throws: ProtocolError.self) { try event.setSource(.relay(ru), of: ru) }
    }

    /// A console whose audio stopped is taken off air and told why; one that is not live is left alone.
    @Test func takingASilentConsoleOffAirTellsThatConsole() throws {
        var event = summit()
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        #expect(event.takeOffAir(aigerim.id).isEmpty)
        _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        let notices = event.takeOffAir(aigerim.id)
        #expect(notices.contains { if case .console(ConnectionID(1), .error(let error)) = $0 { error.code == "no-audio" } else { false } })
        #expect(carryings(notices)[.language(ru)]?.source.kind == "floor")
    }

    /// Chat: ten lines at once, then one a second, counted per interpreter, so reconnecting does not reset it.
    @Test func chatIsLimitedPerInterpreterAcrossReconnects() throws {
        var event = summit()
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        for _ in 0..<10 { _ = try event.chat(from: aigerim.id, to: "booth", text: "hello", at: 1_000_000) }
        #expect(throws: ProtocolError(.tooMany, "Too many chat messages: at most 10 at once, then one a second.")) {
            try event.chat(from: aigerim.id, to: "booth", text: "hello", at: 1_000_000)
        }
        _ = event.connectConsole(aigerim.id, as: ConnectionID(2))
        #expect(throws: ProtocolError.self) { try event.chat(from: aigerim.id, to: "booth", text: "hello", at: 1_500_000) }
        let notices = try event.chat(from: aigerim.id, to: "organizer", text: "one more", at: 2_000_000)
        #expect(notices.count == 2)  // the booth and the dashboards
        #expect(throws: ProtocolError.self) { try event.chat(from: aigerim.id, to: "everyone", text: "x", at: 9_000_000) }
        #expect(throws: ProtocolError.self) { try event.chat(from: aigerim.id, to: "booth", text: "   ", at: 9_000_000) }
    }

    /// Signals go to the dashboards and the booth, at most three at once, and are shown for a minute.
    @Test func signalsAreLimitedAndExpireAfterAMinute() throws {
        var event = summit()
        for _ in 0..<3 { _ = try event.signal(.slowDown, from: aigerim.id, at: 0) }
        #expect(throws: ProtocolError.self) { try event.signal(.help, from: aigerim.id, at: 0) }
        let help = try event.signal(.help, from: john.id, at: 10)
        #expect(help.contains { if case .booth(en, .signal(let signal)) = $0 { signal.from?.name == "John" } else { false } })
        #expect(event.recentSignals(at: 20).count == 4)
        #expect(event.recentSignals(at: 20).first?.kind == .help)
        #expect(event.recentSignals(at: EventState.signalLifetime + 5).map(\.kind) == [.help])
    }

    /// The organizer removes English: its channel and booth close, John's key stops working, and a
    /// booth relaying English falls back to the floor.
    @Test func removingALanguageClosesItsChannelBoothAndInterpreters() throws {
        var event = summit()
        _ = try event.setSource(.relay(en), of: ru)
        _ = event.connectConsole(john.id, as: ConnectionID(3))
        var definition = event.definition
        definition.languages = [ru, kk]
        let notices = event.update(definition)
        #expect(notices.contains { if case .channelRemoved(.language(en), _) = $0 { true } else { false } })
        #expect(notices.contains { if case .boothRemoved(en, _) = $0 { true } else { false } })
        #expect(event.interpreters.map(\.name) == ["Aigerim", "Pavel"])
        #expect(event.desks[ru]?.source == .floor)
        #expect(event.interpreter(forKey: "CCCCCCCC") == nil && event.interpreter(forKey: "aaaa-aaaa")?.name == "Aigerim")
        #expect(event.route(.interpreter(en)) == .nowhere)
    }

    /// Only one floor publisher at a time; the second is refused until the first lets go.
    @Test func aSecondFloorPublisherIsRefused() throws {
        var event = summit()
        _ = try event.claimFloor(as: ConnectionID(1))
        #expect(throws: ProtocolError.self) { try event.claimFloor(as: ConnectionID(2)) }
        #expect(event.releaseFloor(ConnectionID(2)).allSatisfy { if case .channel = $0 { false } else { true } })
        let released = event.releaseFloor(ConnectionID(1))
        #expect(carryings(released)[.floor]?.floorLive == false)
        _ = try event.claimFloor(as: ConnectionID(2))
    }

    // MARK: Machine booths

    func summitWithMachine() -> EventState {
        let definition = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [ru, kk, en],
            machineBooths: [ru],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        return EventState(definition: definition, floorLanguage: ru, interpreters: [aigerim, pavel, john])
    }

    /// The story with no interpreter in the Russian booth: its machine carries the channel after the switch, and the
    /// alert says interpretation is live.
    @Test func aReadyMachineCarriesTheChannelWhenNoInterpreterIsLive() {
        var event = summitWithMachine()
        #expect(event.desks[ru]?.machine == .starting)
        _ = event.setMachineStatus(.ready, of: ru)
        #expect(event.route(.machine(ru)).channels == [])  // auto-floor: the floor speaks Russian
        let notices = event.setFloorLanguage(kk, at: 5)
        let alert = notices.compactMap { if case .channel(.language(ru), .alert(let alert)) = $0 { alert } else { nil } }.first
        #expect(alert?.interpretation == true)
        #expect(carryings(notices)[.language(ru)]?.source.kind == "machine")
        #expect(event.route(.machine(ru)).channels == [.language(ru)])
        #expect(event.route(.machine(ru)).admits(nil))
        #expect(carryings(notices)[.language(en)]?.source.kind == "floor")  // no machine there
    }

    /// Failover both ways: a live interpreter takes the channel from the machine at once, and when their line drops
    /// the machine has it again in the same change, with no moment on the floor in between.
    @Test func theMachineYieldsToALiveInterpreterAndTakesOverWhenTheyDrop() throws {
        var event = summitWithMachine()
        _ = event.setMachineStatus(.ready, of: ru)
        _ = event.setFloorLanguage(kk, at: 0)
        _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
        let live = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
        #expect(carryings(live)[.language(ru)]?.source.kind == "interpreter")
        #expect(event.route(.machine(ru)).channels.isEmpty && event.route(.interpreter(ru)).channels == [.language(ru)])
        let dropped = event.disconnectConsole(aigerim.id, connection: ConnectionID(1))
        #expect(carryings(dropped)[.language(ru)]?.source.kind == "machine")
        #expect(event.route(.machine(ru)).channels == [.language(ru)])
    }

    /// A machine that is starting or has failed carries nothing; the dashboard is told why it failed.
    @Test func aMachineThatIsNotReadyLeavesTheChannelOnTheFloor() {
        var event = summitWithMachine()
        _ = event.setFloorLanguage(kk, at: 0)
        #expect(event.carrying(.language(ru)).source.kind == "floor")
        _ = event.setMachineStatus(.ready, of: ru)
        let failed = event.setMachineStatus(.failed("whisper-worker: unavailable"), of: ru)
        #expect(carryings(failed)[.language(ru)]?.source.kind == "floor")
        #expect(event.boothState(ru, audience: 0, at: 0)?.machine == "failed")
        #expect(event.boothState(ru, audience: 0, at: 0)?.machineProblem == "whisper-worker: unavailable")
        #expect(event.setMachineStatus(.ready, of: en).isEmpty)  // en has no machine booth
    }

    /// Speech the machine skipped because it fell behind is added up and shown on its booths' state (consoles and
    /// the dashboard); the audio routes are not concerned, and a booth without a machine shows nothing.
    @Test func speechTheMachineSkippedIsShownWithItsBooths() {
        var event = summitWithMachine()
        _ = event.setMachineStatus(.ready, of: ru)
        #expect(event.boothState(ru, audience: 0, at: 0)?.machineSkipped == nil)
        let routes = event.routes
        _ = event.machineSkipped(speech: 2_500_000, lateBy: 6_200_000, at: 10_000_000)
        let notices = event.machineSkipped(speech: 1_200_000, lateBy: 7_450_000, at: 20_000_000)
        #expect(notices == [.boothState(ru), .dashboards(.refresh)])
        #expect(event.routes == routes)
        let skipped = event.boothState(ru, audience: 0, at: 0)?.machineSkipped
        #expect(skipped?.count == 2 && skipped?.seconds == 3.7 && skipped?.lastAt == 20_000_000 && skipped?.lateBy == 7.4)
        #expect(event.boothState(en, audience: 0, at: 0)?.machineSkipped == nil)
        var none = summit()
        #expect(none.machineSkipped(speech: 1, lateBy: 1, at: 1).isEmpty, "an event without machine booths")
    }

    /// The organizer adds and removes a machine booth by changing the event.
    @Test func machineBoothsFollowTheDefinition() {
        var event = summit()
        var definition = event.definition
        definition.machineBooths = [en]
        _ = event.update(definition)
        #expect(event.desks[en]?.machine == .starting && event.desks[ru]?.machine == MachineStatus.none)
        _ = event.setMachineStatus(.ready, of: en)
        definition.machineBooths = []
        _ = event.update(definition)
        #expect(event.desks[en]?.machine == MachineStatus.none)
        #expect(event.route(.machine(en)) == .nowhere)
    }

    /// A recording that stops (a full disk) raises the alarm on the dashboard once, names the channel and whether
    /// the disk is full, and leaves the audio routes alone; recording again, or switching it off, clears it.
    @Test func aStoppedRecordingIsAnAlarmOnTheDashboardUntilRecordingStartsAgain() {
        var event = summit()
        let full = RecordingProblem(diskFull: true, detail: "No space left on device")
        #expect(event.recordingStopped(.floor, problem: full).isEmpty, "an event that does not record has no alarm")
        var definition = event.definition
        definition.recording = true
        _ = event.update(definition)
        let routes = event.routes
        #expect(event.recordingStopped(.language(ru), problem: full) == [.dashboards(.refresh)])
        #expect(event.recordingStopped(.language(ru), problem: full).isEmpty, "told once")
        #expect(event.routes == routes, "the live audio is not concerned")
        let links = PublicLinks(base: "http://h")
        let stopped = event.dashboard(links: links, census: [:], levels: [:], at: 0).recording?.stopped
        #expect(stopped == [.init(channel: "ru", diskFull: true, problem: "No space left on device")])
        #expect(event.recordingStarted() == [.dashboards(.refresh)])
        #expect(event.dashboard(links: links, census: [:], levels: [:], at: 0).recording?.stopped == [])
        _ = event.recordingStopped(.floor, problem: full)
        definition.recording = false
        _ = event.update(definition)
        #expect(event.recordingProblems.isEmpty && event.dashboard(links: links, census: [:], levels: [:], at: 0).recording == nil)
    }
}
