public import DragomanCore
import Logging
import NIOConcurrencyHelpers

/// The running event: its `EventState` under one lock, and the connections that state speaks to
/// (the fan-out of each channel and booth, the consoles, the dashboards).
///
/// Every change runs the state machine under the lock and carries out the notices it returns
/// after the lock is released. Where each source's audio goes is kept resolved to fan-outs in a
/// separate small lock, so the audio path reads a table instead of computing the routing.
public final class LiveEvent: Sendable {
    private let registry: NIOLockedValueBox<Registry>
    private let audio = NIOLockedValueBox(AudioPaths())
    /// Where time comes from: the wall clock in service, a manual one in tests.
    let clock: any EventClock
    /// Where the technician's lines go (floor on air, booths live, alerts): one line per change.
    let logger: Logger
    /// Join links for the dashboard.
    let links: PublicLinks
    private let connectionIDs = NIOLockedValueBox<UInt64>(0)
    private let pinMemory = NIOLockedValueBox(PINMemory())
    /// Who listens to the floor's conditioned frames besides the channels (the machine booths).
    private let floorTaps = NIOLockedValueBox<[ConnectionID: AsyncStream<FloorFrame>.Continuation]>([:])

    /// One conditioned 20 ms frame of the floor (48 kHz mono) and when it came in; no samples: the floor
    /// publisher went away (what is still open is over).
    struct FloorFrame: Sendable {
        var samples: [Float]
        var ingestMicros: UInt64

        var isEnd: Bool { samples.isEmpty }
    }

    /// The state and the connections it names.
    private struct Registry {
        var state: EventState
        var fanouts: [ChannelID: ChannelFanout] = [:]
        /// What each booth hears; its consoles are the listeners.
        var boothInputs: [LanguageTag: ChannelFanout] = [:]
        /// Each booth's microphone as it went on air (the live interpreter, silence while they cough), for its
        /// own track in the recording; nobody listens to it live.
        var boothTracks: [LanguageTag: ChannelFanout] = [:]
        /// Console connections, including one replaced by a newer console until its session ends.
        var consoles: [ConnectionID: (booth: LanguageTag, sink: ListenerSinkBox)] = [:]
        var dashboards: [ConnectionID: ListenerSinkBox] = [:]
        /// Listener connections that carry a channel out of the room (Icecast relays): closed if the event becomes confidential.
        var relays: [ConnectionID: ListenerSinkBox] = [:]
        /// Booth states and dashboard snapshots sent after changes, at most ten a second each.
        var refreshes = RefreshThrottle<RefreshTarget>(intervalMicros: 100_000)

        /// Makes the fan-outs the definition needs and forgets those it no longer has.
        mutating func syncFanouts() {
            for channel in state.definition.channels where fanouts[channel] == nil {
                fanouts[channel] = ChannelFanout(channel: channel)
            }
            for language in state.definition.languages where boothInputs[language] == nil {
                boothInputs[language] = ChannelFanout(channel: .language(language))
                boothTracks[language] = ChannelFanout(channel: .language(language))
            }
            fanouts = fanouts.filter { state.definition.has($0.key) }
            for fanout in fanouts.values where fanout.packetsPerMessage != state.definition.packetsPerMessage {
                fanout.setPacketsPerMessage(state.definition.packetsPerMessage)
            }
            boothInputs = boothInputs.filter { state.definition.languages.contains($0.key) }
            boothTracks = boothTracks.filter { state.definition.languages.contains($0.key) }
        }

        func census(_ channel: ChannelID) -> ChannelCensus {
            guard let fanout = fanouts[channel] else { return ChannelCensus() }
            let delay = fanout.recentProcessingDelay
            return ChannelCensus(
                listeners: fanout.listenerCount,
                streamListeners: fanout.streamCount,
                delayP50: delay.p50,
                delayP99: delay.p99,
                dropped: fanout.droppedPackets
            )
        }
    }

    /// The audio path's view: where each source goes, and each source's level.
    private struct AudioPaths {
        var routes: [ChannelSource: ResolvedRoute] = [:]
        var meters: [ChannelSource: PeakMeter] = [:]
    }

