import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// The booths of a live event: interpreters, their consoles, microphones, relay sources,
/// chat and signals.
extension LiveEvent {
    /// The interpreters of the event, by booth then name.
    public var interpreters: [Interpreter] { state.withLockedValue { $0.interpreters } }

    /// The interpreter whose key this is, compared in constant time against every key of the event.
    func interpreter(forKey key: String) -> Interpreter? {
        guard let key = Interpreter.normalizedKey(key) else { return nil }
        var found: Interpreter?
        for interpreter in interpreters where constantTimeEquals(interpreter.key, key) { found = interpreter }
        return found
    }

    /// Adds an interpreter the organizer made (already stored).
    func addInterpreter(_ interpreter: Interpreter) {
        change { $0.interpreters.append(interpreter) }
    }

    /// Removes an interpreter: their console is disconnected and their key stops working.
    func removeInterpreter(_ id: InterpreterID) {
        let sink: ListenerSinkBox? = change { state in
            guard let index = state.interpreters.firstIndex(where: { $0.id == id }) else { return nil }
            let booth = state.interpreters.remove(at: index).booth
            try? state.desks[booth]?.microphone.handle(.disconnect(id))
            return state.consoles[booth]?.removeValue(forKey: id)?.sink
        }
        let error = ProtocolError(.unauthorized, "The organizer withdrew this interpreter key.")
        sink?.run { $0.close(because: error) }
    }

    // MARK: Consoles

    /// What a console hears: the fan-out its sink joins.
    func boothInput(_ booth: LanguageTag) -> ChannelFanout? {
        state.withLockedValue { $0.boothInputs[booth] }
    }

    /// Connects a console of `interpreter`. A console already open with the same key is closed:
    /// the newer one wins (a reconnect that arrives before the old connection is known dead),
    /// and it starts with the microphone off.
    /// - Returns: the id of this connection, for `disconnectConsole`.
    func connectConsole(_ interpreter: Interpreter, sink: ListenerSinkBox) -> UUID {
        let session = UUID()
        let replaced: ListenerSinkBox? = change { state in
            let old = state.consoles[interpreter.booth, default: [:]].updateValue(ConsoleLink(session: session, sink: sink), forKey: interpreter.id)
            if old != nil { try? state.desks[interpreter.booth]?.microphone.handle(.disconnect(interpreter.id)) }
            try? state.desks[interpreter.booth]?.microphone.handle(.connect(interpreter.id))
            return old?.sink
        }
        let error = ProtocolError(.forbidden, "This interpreter key was opened on another console; this one is closed.")
        replaced?.run { $0.close(because: error) }
        return session
    }

    /// Disconnects a console. If it was live, the booth goes off air at once and its channel falls back.
    func disconnectConsole(_ interpreter: Interpreter, session: UUID) {
        change { state in
            guard state.consoles[interpreter.booth]?[interpreter.id]?.session == session else { return }
            state.consoles[interpreter.booth]?[interpreter.id] = nil
            try? state.desks[interpreter.booth]?.microphone.handle(.disconnect(interpreter.id))
        }
    }

    /// Applies a console action to the booth's microphone; a refusal leaves everything as it was.
    func handle(_ event: BoothMicrophone.Event, in booth: LanguageTag) throws(BoothMicrophone.Refusal) {
        try change { (state: inout State) throws(BoothMicrophone.Refusal) in
            guard var desk = state.desks[booth] else { return }
            try desk.microphone.handle(event)
            state.desks[booth] = desk
        }
    }

    /// Takes `interpreter` off air if they are live (their console stopped sending audio).
    /// - Returns: whether they were live.
    func takeOffAirIfLive(_ interpreter: Interpreter) -> Bool {
        change { state in
            guard state.desks[interpreter.booth]?.microphone.live == interpreter.id else { return false }
            try? state.desks[interpreter.booth]?.microphone.handle(.micOff(interpreter.id))
            return true
        }
    }

