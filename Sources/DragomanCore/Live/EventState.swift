/// The live state of one event, as a pure state machine: the floor (who publishes it, the language
/// it speaks), the booths (microphones, what each hears), the consoles connected, the relays out of
/// the room, the signals of the last minute, and where every source's audio goes.
///
/// Each event (the floor changed language, an interpreter pressed Mic, a console dropped …) is a
/// mutating method that returns what must be told to whom, as `EventNotice`s in order; the server
/// carries them out over its connections. Every change goes through one diff: what each channel
/// carries before and after, so exactly the channels whose carrying changed hear about it (with an
/// `alert` first when the floor changed language). Time comes in as arguments, never from a clock.
///
/// ```swift
/// var event = EventState(definition: summit)
/// _ = event.connectConsole(aigerim.id, as: ConnectionID(1))
/// _ = try event.microphone(.micOn(aigerim.id), from: aigerim.id)
/// let notices = event.setFloorLanguage(kk, at: now)   // .channel(ru, .alert(…)), .channel(ru, .carrying(…)), …
/// event.routes[.interpreter(ru)]                        // channels: [ru], speaker: aigerim
/// ```
public struct EventState: Sendable {
    public private(set) var definition: EventDefinition
    /// The language the floor speaks now, as the operator (or language identification) set it.
    public private(set) var floorLanguage: LanguageTag?
    /// The language the machine hears on the floor when it differs from `floorLanguage` and the operator confirms
    /// changes (suggest mode): the dashboard offers it; setting the floor language clears it.
    public private(set) var suggestedFloorLanguage: LanguageTag?
    /// Speech the machine booths skipped because they had fallen behind.
    public private(set) var machineSkips = MachineSkips()
    /// The connection that publishes the floor now.
    public private(set) var floorPublisher: ConnectionID?
    /// The interpreters of the event, in the order they were made.
    public private(set) var interpreters: [Interpreter]
    /// Each booth's microphone and what it chose to hear.
    public private(set) var desks: [LanguageTag: BoothDesk]
    /// Where the audio of every source goes now; recomputed on every change, read on the audio path.
    public private(set) var routes: [ChannelSource: SourceRoute] = [:]
    /// The console connection of each online interpreter, by booth.
    private var consoles: [LanguageTag: [InterpreterID: ConnectionID]] = [:]
    /// Connections that carry a channel out of the room (Icecast relays), per channel.
    private var relays: [ChannelID: Int] = [:]
    /// Signals of the last minute, oldest first.
    private var signals: [ControlMessages.Signal] = []
    /// Channels whose recording stopped, and why (a full disk); cleared when recording starts again.
    public private(set) var recordingProblems: [ChannelID: RecordingProblem] = [:]
    /// How fast each interpreter may chat and signal; kept per interpreter, so reconnecting does not reset it.
    private var limits: [InterpreterID: ConsoleLimits] = [:]

    /// How long the dashboard keeps showing a signal, in µs.
    public static let signalLifetime: UInt64 = 60_000_000

    public init(definition: EventDefinition, floorLanguage: LanguageTag? = nil, interpreters: [Interpreter] = []) {
        self.definition = definition
        self.floorLanguage = floorLanguage
        self.interpreters = interpreters.filter { definition.languages.contains($0.booth) }
        self.desks = Dictionary(
            uniqueKeysWithValues: definition.languages.map {
                ($0, BoothDesk(machine: definition.machineBooths.contains($0) ? .starting : .none))
            }
        )
        self.routes = computeRoutes()
    }

    /// The routing state now: floor language and booths.
    public var routing: RoutingState { RoutingState(floorLanguage: floorLanguage, desks: desks) }

    /// Whether someone publishes the floor now.
    public var isFloorLive: Bool { floorPublisher != nil }