    /// A `SourceRoute` with its fan-outs looked up.
    struct ResolvedRoute {
        var targets: [ChannelFanout]
        var speaker: InterpreterID?
        var muted: Bool
    }

    init(
        definition: EventDefinition,
        floorLanguage: LanguageTag? = nil,
        interpreters: [Interpreter] = [],
        links: PublicLinks,
        clock: any EventClock = WallClock(),
        logger: Logger = Logger(label: "dragoman")
    ) {
        self.logger = logger
        var registry = Registry(state: EventState(definition: definition, floorLanguage: floorLanguage, interpreters: interpreters))
        registry.syncFanouts()
        self.registry = NIOLockedValueBox(registry)
        self.links = links
        self.clock = clock
        resolveRoutes(registry)
    }

    /// A new id for a connection to this event.
    func newConnectionID() -> ConnectionID {
        ConnectionID(
            connectionIDs.withLockedValue {
                $0 += 1
                return $0
            }
        )
    }

    // MARK: Reading the state

    /// The state now (a copy).
    public var state: EventState { registry.withLockedValue { $0.state } }

    /// The event as stored.
    public var definition: EventDefinition { state.definition }

    /// The language the floor speaks now.
    public var floorLanguage: LanguageTag? { state.floorLanguage }

    /// Whether someone publishes the floor now.
    public var isFloorLive: Bool { state.isFloorLive }

    /// The interpreters of the event.
    public var interpreters: [Interpreter] { state.interpreters }

    /// The fan-out of a channel, if the event has it.
    func fanout(_ channel: ChannelID) -> ChannelFanout? { registry.withLockedValue { $0.fanouts[channel] } }

    /// What a booth's consoles hear: the fan-out their sinks join.
    func boothInput(_ booth: LanguageTag) -> ChannelFanout? { registry.withLockedValue { $0.boothInputs[booth] } }

    /// A booth's microphone track: what its live interpreter said, for the recording.
    func boothTrack(_ booth: LanguageTag) -> ChannelFanout? { registry.withLockedValue { $0.boothTracks[booth] } }

    /// What `channel` carries now.
    func carrying(_ channel: ChannelID) -> ControlMessages.CarryingMessage { state.carrying(channel) }

    // MARK: Changes

    /// Runs one event of the state machine under the lock, then carries out what it says.
    @discardableResult
    func apply<E: Error>(_ event: (inout EventState) throws(E) -> [EventNotice]) throws(E) -> [EventNotice] {
        try applyToRegistry { (registry: inout Registry) throws(E) in try event(&registry.state) }
    }

    /// `apply`, for changes that also add or remove a connection in the same turn of the lock.
    @discardableResult
    private func applyToRegistry<E: Error>(_ body: (inout Registry) throws(E) -> [EventNotice]) throws(E) -> [EventNotice] {
        let now = clock.nowMicros()
        var journal: [String] = []
        let outcome: Result<([EventNotice], Deliveries), E> = registry.withLockedValue { registry in
            let viewBefore = registry.state.operatorView
            let notices: [EventNotice]
            do throws(E) {
                notices = try body(&registry)
            } catch {
                return .failure(error)
            }
            let viewAfter = registry.state.operatorView
            if viewAfter != viewBefore {
                var lines = viewAfter.changes(since: viewBefore)
                let alerted = notices.compactMap { notice -> String? in
                    if case .channel(let channel, .alert) = notice { channel.description } else { nil }
                }
                if !alerted.isEmpty { lines.append("alert sent to the \(alerted.joined(separator: ", ")) channels") }
                journal = lines
            }
            for notice in notices {
                if case .dashboards(.signal(let signal)) = notice, signal.kind == .help {
                    journal.append("\(signal.booth) booth asks for help" + (signal.from.map { " (\($0.name))" } ?? ""))
                }
            }
            if notices.contains(where: Self.reshapes) { registry.syncFanouts() }
            if notices.contains(.routesChanged) { resolveRoutes(registry) }
            let sent = notices.filter { notice in
                switch notice {
                case .boothState(let booth): registry.refreshes.request(.booth(booth), at: now)
                case .dashboards(.refresh): registry.refreshes.request(.dashboards, at: now)
                default: true
                }
            }
            return .success((notices, deliveries(for: sent, in: registry, at: now)))
        }
        let (notices, outgoing) = try outcome.get()
        outgoing.carryOut()
        for line in journal { logger.notice("event \(definition.code): \(line)") }
        return notices
    }

