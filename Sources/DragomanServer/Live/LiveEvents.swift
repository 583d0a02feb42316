import DragomanAudio
public import DragomanCore
public import Foundation
public import Logging
import NIOConcurrencyHelpers

/// The events of the server, stored and live: the one place that looks them up.
public final class LiveEvents: Sendable {
    private let store: EventStore
    private let live = NIOLockedValueBox<[JoinCode: LiveEvent]>([:])
    /// The links phones in the room reach the server by.
    public let links: PublicLinks
    private let clock: any EventClock
    /// The engines of machine booths, when the server has them.
    private let machineEngines: MachineEngines?
    /// Called when an event with machine booths opens: starts the local engines if they are not running yet.
    private let machinesNeeded: @Sendable () -> Void
    private let bitrate: Int
    private let logger: Logger
    /// The machine booths at work, per event.
    private let machines = NIOLockedValueBox<[JoinCode: Task<Void, Never>]>([:])
    /// Where recordings go; nil: the server does not record (tests without a data folder).
    private let recordingFolder: RecordingFolder?
    /// The channels' Opus settings, for recordings: the decoder's pre-skip and a packet of silence.
    private let recordingCodec: (preSkip: Int, silence: [UInt8])?
    /// The recordings at work, per event.
    private let recorders = NIOLockedValueBox<[JoinCode: Task<Void, Never>]>([:])
    /// Floor-language changes per event: a burst becomes at most one change a second.
    private let floorLanguageThrottles = NIOLockedValueBox<[JoinCode: FloorLanguageThrottle]>([:])

    public init(
        store: EventStore,
        links: PublicLinks,
        clock: any EventClock = WallClock(),
        machineEngines: MachineEngines? = nil,
        machinesNeeded: @escaping @Sendable () -> Void = {},
        recordingFolder: URL? = nil,
        bitrate: Int = 32000,
        logger: Logger = Logger(label: "dragoman")
    ) {
        self.recordingFolder = recordingFolder.map(RecordingFolder.init(root:))
        if let encoder = try? OpusEncoder(bitrate: bitrate), let silence = try? encoder.encode([Float](repeating: 0, count: encoder.frameSize)) {
            recordingCodec = (encoder.lookahead, silence)
        } else {
            recordingCodec = nil
        }
        self.store = store
        self.links = links
        self.clock = clock
        self.machineEngines = machineEngines
        self.machinesNeeded = machinesNeeded
        self.bitrate = bitrate
        self.logger = logger
    }

    /// The live state of the event with `code`, loaded from the store on first use.
    public func event(_ code: JoinCode) throws -> LiveEvent? {
        if let event = live.withLockedValue({ $0[code] }) { return event }
        guard let definition = try store.event(code) else { return nil }
        let floorLanguage = try store.floorLanguageChanges(for: code).last?.language
        let interpreters = try store.interpreters(for: code)
        let (event, isNew) = live.withLockedValue { events in
            if let event = events[code] { return (event, false) }
            let event = LiveEvent(
                definition: definition,
                floorLanguage: floorLanguage,
                interpreters: interpreters,
                links: links,
                clock: clock,
                logger: logger
            )
            events[code] = event
            return (event, true)
        }
        if isNew {
            let languages = definition.languages.map(\.value).joined(separator: ", ")
            let pin = definition.pin == nil ? "" : ", with a PIN"
            logger.notice("event \(code): open, “\(definition.name)”, languages \(languages)\(pin)")
            startMachines(of: event)
            startRecording(of: event)
        }
        return event
    }

    // MARK: Recording