    /// What `channel` carries now, as its listeners are told.
    public func carrying(_ channel: ChannelID) -> ControlMessages.CarryingMessage {
        ControlMessages.CarryingMessage(
            channel: channel,
            carrying: ChannelRouting.carrying(channel, in: routing),
            floorLive: isFloorLive,
            floorLanguage: floorLanguage
        )
    }

    /// Where the audio of `source` goes now.
    public func route(_ source: ChannelSource) -> SourceRoute { routes[source] ?? .nowhere }

    /// The connection of `interpreter`'s console, if it is online.
    public func console(of interpreter: InterpreterID) -> ConnectionID? {
        guard let booth = interpreters.first(where: { $0.id == interpreter })?.booth else { return nil }
        return consoles[booth]?[interpreter]
    }

    /// The console connections of `booth`.
    public func consoles(of booth: LanguageTag) -> [ConnectionID] {
        (consoles[booth] ?? [:]).values.sorted()
    }

    /// Connections relaying `channel` out of the room now.
    public func relayCount(_ channel: ChannelID) -> Int { relays[channel, default: 0] }

    /// Signals of the last minute before `now`, newest first.
    public func recentSignals(at now: UInt64) -> [ControlMessages.Signal] {
        signals.filter { now <= $0.at + Self.signalLifetime }.reversed()
    }

    // MARK: The floor

    /// Sets the floor language. Every language channel whose carrying changes gets an `alert`, then
    /// every channel its new `carrying`.
    public mutating func setFloorLanguage(_ language: LanguageTag?, at micros: UInt64) -> [EventNotice] {
        change(alertAt: micros) {
            $0.floorLanguage = language
            $0.suggestedFloorLanguage = nil
        }
    }

    /// The machine hears the floor speak `language` (suggest mode): the dashboards offer it to the operator, unless
    /// it is the floor language already.
    public mutating func suggestFloorLanguage(_ language: LanguageTag) -> [EventNotice] {
        let suggestion = language == floorLanguage ? nil : language
        guard suggestion != suggestedFloorLanguage else { return [] }
        suggestedFloorLanguage = suggestion
        return [.dashboards(.refresh)]
    }

    /// Gives the floor to the publisher on `connection`; refuses a second one while the first is connected.
    public mutating func claimFloor(as connection: ConnectionID) throws(ProtocolError) -> [EventNotice] {
        guard floorPublisher == nil else {
            throw ProtocolError(
                .floorBusy,
                "Another source is already publishing the floor of event \(definition.code); disconnect it first."
            )
        }
        return change { $0.floorPublisher = connection }
    }

    /// The publisher on `connection` gave the floor back (or dropped).
    public mutating func releaseFloor(_ connection: ConnectionID) -> [EventNotice] {
        change { state in
            if state.floorPublisher == connection { state.floorPublisher = nil }
        }
    }

    // MARK: The organizer

    /// Replaces the definition (the organizer changed it): channels and booths of removed languages are
    /// closed, with their interpreters; relays from a removed booth fall back to the floor.
    public mutating func update(_ newDefinition: EventDefinition) -> [EventNotice] {
        let old = definition
        var closing: [EventNotice] = []
        for channel in old.channels where !newDefinition.has(channel) {
            closing.append(.channelRemoved(channel, .unknownChannel(channel.description, in: newDefinition)))
        }
        let removedBooths = old.languages.filter { !newDefinition.languages.contains($0) }
        for booth in removedBooths {
            closing.append(
                .boothRemoved(
                    booth,
                    ProtocolError(.unknownChannel, "The organizer removed this booth's language from event \(newDefinition.code).")
                )
            )
        }
        let notices = change { state in
            state.definition = newDefinition
            if !newDefinition.recording { state.recordingProblems = [:] }
            for booth in removedBooths {
                state.desks[booth] = nil
                state.consoles[booth] = nil
                state.interpreters.removeAll { $0.booth == booth }
            }
            for (language, desk) in state.desks {
                if case .relay(let other) = desk.source, state.desks[other] == nil { state.desks[language]?.source = .floor }
            }
            for language in newDefinition.languages where state.desks[language] == nil { state.desks[language] = BoothDesk() }
            for language in newDefinition.languages {
                let wanted = newDefinition.machineBooths.contains(language)
                if !wanted { state.desks[language]?.machine = .none }
                if wanted, state.desks[language]?.machine == MachineStatus.none { state.desks[language]?.machine = .starting }
            }
            state.relays = state.relays.filter { newDefinition.has($0.key) }
        }
        return closing + notices
    }