    /// Requests refused or held for coming too fast, by kind (`tune`, `keys`, `chat`, `signals`,
    /// `floor-language`), for `/metrics`.
    private let rateLimited = NIOLockedValueBox<[String: Int]>([:])

    /// Counts one request refused or held for coming too fast.
    func countRateLimited(_ kind: String) {
        rateLimited.withLockedValue { $0[kind, default: 0] += 1 }
    }

    /// The requests refused or held for coming too fast so far, by kind.
    var rateLimitedCounts: [String: Int] { rateLimited.withLockedValue { $0 } }

    /// How often held booth states and dashboard snapshots are looked at; also their shortest interval.
    static let refreshPeriod: Duration = .milliseconds(100)

    /// Sends the booth states and dashboard snapshots that were held back because they came too fast
    /// after the previous ones; the sessions' tickers call it a few times a second.
    func flushRefreshes() {
        let now = clock.nowMicros()
        let outgoing = registry.withLockedValue { registry -> Deliveries? in
            let due = registry.refreshes.due(at: now)
            guard !due.isEmpty else { return nil }
            let notices = due.map { target -> EventNotice in
                switch target {
                case .booth(let booth): .boothState(booth)
                case .dashboards: .dashboards(.refresh)
                }
            }
            return deliveries(for: notices, in: registry, at: now)
        }
        outgoing?.carryOut()
    }

    private static func reshapes(_ notice: EventNotice) -> Bool {
        switch notice {
        case .channelRemoved, .boothRemoved: true
        default: false
        }
    }

    /// The connections a batch of notices goes to, and what they get, collected under the lock.
    private func deliveries(for notices: [EventNotice], in registry: Registry, at now: UInt64) -> Deliveries {
        var out = Deliveries()
        func consoles(of booth: LanguageTag) -> [ListenerSinkBox] {
            registry.state.consoles(of: booth).compactMap { registry.consoles[$0]?.sink }
        }
        var refreshDashboards = false
        for notice in notices {
            switch notice {
            case .channel(let channel, .alert(let alert)):
                if let fanout = registry.fanouts[channel] { out.broadcasts.append((fanout, Self.encode(alert))) }
            case .channel(let channel, .carrying(let carrying)):
                if let fanout = registry.fanouts[channel] { out.broadcasts.append((fanout, Self.encode(carrying))) }
            case .channel(let channel, .caption(let caption)):
                if let fanout = registry.fanouts[channel] { out.broadcasts.append((fanout, Self.encode(caption))) }
            case .boothState(let booth):
                let sinks = consoles(of: booth)
                guard !sinks.isEmpty,
                    let message = registry.state.boothState(booth, audience: registry.census(.language(booth)).audience, at: now)
                else { continue }
                let text = Self.encode(message)
                out.sends += sinks.map { ($0, text) }
            case .booth(let booth, .chat(let chat)):
                let text = Self.encode(chat)
                out.sends += consoles(of: booth).map { ($0, text) }
            case .booth(let booth, .signal(let signal)):
                let text = Self.encode(signal)
                out.sends += consoles(of: booth).map { ($0, text) }
            case .booth(let booth, .caption(let caption)):
                let text = Self.encode(caption)
                out.sends += consoles(of: booth).map { ($0, text) }
            case .console(let id, .error(let error)):
                if let console = registry.consoles[id] { out.sends.append((console.sink, Self.encode(error))) }
            case .console(let id, .close(let error)):
                if let console = registry.consoles[id] { out.closes.append((console.sink, error)) }
            case .dashboards(.chat(let chat)):
                let text = Self.encode(chat)
                out.sends += registry.dashboards.values.map { ($0, text) }
            case .dashboards(.signal(let signal)):
                let text = Self.encode(signal)
                out.sends += registry.dashboards.values.map { ($0, text) }
            case .dashboards(.caption(let caption)):
                let text = Self.encode(caption)
                out.sends += registry.dashboards.values.map { ($0, text) }
            case .dashboards(.refresh):
                refreshDashboards = true
            case .routesChanged:
                break
            case .channelRemoved(let channel, let error):
                if let fanout = registry.fanouts[channel] { out.closedFanouts.append((fanout, error)) }
            case .boothRemoved(let booth, let error):
                out.closes += registry.consoles.filter { $0.value.booth == booth }.map { ($0.value.sink, error) }
                if let input = registry.boothInputs[booth] { out.closedFanouts.append((input, error)) }
            }
        }
        if refreshDashboards, !registry.dashboards.isEmpty {
            let text = Self.encode(dashboard(registry, at: now))
            out.sends += registry.dashboards.values.map { ($0, text) }
        }
        return out
    }

