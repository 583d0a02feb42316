import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// The running state of one event: its channels' fan-outs, who publishes the floor, its booths
/// (microphones, sources, consoles) and what each channel carries.
///
/// Every change goes through `change(alertAt:_:)`, which compares what each channel carries
/// before and after and tells exactly the listeners, consoles and dashboards concerned.
public final class LiveEvent: Sendable {
    let state: NIOLockedValueBox<State>
    /// The links dashboards show; set when the first dashboard attaches.
    let dashboardLinks = NIOLockedValueBox<PublicLinks?>(nil)

    struct State {
        var definition: EventDefinition
        var fanouts: [ChannelID: ChannelFanout]
        var floorPublisher: UUID?
        var floorLanguage: LanguageTag?
        var interpreters: [Interpreter]
        var desks: [LanguageTag: BoothDesk]
        /// What each booth hears; its consoles are the listeners.
        var boothInputs: [LanguageTag: ChannelFanout]
        var consoles: [LanguageTag: [InterpreterID: ConsoleLink]] = [:]
        var dashboards: [UUID: ListenerSinkBox] = [:]
        /// Signals of the last minute, oldest first.
        var signals: [ControlMessages.Signal] = []
        var meters: [ChannelSource: PeakMeter] = [:]
        /// Connections that carry a channel out of the room (Icecast relays), per channel.
        var relays: [ChannelID: Int] = [:]

        var routing: RoutingState { RoutingState(floorLanguage: floorLanguage, desks: desks) }

        /// What every channel carries, as its listeners are told.
        func carryingMessages() -> [ChannelID: ControlMessages.CarryingMessage] {
            let routing = self.routing
            var messages: [ChannelID: ControlMessages.CarryingMessage] = [:]
            for channel in definition.channels {
                messages[channel] = ControlMessages.CarryingMessage(
                    channel: channel, carrying: ChannelRouting.carrying(channel, in: routing),
                    floorLive: floorPublisher != nil, floorLanguage: floorLanguage)
            }
            return messages
        }

        mutating func addBooths(for languages: [LanguageTag]) {
            for language in languages where desks[language] == nil {
                desks[language] = BoothDesk()
                boothInputs[language] = ChannelFanout(channel: .language(language))
            }
        }
    }

    /// A connected interpreter console.
    struct ConsoleLink {
        /// Which connection: a key opened again replaces the older connection.
        var session: UUID
        var sink: ListenerSinkBox
    }

    init(definition: EventDefinition, floorLanguage: LanguageTag? = nil, interpreters: [Interpreter] = []) {
        var fanouts: [ChannelID: ChannelFanout] = [:]
        for channel in definition.channels { fanouts[channel] = ChannelFanout(channel: channel) }
        var initial = State(definition: definition, fanouts: fanouts, floorLanguage: floorLanguage,
                            interpreters: interpreters, desks: [:], boothInputs: [:])
        initial.addBooths(for: definition.languages)
        state = NIOLockedValueBox(initial)
    }

    /// The event as stored.
    public var definition: EventDefinition { state.withLockedValue { $0.definition } }

    /// The language the floor speaks now, as the operator (or later, language identification) set it.
    public var floorLanguage: LanguageTag? { state.withLockedValue { $0.floorLanguage } }

    /// Whether someone publishes the floor now.
    public var isFloorLive: Bool { state.withLockedValue { $0.floorPublisher != nil } }

    /// The routing state now: floor language and booths.
    public var routing: RoutingState { state.withLockedValue { $0.routing } }

    /// The fan-out of a channel, if the event has it.
    func fanout(_ channel: ChannelID) -> ChannelFanout? {
        state.withLockedValue { $0.fanouts[channel] }
    }

    /// What `channel` carries now.
    func carrying(_ channel: ChannelID) -> ControlMessages.CarryingMessage {
        state.withLockedValue { state in
            ControlMessages.CarryingMessage(channel: channel, carrying: ChannelRouting.carrying(channel, in: state.routing),
                                            floorLive: state.floorPublisher != nil, floorLanguage: state.floorLanguage)
        }
    }

    // MARK: Changes