    /// Adds an interpreter the organizer made (already stored).
    public mutating func addInterpreter(_ interpreter: Interpreter) -> [EventNotice] {
        guard desks[interpreter.booth] != nil else { return [] }
        return change { $0.interpreters.append(interpreter) }
    }

    /// Removes an interpreter: their console is closed and their key stops working.
    public mutating func removeInterpreter(_ id: InterpreterID) -> [EventNotice] {
        guard let index = interpreters.firstIndex(where: { $0.id == id }) else { return [] }
        var closing: [EventNotice] = []
        let notices = change { state in
            let booth = state.interpreters.remove(at: index).booth
            try? state.desks[booth]?.microphone.handle(.disconnect(id))
            if let connection = state.consoles[booth]?.removeValue(forKey: id) {
                closing.append(.console(connection, .close(ProtocolError(.unauthorized, "The organizer withdrew this interpreter key."))))
            }
            state.limits[id] = nil
        }
        return closing + notices
    }

    /// Gives an interpreter a new key (the old one leaked or was lost): the old key stops working, and a
    /// console open with it is closed, as when the interpreter is removed.
    public mutating func replaceKey(of id: InterpreterID, with key: SecretDigest) -> [EventNotice] {
        guard let index = interpreters.firstIndex(where: { $0.id == id }) else { return [] }
        var closing: [EventNotice] = []
        let notices = change { state in
            state.interpreters[index].key = key
            let booth = state.interpreters[index].booth
            if let connection = state.consoles[booth]?.removeValue(forKey: id) {
                try? state.desks[booth]?.microphone.handle(.disconnect(id))
                closing.append(.console(connection, .close(ProtocolError(.unauthorized, "The organizer gave this interpreter a new key."))))
            }
        }
        return closing + notices
    }

    /// The interpreter whose key this is, compared in constant time against every key of the event.
    public func interpreter(forKey key: String) -> Interpreter? {
        guard let key = Interpreter.normalizedKey(key) else { return nil }
        let digest = SecretDigest(of: key)
        var found: Interpreter?
        for interpreter in interpreters where constantTimeEquals(interpreter.key.stored, digest.stored) { found = interpreter }
        return found
    }

    // MARK: Consoles

    /// Connects `interpreter`'s console on `connection`. A console already open with the same key is
    /// closed: the newer one wins (a reconnect that arrives before the old connection is known dead),
    /// and it starts with the microphone off.
    public mutating func connectConsole(_ interpreter: InterpreterID, as connection: ConnectionID) -> [EventNotice] {
        guard let booth = interpreters.first(where: { $0.id == interpreter })?.booth else { return [] }
        var closing: [EventNotice] = []
        let notices = change { state in
            if let old = state.consoles[booth, default: [:]].updateValue(connection, forKey: interpreter) {
                try? state.desks[booth]?.microphone.handle(.disconnect(interpreter))
                closing.append(
                    .console(old, .close(ProtocolError(.forbidden, "This interpreter key was opened on another console; this one is closed.")))
                )
            }
            try? state.desks[booth]?.microphone.handle(.connect(interpreter))
        }
        return closing + notices
    }