    /// What one change sends, carried out after the lock is released.
    private struct Deliveries {
        var broadcasts: [(ChannelFanout, String)] = []
        var sends: [(ListenerSinkBox, String)] = []
        var closes: [(ListenerSinkBox, ProtocolError)] = []
        var closedFanouts: [(ChannelFanout, ProtocolError)] = []

        func carryOut() {
            for (fanout, text) in broadcasts { fanout.broadcast(text: text) }
            for (sink, text) in sends { sink.run { $0.send(text: text) } }
            for (sink, error) in closes { sink.run { $0.close(because: error) } }
            for (fanout, error) in closedFanouts { fanout.closeAll(because: error) }
        }
    }

    private static func encode(_ message: some Encodable) -> String {
        // The messages are plain structs of strings and numbers: encoding them cannot fail.
        (try? JSONText.encode(message)) ?? "{}"
    }

    /// Looks the routes of the state up as fan-outs, for the audio path.
    private func resolveRoutes(_ registry: Registry) {
        var resolved: [ChannelSource: ResolvedRoute] = [:]
        for (source, route) in registry.state.routes {
            var track: [ChannelFanout] = []
            if case .interpreter(let booth) = source, route.speaker != nil, let fanout = registry.boothTracks[booth] { track = [fanout] }
            resolved[source] = ResolvedRoute(
                targets: route.channels.compactMap { registry.fanouts[$0] } + route.booths.compactMap { registry.boothInputs[$0] } + track,
                speaker: route.speaker,
                muted: route.muted
            )
        }
        audio.withLockedValue { $0.routes = resolved }
    }

    // MARK: The audio path

    /// Where a frame from `source` goes now, or nil when it goes nowhere because `speaker` (nil: the
    /// floor publisher) is not the one on air. Records the frame's level for the dashboard.
    func route(from source: ChannelSource, speaker: InterpreterID?, peakDB: Double, at micros: UInt64) -> ResolvedRoute? {
        audio.withLockedValue { paths in
            guard let route = paths.routes[source], speaker == nil || route.speaker == speaker else { return nil }
            paths.meters[source, default: PeakMeter()].record(peakDB: route.muted ? PeakMeter.floorDB : peakDB, at: micros)
            return route
        }
    }

    /// The floor's frames as they come in, for a listener inside the server (a machine booth). The stream keeps
    /// the newest 10 s: a listener that falls behind loses its own oldest audio and never slows the floor.
    func floorFrames() -> (id: ConnectionID, frames: AsyncStream<FloorFrame>) {
        let id = newConnectionID()
        let (stream, continuation) = AsyncStream.makeStream(of: FloorFrame.self, bufferingPolicy: .bufferingNewest(500))
        floorTaps.withLockedValue { $0[id] = continuation }
        return (id, stream)
    }

    /// Stops the floor frames of `floorFrames()`.
    func stopFloorFrames(_ id: ConnectionID) {
        floorTaps.withLockedValue { $0.removeValue(forKey: id) }?.finish()
    }

    /// Hands one floor frame to the taps, if any (the floor's SourceFeed calls it for every frame).
    func tapFloor(_ samples: [Float], at micros: UInt64) {
        let taps = floorTaps.withLockedValue { $0.isEmpty ? [] : Array($0.values) }
        for tap in taps { tap.yield(FloorFrame(samples: samples, ingestMicros: micros)) }
    }

    /// The level of every source now, dBFS.
    private func levels(at now: UInt64) -> [ChannelSource: Double] {
        audio.withLockedValue { $0.meters.mapValues { $0.level(at: now) } }
    }