    /// Records every channel of `event` while its definition says so, each to a new file; a confidential event
    /// never (the rules keep it from `recording`, and this guard holds even if a stored row says otherwise).
    private func startRecording(of event: LiveEvent) {
        let code = event.definition.code
        guard event.definition.recording, !event.definition.confidential, let recordingFolder, let recordingCodec else {
            recorders.withLockedValue { $0.removeValue(forKey: code) }?.cancel()
            return
        }
        let start = event.clock.nowMicros()
        var channelRecorders: [ChannelRecorder] = []
        for channel in event.definition.channels {
            guard let fanout = event.fanout(channel) else { continue }
            let file = recordingFolder.newFile(for: channel, of: code, at: start)
            // Who carried the channel, as the organizer allows it now: read from the live state at each line.
            let trail: @Sendable (String) -> String = { [weak event] text in
                guard let state = event?.state else { return text }
                let live = channel.language.flatMap { state.liveInterpreter(in: $0) }
                return RecordingTrailLine.message(text, channel: channel, live: live, namesInRecord: state.definition.namesInRecord)
            }
            channelRecorders.append(
                ChannelRecorder(
                    channel: channel,
                    fanout: fanout,
                    file: file,
                    preSkip: recordingCodec.preSkip,
                    silence: recordingCodec.silence,
                    trail: trail
                )
            )
        }
        // Each booth's microphone on its own track (a machine-only booth has none).
        for booth in event.definition.languages
        where !event.definition.machineBooths.contains(booth) || event.interpreters.contains(where: { $0.booth == booth }) {
            guard let track = event.boothTrack(booth) else { continue }
            let file = recordingFolder.newFile(for: .language(booth), track: .booth, of: code, at: start)
            channelRecorders.append(
                ChannelRecorder(
                    channel: .language(booth),
                    fanout: track,
                    file: file,
                    preSkip: recordingCodec.preSkip,
                    silence: recordingCodec.silence
                )
            )
        }
        logger.notice(
            "event \(code): recording \(event.definition.channels.count) channels and \(channelRecorders.count - event.definition.channels.count) booth microphones"
        )
        event.recordingStarted()
        let task = Task { [logger] in
            await withTaskGroup(of: Void.self) { group in
                for recorder in channelRecorders {
                    group.addTask {
                        do {
                            try await recorder.run(startMicros: start)
                        } catch {
                            let problem = RecordingFailure.problem(error)
                            logger.error("event \(code): the recording of \(recorder.channel) stopped: \(problem.detail)")
                            event.recordingStopped(recorder.channel, problem: problem)
                        }
                    }
                }
            }
        }
        recorders.withLockedValue { $0.updateValue(task, forKey: code) }?.cancel()
    }

    private func stopRecording(of code: JoinCode) {
        recorders.withLockedValue { $0.removeValue(forKey: code) }?.cancel()
    }

    /// The recordings of an event, oldest first.
    func recordings(of code: JoinCode) -> [RecordingFolder.Recording] {
        guard let recordingFolder, let recordingCodec else { return [] }
        return recordingFolder.recordings(of: code, preSkip: recordingCodec.preSkip)
    }

    /// Deletes the recordings that have outlived their event's retention period; returns how many files went.
    @discardableResult
    public func applyRetention(now: Date = Date()) -> Int {
        guard let recordingFolder, let events = try? store.allEvents() else { return 0 }
        var deleted = 0
        for event in events {
            guard let days = event.retentionDays else { continue }
            let files = recordingFolder.deleteRecordings(of: event.code, startedBefore: now.addingTimeInterval(-Double(days) * 86400))
            if files > 0 { logger.notice("event \(event.code): deleted \(files) recording files older than \(days) days") }
            deleted += files
        }
        return deleted
    }

    /// The transcript and audit trail of one recording of the event.
    func recordingTranscript(of name: String, code: JoinCode) -> (export: TranscriptExport, events: [[String: Any]], start: UInt64)? {
        recordingFolder?.transcript(of: name, code: code)
    }

    /// The file of one recording of the event.
    func recordingFile(named name: String, of code: JoinCode) -> URL? { recordingFolder?.file(named: name, of: code) }

    /// Deletes every recording of the event for good; one in progress goes on into new files.
    func deleteRecordings(of code: JoinCode) throws -> Int {
        guard let recordingFolder else { return 0 }
        let recording = recorders.withLockedValue { $0[code] != nil }
        stopRecording(of: code)
        let count = try recordingFolder.deleteAll(of: code)
        if recording, let event = live.withLockedValue({ $0[code] }) { startRecording(of: event) }
        return count
    }

    /// Starts the machine booths of `event`, if it has any and the server has engines.
    private func startMachines(of event: LiveEvent) {
        guard let machineEngines, !event.definition.machineBooths.isEmpty else { return }
        machinesNeeded()
        let booths = MachineBooths(event: event, events: self, engines: machineEngines, bitrate: bitrate, logger: logger)
        let task = Task { await booths.run() }
        machines.withLockedValue { $0.updateValue(task, forKey: event.definition.code) }?.cancel()
    }

    private func stopMachines(of code: JoinCode) {
        machines.withLockedValue { $0.removeValue(forKey: code) }?.cancel()
    }