    /// The console on `connection` is gone. If its interpreter was live, the booth goes off air at once
    /// and its channel falls back. A connection already replaced by a newer one changes nothing.
    public mutating func disconnectConsole(_ interpreter: InterpreterID, connection: ConnectionID) -> [EventNotice] {
        guard let booth = interpreters.first(where: { $0.id == interpreter })?.booth,
            consoles[booth]?[interpreter] == connection
        else { return [] }
        return change { state in
            state.consoles[booth]?[interpreter] = nil
            try? state.desks[booth]?.microphone.handle(.disconnect(interpreter))
        }
    }

    /// Applies an interpreter's action to their booth's microphone; a refusal leaves everything as it was.
    /// A console's keys are rate-limited per interpreter at `now` (µs); without `now` they are not (the
    /// server's own actions, tests).
    public mutating func microphone(
        _ action: BoothMicrophone.Event,
        from interpreter: InterpreterID,
        at now: UInt64? = nil
    ) throws(BoothMicrophone.Refusal)
        -> [EventNotice]
    {
        guard let booth = interpreters.first(where: { $0.id == interpreter })?.booth, var desk = desks[booth] else {
            throw .notOnline(interpreter)
        }
        if let now, !limits[interpreter, default: ConsoleLimits()].keys.allow(at: now) { throw .tooFast }
        try desk.microphone.handle(action)
        return change { $0.desks[booth] = desk }
    }

    /// Takes `interpreter` off air if they are live, because their console stopped sending audio; the
    /// console is told why (`no-audio`). Returns nothing when they were not live.
    public mutating func takeOffAir(_ interpreter: InterpreterID) -> [EventNotice] {
        guard let booth = interpreters.first(where: { $0.id == interpreter })?.booth, desks[booth]?.microphone.live == interpreter
        else { return [] }
        var notices = change { state in try? state.desks[booth]?.microphone.handle(.micOff(interpreter)) }
        if let connection = consoles[booth]?[interpreter] {
            notices.append(.console(connection, .error(Self.noAudioError)))
        }
        return notices
    }

    static let noAudioError = ControlMessages.ErrorMessage(
        ProtocolError(
            .noAudio,
            "No microphone audio arrived from this console for a second: you were taken off air. Check the network and the microphone, then press Mic again."
        ),
        fatal: false
    )

    /// Sets what a booth hears: the floor, or another booth (relay). A relay that would close a loop is refused.
    public mutating func setSource(_ source: BoothSource, of booth: LanguageTag) throws(ProtocolError) -> [EventNotice] {
        guard desks[booth] != nil else { throw .unknownChannel(booth.value, in: definition) }
        if case .relay(let other) = source {
            guard other != booth else { throw ProtocolError(.relayLoop, "A booth cannot take relay from itself.") }
            guard desks[other] != nil else { throw .unknownChannel(other.value, in: definition) }
            guard !routing.wouldCreateLoop(booth: booth, source: source) else {
                throw ProtocolError(
                    .relayLoop,
                    "The \(other) booth takes relay, directly or not, from the \(booth) booth: relay from it would close a loop."
                )
            }
        }
        return change { $0.desks[booth]?.source = source }
    }

    /// Counts a relay (a connection that carries the channel out of the room) joining or leaving `channel`.
    public mutating func countRelay(on channel: ChannelID, by delta: Int) -> [EventNotice] {
        change { $0.relays[channel, default: 0] = max(0, $0.relays[channel, default: 0] + delta) }
    }

    // MARK: Machine booths

    /// The engines of `booth`'s machine booth report how they stand. A ready machine carries the channel
    /// while no interpreter is live and the floor speaks another language; one that fails hands it back.
    /// A booth the organizer gave no machine ignores this.
    public mutating func setMachineStatus(_ status: MachineStatus, of booth: LanguageTag) -> [EventNotice] {
        guard let desk = desks[booth], desk.machine != .none, status != .none, desk.machine != status else { return [] }
        return change { $0.desks[booth]?.machine = status }
    }