    /// Sets what a booth hears: the floor, or another booth (relay). A relay that would close a loop is refused.
    func setSource(_ source: BoothSource, of booth: LanguageTag) throws(ProtocolError) {
        try change { (state: inout State) throws(ProtocolError) in
            if case .relay(let other) = source {
                guard other != booth else { throw ProtocolError(.relayLoop, "A booth cannot take relay from itself.") }
                guard state.desks[other] != nil else { throw ProtocolError.unknownChannel(other.value, in: state.definition) }
                guard !state.routing.wouldCreateLoop(booth: booth, source: source) else {
                    throw ProtocolError(.relayLoop, "The \(other) booth takes relay, directly or not, from the \(booth) booth: relay from it would close a loop.")
                }
            }
            state.desks[booth]?.source = source
        }
    }

    /// Pushes the booth's state to its consoles (they show listener counts, which change without events).
    func pushBoothState(_ booth: LanguageTag) {
        let (message, sinks) = state.withLockedValue { state in
            (boothState(booth, in: state), state.consoles[booth]?.values.map(\.sink) ?? [])
        }
        guard let message, !sinks.isEmpty, let text = try? JSONText.encode(message) else { return }
        for sink in sinks { sink.run { $0.send(text: text) } }
    }

    /// The state of `booth` as its consoles and the dashboard see it.
    func boothState(_ booth: LanguageTag, in state: State) -> ControlMessages.BoothState? {
        guard let desk = state.desks[booth] else { return nil }
        let routing = state.routing
        let online = desk.microphone.online
        let input = ChannelRouting.input(ofBooth: booth, in: routing)
        let channel = ChannelID.language(booth)
        let fanout = state.fanouts[channel]
        return ControlMessages.BoothState(
            booth: booth.value,
            interpreters: state.interpreters.filter { $0.booth == booth }.map {
                ControlMessages.BoothInterpreter(id: $0.id.value, name: $0.name, online: online.contains($0.id))
            },
            live: desk.microphone.live?.value,
            coughing: desk.microphone.coughing,
            onAir: desk.microphone.isOnAir,
            handover: ControlMessages.HandoverState(desk.microphone.handover),
            source: ControlMessages.BoothSourceChoice(desk.source),
            hears: ControlMessages.Hearing(carrying: input.carrying, depth: input.depth),
            relayOptions: routing.relayOptions(for: booth, among: state.definition.languages).map(\.value),
            floorLanguage: state.floorLanguage?.value,
            floorLive: state.floorPublisher != nil,
            carrying: ControlMessages.CarryingMessage(channel: channel, carrying: ChannelRouting.carrying(channel, in: routing),
                                                      floorLive: state.floorPublisher != nil, floorLanguage: state.floorLanguage),
            listeners: (fanout?.listenerCount ?? 0) + (fanout?.streamCount ?? 0),
            recorded: false,
            streamedOutside: state.relays[channel, default: 0] > 0,
            serverTime: WallClock.nowMicros())
    }

    /// Counts a relay (a connection that carries the channel out of the room) joining or leaving `channel`.
    func countRelay(on channel: ChannelID, by delta: Int) {
        change { $0.relays[channel, default: 0] += delta }
    }

    // MARK: Booth audio

    /// Where one frame of a booth's microphone goes now, decided once per frame.
    struct BoothDelivery {
        var targets: [ChannelFanout]
        /// The live interpreter holds the cough key: send silence in place of the microphone.
        var muted: Bool
        var source: ChannelSource

        func publish(opus: [UInt8], pcm: () -> [UInt8], ingestMicros: UInt64) {
            LiveEvent.publish(opus: opus, pcm: pcm, ingestMicros: ingestMicros, from: source, to: targets)
        }
    }