    /// Applies `body` to the state under the lock, then tells every channel whose carrying changed
    /// (with an `alert` first when `alertAt` is given: the floor changed language), every console
    /// and every dashboard.
    func change<T, E: Error>(alertAt: UInt64? = nil, _ body: (inout State) throws(E) -> T) throws(E) -> T {
        let outcome: (Result<T, E>, Notice) = state.withLockedValue { state in
            let before = state.carryingMessages()
            let routingBefore = state.routing
            let result: Result<T, E>
            do throws(E) {
                result = .success(try body(&state))
            } catch {
                result = .failure(error)
            }
            let after = state.carryingMessages()
            var notice = Notice(fanouts: state.fanouts, consoles: consoleSinks(state))
            guard case .success = result else { return (result, notice) }
            let routingAfter = state.routing
            for (channel, message) in after where before[channel] != message {
                let carryingChanged = ChannelRouting.carrying(channel, in: routingBefore) != ChannelRouting.carrying(channel, in: routingAfter)
                notice.changed.append((channel, message, alertAt != nil && carryingChanged && channel != .floor))
            }
            notice.boothStates = state.definition.languages.compactMap { booth in boothState(booth, in: state).map { (booth, $0) } }
            notice.dashboards = Array(state.dashboards.values)
            return (result, notice)
        }
        announce(outcome.1, alertAt: alertAt)
        if !outcome.1.dashboards.isEmpty { pushDashboard(to: outcome.1.dashboards) }
        return try outcome.0.get()
    }

    /// Who must hear about a change.
    struct Notice {
        var fanouts: [ChannelID: ChannelFanout]
        var consoles: [LanguageTag: [ListenerSinkBox]]
        var changed: [(ChannelID, ControlMessages.CarryingMessage, alert: Bool)] = []
        var boothStates: [(LanguageTag, ControlMessages.BoothState)] = []
        var dashboards: [ListenerSinkBox] = []
    }

    private func announce(_ notice: Notice, alertAt: UInt64?) {
        for (channel, message, alert) in notice.changed.sorted(by: { $0.0.description < $1.0.description }) {
            guard let fanout = notice.fanouts[channel] else { continue }
            if alert, let alertAt,
               let text = try? JSONText.encode(ControlMessages.Alert(channel: channel.description, floorLanguage: message.floorLanguage,
                                                                    interpretation: message.interpretation, at: alertAt)) {
                fanout.broadcast(text: text)
            }
            if let text = try? JSONText.encode(message) { fanout.broadcast(text: text) }
        }
        for (booth, boothState) in notice.boothStates {
            guard let sinks = notice.consoles[booth], !sinks.isEmpty, let text = try? JSONText.encode(boothState) else { continue }
            for sink in sinks { sink.run { $0.send(text: text) } }
        }
    }

    private func consoleSinks(_ state: State) -> [LanguageTag: [ListenerSinkBox]] {
        state.consoles.mapValues { $0.values.map(\.sink) }
    }

    // MARK: Floor

    /// Sets the floor language. Every language channel whose carrying changes gets an `alert` and then
    /// the new `carrying`, ahead of the next audio packet; every channel gets the new `carrying`.
    /// - Returns: the channels that were alerted.
    @discardableResult
    func setFloorLanguage(_ language: LanguageTag?, at micros: UInt64) -> [ChannelID] {
        change(alertAt: micros) { (state: inout State) -> [ChannelID] in
            let before = state.routing
            state.floorLanguage = language
            let after = state.routing
            return state.definition.languages.map { ChannelID.language($0) }.filter {
                ChannelRouting.carrying($0, in: before) != ChannelRouting.carrying($0, in: after)
            }
        }
    }

    /// Takes the floor for one publisher; refuses a second one while the first is connected.
    func claimFloor() throws(ProtocolError) -> UUID {
        let claim = UUID()
        try change { (state: inout State) throws(ProtocolError) in
            guard state.floorPublisher == nil else {
                throw ProtocolError(.floorBusy, "Another source is already publishing the floor of event \(state.definition.code); disconnect it first.")
            }
            state.floorPublisher = claim
        }
        return claim
    }

    /// Gives the floor back.
    func releaseFloor(_ claim: UUID) {
        change { state in
            if state.floorPublisher == claim { state.floorPublisher = nil }
        }
    }