    /// Stops every machine booth and recording (the server is shutting down).
    public func stopAllMachines() {
        for task in recorders.withLockedValue({ recorders in
            defer { recorders = [:] }
            return Array(recorders.values)
        }) { task.cancel() }
        for task in machines.withLockedValue({ machines in
            defer { machines = [:] }
            return Array(machines.values)
        }) { task.cancel() }
    }

    /// Closes every listener's connection with 1001 (going away): the server is stopping. Listeners hold no
    /// task of the server, so nothing else ends them.
    public func closeListenersGoingAway() {
        for event in liveEvents { event.closeListenersGoingAway() }
    }

    /// The events that have live state now (someone listened or published since the server started).
    var liveEvents: [LiveEvent] {
        live.withLockedValue { Array($0.values) }.sorted { $0.definition.code.value < $1.definition.code.value }
    }

    /// Looks up an event by the code as a client typed it, with the protocol's error when there is none.
    func event(named text: String) throws -> LiveEvent {
        guard let code = JoinCode(text), let event = try event(code) else { throw ProtocolError.unknownEvent(text.uppercased()) }
        return event
    }

    /// Every stored event, live or not.
    public func allEvents() throws -> [EventDefinition] { try store.allEvents() }

    /// The floor-language changes of an event, oldest first.
    public func floorLanguageChanges(of code: JoinCode) throws -> [EventStore.FloorLanguageChange] {
        try store.floorLanguageChanges(for: code)
    }

    /// Stores a new event with a fresh code; returns it with its floor token, which is kept only as a hash
    /// and so is shown this once (`newFloorToken` makes another).
    public func create(
        name: String,
        languages: [LanguageTag],
        machineBooths: [LanguageTag] = [],
        glossary: [GlossaryTerm] = [],
        recording: Bool = false,
        retentionDays: Int? = nil,
        confidential: Bool = false,
        namesInRecord: Bool = false,
        packetMs: Int = 20,
        pin: String?,
        now: Double
    ) throws
        -> NewEvent
    {
        var rng = SystemRandomNumberGenerator()
        var code = JoinCode.random(using: &rng)
        while try store.contains(code) { code = JoinCode.random(using: &rng) }
        let floorToken = SecretGenerator.token(using: &rng)
        var definition = EventDefinition(
            code: code,
            name: name,
            languages: languages,
            machineBooths: machineBooths,
            glossary: glossary,
            pin: pin.map { PINDigest(of: $0, using: &rng) },
            floorToken: SecretDigest(of: floorToken),
            createdAt: now
        )
        definition.recording = recording
        definition.retentionDays = retentionDays
        definition.confidential = confidential
        definition.namesInRecord = namesInRecord
        definition.packetMs = packetMs
        try store.insert(definition)
        return NewEvent(definition: definition, floorToken: floorToken)
    }