    /// The machine booths skipped `speech` µs of the floor, `lateBy` µs after it ended: the consoles of those
    /// booths and the dashboard show it.
    public mutating func machineSkipped(speech: UInt64, lateBy: UInt64, at now: UInt64) -> [EventNotice] {
        guard !definition.machineBooths.isEmpty else { return [] }
        machineSkips.skipped(speech: speech, lateBy: lateBy, at: now)
        return definition.machineBooths.map { EventNotice.boothState($0) } + [.dashboards(.refresh)]
    }

    // MARK: Recording

    /// The recording of `channel` stopped (the disk is full, the folder went away): the dashboard raises the alarm.
    /// The live audio is not concerned.
    public mutating func recordingStopped(_ channel: ChannelID, problem: RecordingProblem) -> [EventNotice] {
        guard definition.recording, definition.has(channel), recordingProblems[channel] != problem else { return [] }
        recordingProblems[channel] = problem
        return [.dashboards(.refresh)]
    }

    /// Recording (re)started on every channel: the alarm goes.
    public mutating func recordingStarted() -> [EventNotice] {
        guard !recordingProblems.isEmpty else { return [] }
        recordingProblems = [:]
        return [.dashboards(.refresh)]
    }

    // MARK: Chat and signals

    /// A chat line from an interpreter's console: to their partners, or to the organizer (the booth sees it too).
    public mutating func chat(
        from interpreter: InterpreterID,
        to recipient: String,
        text: String,
        at now: UInt64
    ) throws(ProtocolError)
        -> [EventNotice]
    {
        guard let person = interpreters.first(where: { $0.id == interpreter }) else {
            throw ProtocolError(.unauthorized, "This interpreter key was withdrawn.")
        }
        let line = try Self.chatLine(text)
        guard recipient == "booth" || recipient == "organizer" else {
            throw ProtocolError(.badMessage, "A chat goes 'to' \"booth\" (your partners) or \"organizer\"; not '\(recipient)'.")
        }
        guard limits[interpreter, default: ConsoleLimits()].chat.allow(at: now) else {
            throw ProtocolError(.tooMany, "Too many chat messages: at most \(Int(ConsoleLimits.chatBurst)) at once, then one a second.")
        }
        let message = ControlMessages.Chat(
            from: .init(id: interpreter.value, name: person.name),
            to: recipient,
            booth: person.booth.value,
            text: line,
            at: now
        )
        var notices: [EventNotice] = [.booth(person.booth, .chat(message))]
        if recipient == "organizer" { notices.append(.dashboards(.chat(message))) }
        return notices
    }

    /// A chat line from the organizer to a booth's consoles (the other dashboards see it too).
    public func chatFromOrganizer(to booth: LanguageTag, text: String, at now: UInt64) throws(ProtocolError) -> [EventNotice] {
        let line = try Self.chatLine(text)
        guard desks[booth] != nil else { throw .unknownChannel(booth.value, in: definition) }
        let message = ControlMessages.Chat(from: .organizer, to: booth.value, booth: booth.value, text: line, at: now)
        return [.booth(booth, .chat(message)), .dashboards(.chat(message))]
    }

    /// A slow-down (anonymous) or help signal from an interpreter's booth: to every dashboard and the
    /// booth's consoles at once, kept for a minute.
    public mutating func signal(
        _ kind: BoothSignal,
        from interpreter: InterpreterID,
        at now: UInt64
    ) throws(ProtocolError)
        -> [EventNotice]
    {
        guard let person = interpreters.first(where: { $0.id == interpreter }) else {
            throw ProtocolError(.unauthorized, "This interpreter key was withdrawn.")
        }
        guard limits[interpreter, default: ConsoleLimits()].signals.allow(at: now) else {
            throw ProtocolError(.tooMany, "Too many signals: the organizer has them already; at most one every 2 s.")
        }
        let message = ControlMessages.Signal(
            kind: kind,
            booth: person.booth.value,
            from: kind == .help ? .init(id: interpreter.value, name: person.name) : nil,
            at: now
        )
        signals.removeAll { now > $0.at + Self.signalLifetime }
        signals.append(message)
        return [.dashboards(.signal(message)), .booth(person.booth, .signal(message))]
    }