    // MARK: The floor

    /// Sets the floor language: channels whose carrying changes get an `alert`, then every channel its `carrying`.
    /// - Returns: the channels that were alerted.
    @discardableResult
    func setFloorLanguage(_ language: LanguageTag?, at micros: UInt64) -> [ChannelID] {
        apply { $0.setFloorLanguage(language, at: micros) }.compactMap { notice in
            if case .channel(let channel, .alert) = notice { channel } else { nil }
        }
    }

    /// Takes the floor for one publisher; refuses a second one while the first is connected.
    func claimFloor() throws(ProtocolError) -> ConnectionID {
        let id = newConnectionID()
        try apply { (state: inout EventState) throws(ProtocolError) in try state.claimFloor(as: id) }
        return id
    }

    /// Gives the floor back; the machine booths' taps are told the floor ended.
    func releaseFloor(_ claim: ConnectionID) {
        apply { $0.releaseFloor(claim) }
        tapFloor([], at: clock.nowMicros())
    }

    // MARK: The organizer

    /// Replaces the definition (the organizer changed it); channels and booths that went away are closed.
    func update(_ definition: EventDefinition) {
        let wasConfidential = registry.withLockedValue { $0.state.definition.confidential }
        apply { $0.update(definition) }
        for fanout in registry.withLockedValue({ Array($0.fanouts.values) }) where fanout.packetsPerMessage != definition.packetsPerMessage {
            fanout.setPacketsPerMessage(definition.packetsPerMessage)
        }
        guard definition.confidential, !wasConfidential else { return }
        // Taken after the change: a relay that registers from now on is refused by `connectRelay` instead.
        let (relays, fanouts) = registry.withLockedValue { (Array($0.relays.values), Array($0.fanouts.values)) }
        // Nothing may leave the room any more: the relays are told why and closed, the Ogg streams end.
        let error = ProtocolError.confidential(definition, output: "carrying a channel out of the room")
        for sink in relays { sink.run { $0.close(because: error) } }
        for fanout in fanouts { fanout.endStreams() }
        if !relays.isEmpty { logger.notice("event \(definition.code): confidential, \(relays.count) relays closed") }
    }

    /// Adds an interpreter the organizer made (already stored).
    func addInterpreter(_ interpreter: Interpreter) {
        apply { $0.addInterpreter(interpreter) }
    }

    /// Removes an interpreter: their console is disconnected and their key stops working.
    func removeInterpreter(_ id: InterpreterID) {
        apply { $0.removeInterpreter(id) }
    }

    /// Gives an interpreter a new key: a console open with the old one is closed.
    func replaceKey(of id: InterpreterID, with key: SecretDigest) {
        apply { $0.replaceKey(of: id, with: key) }
    }

    /// The interpreter whose key this is.
    func interpreter(forKey key: String) -> Interpreter? { state.interpreter(forKey: key) }

    /// Whether `candidate` lets a listener in. The PIN's slow hash is computed outside any lock, and only
    /// until one listener has given it right (`PINMemory`).
    public func admits(pin candidate: String?) -> Bool {
        guard let digest = definition.pin else { return true }
        guard let candidate else { return false }
        if let known = pinMemory.withLockedValue({ $0.check(candidate, for: digest) }) { return known }
        guard digest.matches(candidate) else { return false }
        pinMemory.withLockedValue { $0.remember(candidate, for: digest) }
        return true
    }

    /// Disconnects everyone (the event was deleted).
    func closeAll() {
        let error = ProtocolError(.unknownEvent, "Event \(definition.code) has ended: the organizer deleted it.")
        let (fanouts, sinks) = registry.withLockedValue { registry in
            (
                Array(registry.fanouts.values) + Array(registry.boothInputs.values),
                registry.consoles.values.map(\.sink) + Array(registry.dashboards.values)
            )
        }
        for fanout in fanouts { fanout.closeAll(because: error) }
        for sink in sinks { sink.run { $0.close(because: error) } }
    }

    /// Closes every listener's connection with 1001 (going away): the server is stopping, and they come back
    /// on their own to the next one.
    func closeListenersGoingAway() {
        for fanout in registry.withLockedValue({ Array($0.fanouts.values) }) { fanout.closeListenersGoingAway() }
    }