    /// Where a frame from `interpreter`'s microphone goes: nil unless they are live. Records the level.
    func boothDelivery(for interpreter: Interpreter, peakDB: Double, at micros: UInt64) -> BoothDelivery? {
        state.withLockedValue { state -> BoothDelivery? in
            let booth = interpreter.booth
            guard let desk = state.desks[booth], desk.microphone.live == interpreter.id else { return nil }
            let source = ChannelSource.interpreter(booth)
            state.meters[source, default: PeakMeter()].record(peakDB: desk.microphone.coughing ? PeakMeter.floorDB : peakDB, at: micros)
            let routing = state.routing
            var targets: [ChannelFanout] = []
            if ChannelRouting.carrying(.language(booth), in: routing).source == source, let fanout = state.fanouts[.language(booth)] {
                targets.append(fanout)
            }
            for (other, input) in state.boothInputs where other != booth && ChannelRouting.input(ofBooth: other, in: routing).carrying.source == source {
                targets.append(input)
            }
            return BoothDelivery(targets: targets, muted: desk.microphone.coughing, source: source)
        }
    }

    // MARK: Chat and signals

    /// Sends a chat line from a console: to the partners (`booth`) or to the organizer (the booth sees it too).
    func chat(from interpreter: Interpreter, to recipient: String, text: String) throws(ProtocolError) {
        let line = try Self.chatLine(text)
        guard recipient == "booth" || recipient == "organizer" else {
            throw ProtocolError(.badMessage, "A chat goes 'to' \"booth\" (your partners) or \"organizer\"; not '\(recipient)'.")
        }
        let message = ControlMessages.Chat(from: .init(id: interpreter.id.value, name: interpreter.name), to: recipient, booth: interpreter.booth.value, text: line, at: WallClock.nowMicros())
        let (consoles, dashboards) = state.withLockedValue { state in
            (state.consoles[interpreter.booth]?.values.map(\.sink) ?? [], Array(state.dashboards.values))
        }
        guard let encoded = try? JSONText.encode(message) else { return }
        for sink in consoles + (recipient == "organizer" ? dashboards : []) { sink.run { $0.send(text: encoded) } }
    }

    /// Sends a chat line from the organizer to a booth's consoles (and the other dashboards).
    func chatFromOrganizer(to booth: LanguageTag, text: String) throws(ProtocolError) {
        let line = try Self.chatLine(text)
        let (consoles, dashboards, known) = state.withLockedValue { state in
            (state.consoles[booth]?.values.map(\.sink) ?? [], Array(state.dashboards.values), state.desks[booth] != nil)
        }
        guard known else { throw ProtocolError.unknownChannel(booth.value, in: definition) }
        let message = ControlMessages.Chat(from: .organizer, to: booth.value, booth: booth.value, text: line, at: WallClock.nowMicros())
        guard let encoded = try? JSONText.encode(message) else { return }
        for sink in consoles + dashboards { sink.run { $0.send(text: encoded) } }
    }

    /// A slow-down (anonymous) or help signal from a booth: to every dashboard at once, kept for a minute.
    func signal(_ kind: BoothSignal, from interpreter: Interpreter) {
        let now = WallClock.nowMicros()
        let message = ControlMessages.Signal(kind: kind, booth: interpreter.booth.value,
                                             from: kind == .help ? .init(id: interpreter.id.value, name: interpreter.name) : nil, at: now)
        let sinks = state.withLockedValue { state in
            state.signals.removeAll { now > $0.at + 60_000_000 }
            state.signals.append(message)
            return Array(state.dashboards.values) + (state.consoles[interpreter.booth]?.values.map(\.sink) ?? [])
        }
        guard let encoded = try? JSONText.encode(message) else { return }
        for sink in sinks { sink.run { $0.send(text: encoded) } }
    }

    private static func chatLine(_ text: String) throws(ProtocolError) -> String {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { throw ProtocolError(.badMessage, "A chat message needs some text.") }
        guard line.count <= ControlMessages.Chat.maximumLength else {
            throw ProtocolError(.tooLarge, "A chat message may be at most \(ControlMessages.Chat.maximumLength) characters; this one had \(line.count).")
        }
        return line
    }
}