    private static func chatLine(_ text: String) throws(ProtocolError) -> String {
        let line = text.trimmingWhitespace()
        guard !line.isEmpty else { throw ProtocolError(.badMessage, "A chat message needs some text.") }
        guard line.count <= ControlMessages.Chat.maximumLength else {
            throw ProtocolError(
                .tooLarge,
                "A chat message may be at most \(ControlMessages.Chat.maximumLength) characters; this one had \(line.count)."
            )
        }
        return line
    }

    // MARK: The diff

    /// Applies `body`, then says what changed: the channels whose `carrying` changed (with an `alert`
    /// first where the floor language changed what they carry), every booth's consoles, the dashboards,
    /// and the routes if they moved.
    private mutating func change(alertAt: UInt64? = nil, _ body: (inout EventState) -> Void) -> [EventNotice] {
        let routingBefore = routing
        let carryingBefore = definition.channels.map { carrying($0) }
        let channelsBefore = definition.channels
        body(&self)
        let routingAfter = routing
        var notices: [EventNotice] = []
        let previous = Dictionary(uniqueKeysWithValues: zip(channelsBefore, carryingBefore))
        // Channels in wire-name order, as listeners of several channels (a mixing console) expect them.
        for channel in definition.channels.sorted(by: { $0.description < $1.description }) {
            let message = carrying(channel)
            guard previous[channel] != message else { continue }
            let sourceChanged = ChannelRouting.carrying(channel, in: routingBefore) != ChannelRouting.carrying(channel, in: routingAfter)
            if let alertAt, sourceChanged, channel != .floor {
                notices.append(
                    .channel(
                        channel,
                        .alert(
                            ControlMessages.Alert(
                                channel: channel.description,
                                floorLanguage: message.floorLanguage,
                                interpretation: message.interpretation,
                                at: alertAt
                            )
                        )
                    )
                )
            }
            notices.append(.channel(channel, .carrying(message)))
        }
        let newRoutes = computeRoutes()
        if newRoutes != routes {
            routes = newRoutes
            notices.append(.routesChanged)
        }
        notices += definition.languages.map { EventNotice.boothState($0) }
        notices.append(.dashboards(.refresh))
        return notices
    }

    /// Where every source's audio goes, by the routing rule: each channel hears exactly one source.
    private func computeRoutes() -> [ChannelSource: SourceRoute] {
        let routing = self.routing
        var routes: [ChannelSource: SourceRoute] = [.floor: SourceRoute()]
        for (language, desk) in desks {
            routes[.interpreter(language)] = SourceRoute(speaker: desk.microphone.live, muted: desk.microphone.coughing)
            if desk.machine != .none { routes[.machine(language)] = SourceRoute() }
        }
        for channel in definition.channels {
            routes[ChannelRouting.carrying(channel, in: routing).source]?.channels.append(channel)
        }
        for language in definition.languages {
            routes[ChannelRouting.input(ofBooth: language, in: routing).carrying.source]?.booths.append(language)
        }
        return routes
    }
}

/// How fast one interpreter may chat and signal: a burst goes through, a flood does not reach the dashboards.
struct ConsoleLimits: Sendable {
    static let chatBurst = 10
    var chat = TokenBucket(capacity: chatBurst, perSecond: 1)
    var signals = TokenBucket(capacity: 3, perSecond: 0.5)
    /// Microphone, cough and handover keys: an interpreter's fastest real use (cough pressed and released,
    /// a mic toggled by mistake and back) passes; a script toggling the mic does not reach every phone.
    var keys = TokenBucket(capacity: 20, perSecond: 5)
}