    // MARK: Consoles

    /// Connects `interpreter`'s console; an older console with the same key is closed, and this one
    /// starts with the microphone off.
    /// - Returns: the id of this connection, for `disconnectConsole`.
    func connectConsole(_ interpreter: Interpreter, sink: ListenerSinkBox) -> ConnectionID {
        let id = newConnectionID()
        applyToRegistry { registry in
            registry.consoles[id] = (interpreter.booth, sink)
            return registry.state.connectConsole(interpreter.id, as: id)
        }
        return id
    }

    /// Disconnects a console. If it was live, the booth goes off air at once and its channel falls back.
    func disconnectConsole(_ interpreter: Interpreter, connection: ConnectionID) {
        applyToRegistry { registry in
            registry.consoles[connection] = nil
            return registry.state.disconnectConsole(interpreter.id, connection: connection)
        }
    }

    /// Applies a console's microphone action; a refusal leaves everything as it was.
    func microphone(_ action: BoothMicrophone.Event, from interpreter: Interpreter) throws(BoothMicrophone.Refusal) {
        let now = clock.nowMicros()
        try apply { (state: inout EventState) throws(BoothMicrophone.Refusal) in try state.microphone(action, from: interpreter.id, at: now) }
    }

    /// Takes `interpreter` off air if they are live: their console stopped sending audio.
    func takeOffAir(_ interpreter: Interpreter) {
        apply { $0.takeOffAir(interpreter.id) }
    }

    /// The engines of `booth`'s machine booth report how they stand.
    func setMachineStatus(_ status: MachineStatus, of booth: LanguageTag) {
        apply { $0.setMachineStatus(status, of: booth) }
    }

    /// The machine booths skipped `speech` µs of the floor because they had fallen behind.
    func machineSkipped(speech: UInt64, lateBy: UInt64) {
        let now = clock.nowMicros()
        apply { $0.machineSkipped(speech: speech, lateBy: lateBy, at: now) }
    }

    /// The recording of `channel` stopped; the dashboard shows `problem` until recording starts again.
    func recordingStopped(_ channel: ChannelID, problem: RecordingProblem) {
        apply { $0.recordingStopped(channel, problem: problem) }
    }

    /// Recording started on every channel.
    func recordingStarted() {
        apply { $0.recordingStarted() }
    }

    /// The machine hears the floor speak `language`; the operator confirms it on the dashboard (suggest mode).
    func suggestFloorLanguage(_ language: LanguageTag) {
        apply { $0.suggestFloorLanguage(language) }
    }

    /// Shows a caption line to the listeners of its channel; the floor's transcript also goes to every console
    /// and dashboard.
    func caption(_ caption: ControlMessages.Caption) {
        guard let channel = ChannelID(caption.channel) else { return }
        applyToRegistry { registry in
            guard channel == .floor else { return [.channel(channel, .caption(caption))] }
            return [.channel(channel, .caption(caption)), .dashboards(.caption(caption))]
                + registry.state.definition.languages.map { .booth($0, .caption(caption)) }
        }
    }

    /// Sets what a booth hears: the floor, or another booth (relay).
    func setSource(_ source: BoothSource, of booth: LanguageTag) throws(ProtocolError) {
        try apply { (state: inout EventState) throws(ProtocolError) in try state.setSource(source, of: booth) }
    }

    /// Registers a relay connection, unless the event is confidential.
    /// - Returns: its id, for `disconnectRelay`.
    func connectRelay(sink: ListenerSinkBox) throws(ProtocolError) -> ConnectionID {
        let id = newConnectionID()
        let refused = registry.withLockedValue { registry -> EventDefinition? in
            guard !registry.state.definition.confidential else { return registry.state.definition }
            registry.relays[id] = sink
            return nil
        }
        if let refused { throw ProtocolError.confidential(refused, output: "an Icecast relay (role=relay)") }
        return id
    }

    func disconnectRelay(_ id: ConnectionID) {
        _ = registry.withLockedValue { $0.relays.removeValue(forKey: id) }
    }

    /// Counts a relay (a connection that carries the channel out of the room) joining or leaving `channel`.
    func countRelay(on channel: ChannelID, by delta: Int) {
        apply { $0.countRelay(on: channel, by: delta) }
    }