    /// Gives an event a new floor token and returns it; the old one stops working for new connections
    /// (a floor already on air stays on air).
    public func newFloorToken(of event: LiveEvent) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let floorToken = SecretGenerator.token(using: &rng)
        var definition = event.definition
        definition.floorToken = SecretDigest(of: floorToken)
        try update(definition)
        return floorToken
    }

    /// Sets and logs the floor language of an event; channels whose carrying changes alert their listeners.
    /// - Returns: the channels whose listeners were alerted.
    /// A change that comes less than a second after the previous one is held, and only the latest
    /// held change is applied when the second is over (`FloorLanguageThrottle`): a thousand taps make
    /// two alerts, not a thousand, and the floor ends in the language last asked for.
    @discardableResult
    public func setFloorLanguage(_ language: LanguageTag?, of event: LiveEvent, at micros: UInt64) throws -> [ChannelID] {
        let code = event.definition.code
        let decision = floorLanguageThrottles.withLockedValue { $0[code, default: FloorLanguageThrottle()].request(language, at: micros) }
        switch decision {
        case .applyNow:
            return try applyFloorLanguage(language, of: event, at: micros)
        case .held:
            event.countRateLimited("floor-language")
            return []
        case .holdUntil(let due):
            event.countRateLimited("floor-language")
            let delay = Duration.microseconds(Int64(due.saturatingSubtract(micros)))
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.applyHeldFloorLanguage(of: event)
            }
            return []
        }
    }

    /// Applies the held change once it is due. A sleep may end a little before the event's clock says
    /// the change is due (the two clocks differ): then it sleeps the rest, so a held change is never lost.
    private func applyHeldFloorLanguage(of event: LiveEvent) async {
        let code = event.definition.code
        while true {
            let now = event.clock.nowMicros()
            let (held, dueAt) = floorLanguageThrottles.withLockedValue { throttles -> (LanguageTag??, UInt64?) in
                guard var throttle = throttles[code] else { return (nil, nil) }
                defer { throttles[code] = throttle }
                return (throttle.due(at: now), throttle.dueAt)
            }
            if let held {
                do {
                    _ = try applyFloorLanguage(held, of: event, at: now)
                } catch {
                    logger.error("event \(code): the floor language could not be recorded: \(error)")
                }
                return
            }
            guard let dueAt else { return }
            try? await Task.sleep(for: .microseconds(Int64(dueAt.saturatingSubtract(now))) + .milliseconds(1))
        }
    }

    private func applyFloorLanguage(_ language: LanguageTag?, of event: LiveEvent, at micros: UInt64) throws -> [ChannelID] {
        try store.appendFloorLanguage(language, at: micros, for: event.definition.code)
        return event.setFloorLanguage(language, at: micros)
    }

    /// Makes and stores an interpreter for one booth of `event`; returns them with their key, which is kept
    /// only as a hash and so is shown this once (`newKey` makes another).
    public func createInterpreter(
        name: String,
        booth: LanguageTag,
        in event: LiveEvent,
        now: Double
    ) throws -> NewInterpreter {
        var rng = SystemRandomNumberGenerator()
        var (interpreter, first) = Interpreter.make(name: name, booth: booth, createdAt: now, using: &rng)
        let key = Self.unusedKey(in: event, first: first, using: &rng)
        interpreter.key = SecretDigest(of: key)
        try store.insertInterpreter(interpreter, for: event.definition.code)
        event.addInterpreter(interpreter)
        return NewInterpreter(interpreter: interpreter, key: key)
    }

    /// Gives an interpreter a new key and returns it, or nil when there is no such interpreter. The old key
    /// stops working, and a console open with it is closed.
    public func newKey(for id: InterpreterID, of event: LiveEvent) throws -> NewInterpreter? {
        guard var interpreter = event.interpreters.first(where: { $0.id == id }) else { return nil }
        var rng = SystemRandomNumberGenerator()
        let key = Self.unusedKey(in: event, first: Interpreter.randomKey(using: &rng), using: &rng)
        interpreter.key = SecretDigest(of: key)
        guard try store.replaceKey(of: id, with: interpreter.key, for: event.definition.code) else { return nil }
        event.replaceKey(of: id, with: interpreter.key)
        return NewInterpreter(interpreter: interpreter, key: key)
    }

    /// `first`, or another random key when an interpreter of the event already has it (keys are unique
    /// within an event: a key names its interpreter).
    private static func unusedKey<G: RandomNumberGenerator>(in event: LiveEvent, first: String, using rng: inout G) -> String {
        let taken = Set(event.interpreters.map(\.key))
        var key = first
        while taken.contains(SecretDigest(of: key)) { key = Interpreter.randomKey(using: &rng) }
        return key
    }

    /// Deletes an interpreter; their console is disconnected. Returns whether they existed.
    public func deleteInterpreter(_ id: InterpreterID, of event: LiveEvent) throws -> Bool {
        let existed = try store.deleteInterpreter(id, for: event.definition.code)
        event.removeInterpreter(id)
        return existed
    }

    /// Stores a changed event and updates its live state.
    public func update(_ definition: EventDefinition) throws {
        try store.update(definition)
        guard let event = live.withLockedValue({ $0[definition.code] }) else { return }
        let before = event.definition
        event.update(definition)
        // The machine reads its languages, booths and glossary when it starts: a change to any restarts it.
        if before.recording != definition.recording || before.confidential != definition.confidential || before.languages != definition.languages {
            stopRecording(of: definition.code)
            startRecording(of: event)
        }
        if before.machineBooths != definition.machineBooths || before.languages != definition.languages || before.glossary != definition.glossary {
            stopMachines(of: definition.code)
            startMachines(of: event)
        }
    }

    /// Deletes an event and disconnects everyone on it.
    public func delete(_ code: JoinCode) throws -> Bool {
        let existed = try store.delete(code)
        stopMachines(of: code)
        stopRecording(of: code)
        live.withLockedValue { $0.removeValue(forKey: code) }?.closeAll()
        return existed
    }
}

extension UInt64 {
    fileprivate func saturatingSubtract(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