    /// Sends one encoded floor frame to every channel and booth that hears the floor now.
    func publishFloor(opus: [UInt8], pcm: () -> [UInt8], ingestMicros: UInt64, peakDB: Double = PeakMeter.floorDB) {
        let targets = state.withLockedValue { state -> [ChannelFanout] in
            state.meters[.floor, default: PeakMeter()].record(peakDB: peakDB, at: ingestMicros)
            let routing = state.routing
            var targets = state.definition.channels.compactMap { channel -> ChannelFanout? in
                ChannelRouting.carrying(channel, in: routing).source == .floor ? state.fanouts[channel] : nil
            }
            for (booth, input) in state.boothInputs where ChannelRouting.input(ofBooth: booth, in: routing).carrying.source == .floor {
                targets.append(input)
            }
            return targets
        }
        Self.publish(opus: opus, pcm: pcm, ingestMicros: ingestMicros, from: .floor, to: targets)
    }

    /// Sends one frame to `targets`, converting it to 16-bit PCM at most once, and only if some listener wants it.
    static func publish(opus: [UInt8], pcm: () -> [UInt8], ingestMicros: UInt64, from source: ChannelSource, to targets: [ChannelFanout]) {
        var cached: [UInt8]?
        let pcmOnce = {
            if let cached { return cached }
            let bytes = pcm()
            cached = bytes
            return bytes
        }
        for fanout in targets {
            fanout.publish(opus: opus, pcm: pcmOnce, ingestMicros: ingestMicros, from: source)
        }
    }

    // MARK: Definition

    /// Replaces the definition (after the organizer changed it); channels and booths that went away are closed.
    func update(_ definition: EventDefinition) {
        let (removed, removedConsoles): ([ChannelFanout], [ListenerSinkBox]) = change { state in
            state.definition = definition
            var removed: [ChannelFanout] = []
            for (channel, fanout) in state.fanouts where !definition.has(channel) {
                removed.append(fanout)
                state.fanouts[channel] = nil
            }
            for channel in definition.channels where state.fanouts[channel] == nil {
                state.fanouts[channel] = ChannelFanout(channel: channel)
            }
            var consoles: [ListenerSinkBox] = []
            for language in Array(state.desks.keys) where !definition.languages.contains(language) {
                state.desks[language] = nil
                if let input = state.boothInputs.removeValue(forKey: language) { removed.append(input) }
                consoles += state.consoles.removeValue(forKey: language)?.values.map(\.sink) ?? []
                state.interpreters.removeAll { $0.booth == language }
            }
            for (language, desk) in state.desks {
                if case .relay(let other) = desk.source, state.desks[other] == nil { state.desks[language]?.source = .floor }
            }
            state.addBooths(for: definition.languages)
            return (removed, consoles)
        }
        for fanout in removed {
            fanout.closeAll(because: ProtocolError.unknownChannel(fanout.channel.description, in: definition))
        }
        let error = ProtocolError(.unknownChannel, "The organizer removed this booth's language from event \(definition.code).")
        for sink in removedConsoles { sink.run { $0.close(because: error) } }
    }

    /// Disconnects everyone (the event was deleted).
    func closeAll() {
        let error = ProtocolError(.unknownEvent, "Event \(definition.code) has ended: the organizer deleted it.")
        let (fanouts, sinks) = state.withLockedValue { state in
            (Array(state.fanouts.values) + Array(state.boothInputs.values),
             state.consoles.values.flatMap { $0.values.map(\.sink) } + Array(state.dashboards.values))
        }
        for fanout in fanouts { fanout.closeAll(because: error) }
        for sink in sinks { sink.run { $0.close(because: error) } }
    }

    // MARK: Statistics

    /// Listeners per channel, in the event's channel order (WebSocket and stream listeners together).
    public var listenerCounts: [(ChannelID, Int)] {
        let (channels, fanouts) = state.withLockedValue { ($0.definition.channels, $0.fanouts) }
        return channels.map { ($0, (fanouts[$0]?.listenerCount ?? 0) + (fanouts[$0]?.streamCount ?? 0)) }
    }

    /// Counters of one channel, for operators and tests.
    public struct ChannelStatistics: Sendable, Equatable {
        public var listeners: Int
        public var streamListeners: Int
        public var packetsSent: Int
        public var droppedPackets: Int
    }

    /// Counters of `channel`, or nil if the event has no such channel.
    public func statistics(_ channel: ChannelID) -> ChannelStatistics? {
        fanout(channel).map { ChannelStatistics(listeners: $0.listenerCount, streamListeners: $0.streamCount, packetsSent: $0.packetsSent, droppedPackets: $0.droppedPackets) }
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