    /// A chat line from a console.
    func chat(from interpreter: Interpreter, to recipient: String, text: String) throws(ProtocolError) {
        let now = clock.nowMicros()
        try apply { (state: inout EventState) throws(ProtocolError) in try state.chat(from: interpreter.id, to: recipient, text: text, at: now) }
    }

    /// A chat line from the organizer to a booth.
    func chatFromOrganizer(to booth: LanguageTag, text: String) throws(ProtocolError) {
        let now = clock.nowMicros()
        try apply { (state: inout EventState) throws(ProtocolError) in try state.chatFromOrganizer(to: booth, text: text, at: now) }
    }

    /// A slow-down or help signal from a console.
    func signal(_ kind: BoothSignal, from interpreter: Interpreter) throws(ProtocolError) {
        let now = clock.nowMicros()
        try apply { (state: inout EventState) throws(ProtocolError) in try state.signal(kind, from: interpreter.id, at: now) }
    }

    /// Sends the booth's state to its consoles (they show listener counts and a clock, which change without events).
    func pushBoothState(_ booth: LanguageTag) {
        applyToRegistry { _ in [.boothState(booth)] }
    }

    // MARK: Dashboards

    /// Attaches a dashboard connection; it gets every chat to the organizer, every signal, and a
    /// snapshot after every change.
    func attachDashboard(_ sink: ListenerSinkBox) -> ConnectionID {
        let id = newConnectionID()
        registry.withLockedValue { $0.dashboards[id] = sink }
        return id
    }

    func detachDashboard(_ id: ConnectionID) {
        registry.withLockedValue { _ = $0.dashboards.removeValue(forKey: id) }
    }

    /// Sends the snapshot to one dashboard now.
    func pushDashboard(to sink: ListenerSinkBox) {
        let now = clock.nowMicros()
        let text = registry.withLockedValue { Self.encode(dashboard($0, at: now)) }
        sink.run { $0.send(text: text) }
    }

    /// Everything the organizer watches, as one message.
    func dashboard() -> ControlMessages.Dashboard {
        let now = clock.nowMicros()
        return registry.withLockedValue { dashboard($0, at: now) }
    }

    private func dashboard(_ registry: Registry, at now: UInt64) -> ControlMessages.Dashboard {
        let census = Dictionary(uniqueKeysWithValues: registry.state.definition.channels.map { ($0, registry.census($0)) })
        return registry.state.dashboard(links: links, census: census, levels: levels(at: now), at: now)
    }

    // MARK: Statistics

    /// Counters of one channel, for operators and tests.
    public struct ChannelStatistics: Sendable, Equatable {
        public var listeners: Int
        public var streamListeners: Int
        public var packetsSent: Int
        public var droppedPackets: Int
        /// Listeners whose sockets the fan-out writes to itself, past NIO's pipeline (plain connections).
        public var directListeners: Int
    }

    /// Counters of `channel`, or nil if the event has no such channel.
    public func statistics(_ channel: ChannelID) -> ChannelStatistics? {
        fanout(channel).map {
            ChannelStatistics(
                listeners: $0.listenerCount,
                streamListeners: $0.streamCount,
                packetsSent: $0.packetsSent,
                droppedPackets: $0.droppedPackets,
                directListeners: $0.directListenerCount
            )
        }
    }

    /// Listeners per channel, in the event's channel order (WebSocket and stream listeners together).
    public var listenerCounts: [(ChannelID, Int)] {
        allStatistics.map { ($0.0, $0.1.listeners + $0.1.streamListeners) }
    }

    /// Counters of every channel, in the event's channel order.
    var allStatistics: [(ChannelID, ChannelStatistics)] {
        definition.channels.compactMap { channel in statistics(channel).map { (channel, $0) } }
    }

    /// The processing-delay histogram of every channel.
    var processingHistograms: [(ChannelID, DelayHistogram.Snapshot)] {
        definition.channels.compactMap { channel in fanout(channel).map { (channel, $0.processingDelay.snapshot) } }
    }
}

/// What a held refresh is for.
private enum RefreshTarget: Hashable, Sendable {
    case booth(LanguageTag)
    case dashboards
}
