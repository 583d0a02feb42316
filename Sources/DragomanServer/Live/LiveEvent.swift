import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// The running state of one event: its channels' fan-outs, who publishes the floor,
/// and what each channel carries.
public final class LiveEvent: Sendable {
    private let state: NIOLockedValueBox<State>

    private struct State {
        var definition: EventDefinition
        var fanouts: [ChannelID: ChannelFanout]
        var floorPublisher: UUID?
        var floorLanguage: LanguageTag?
    }

    init(definition: EventDefinition, floorLanguage: LanguageTag? = nil) {
        var fanouts: [ChannelID: ChannelFanout] = [:]
        for channel in definition.channels { fanouts[channel] = ChannelFanout(channel: channel) }
        state = NIOLockedValueBox(State(definition: definition, fanouts: fanouts, floorLanguage: floorLanguage))
    }

    /// The language the floor speaks now, as the operator (or later, language identification) set it.
    public var floorLanguage: LanguageTag? { state.withLockedValue { $0.floorLanguage } }

    /// Sets the floor language. Every channel whose carrying changes gets an `alert` and the new `carrying`
    /// right away, in one write each, ahead of the next audio packet.
    /// - Returns: the channels that were alerted.
    @discardableResult
    func setFloorLanguage(_ language: LanguageTag?, at micros: UInt64) -> [ChannelID] {
        let (before, after, fanouts, live) = state.withLockedValue { state -> ([ChannelID: Carrying], [ChannelID: Carrying], [ChannelID: ChannelFanout], Bool) in
            let old = RoutingState(floorLanguage: state.floorLanguage)
            state.floorLanguage = language
            let new = RoutingState(floorLanguage: language)
            var before: [ChannelID: Carrying] = [:]
            var after: [ChannelID: Carrying] = [:]
            for channel in state.definition.channels {
                before[channel] = ChannelRouting.carrying(channel, in: old)
                after[channel] = ChannelRouting.carrying(channel, in: new)
            }
            return (before, after, state.fanouts, state.floorPublisher != nil)
        }
        var alerted: [ChannelID] = []
        for (channel, carrying) in after.sorted(by: { $0.key.description < $1.key.description }) {
            guard let fanout = fanouts[channel] else { continue }
            let carryingText = try? JSONText.encode(ControlMessages.CarryingMessage(channel: channel, carrying: carrying, floorLive: live, floorLanguage: language))
            // Listeners of a language channel are told when the language they hear changes; the Floor channel's
            // listeners chose the original and only get the new `carrying`.
            if channel != .floor, before[channel] != carrying,
               let alert = try? JSONText.encode(ControlMessages.Alert(channel: channel.description, floorLanguage: language?.value, interpretation: carrying.interpretation, at: micros)) {
                fanout.broadcast(text: alert)
                alerted.append(channel)
            }
            if let carryingText { fanout.broadcast(text: carryingText) }
        }
        return alerted
    }

    /// The event as stored.
    public var definition: EventDefinition { state.withLockedValue { $0.definition } }

    /// Whether someone publishes the floor now.
    public var isFloorLive: Bool { state.withLockedValue { $0.floorPublisher != nil } }

    /// The fan-out of a channel, if the event has it.
    func fanout(_ channel: ChannelID) -> ChannelFanout? {
        state.withLockedValue { $0.fanouts[channel] }
    }

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

    /// What `channel` carries now.
    func carrying(_ channel: ChannelID) -> ControlMessages.CarryingMessage {
        let (language, live) = state.withLockedValue { ($0.floorLanguage, $0.floorPublisher != nil) }
        return ControlMessages.CarryingMessage(channel: channel, carrying: ChannelRouting.carrying(channel, floorLanguage: language), floorLive: live, floorLanguage: language)
    }

    /// Takes the floor for one publisher; refuses a second one while the first is connected.
    func claimFloor() throws(ProtocolError) -> UUID {
        let claim = UUID()
        let taken: Bool = state.withLockedValue { state in
            guard state.floorPublisher == nil else { return false }
            state.floorPublisher = claim
            return true
        }
        guard taken else {
            throw ProtocolError(.floorBusy, "Another source is already publishing the floor of event \(definition.code); disconnect it first.")
        }
        announceCarrying()
        return claim
    }

    /// Gives the floor back.
    func releaseFloor(_ claim: UUID) {
        let released: Bool = state.withLockedValue { state in
            guard state.floorPublisher == claim else { return false }
            state.floorPublisher = nil
            return true
        }
        if released { announceCarrying() }
    }

    /// Sends one encoded floor frame to every channel that carries the floor.
    func publishFloor(opus: [UInt8], pcm: () -> [UInt8], ingestMicros: UInt64) {
        let fanouts = state.withLockedValue { state in
            state.definition.channels.compactMap { channel -> ChannelFanout? in
                ChannelRouting.carrying(channel, floorLanguage: state.floorLanguage).source == .floor ? state.fanouts[channel] : nil
            }
        }
        // Convert to 16-bit PCM at most once per frame, and only if some listener wants it.
        var cached: [UInt8]?
        let pcmOnce = {
            if let cached { return cached }
            let bytes = pcm()
            cached = bytes
            return bytes
        }
        for fanout in fanouts {
            fanout.publish(opus: opus, pcm: pcmOnce, ingestMicros: ingestMicros)
        }
    }

    /// Replaces the definition (after the organizer changed it); channels that went away are closed.
    func update(_ definition: EventDefinition) {
        let removed: [ChannelFanout] = state.withLockedValue { state in
            state.definition = definition
            var removed: [ChannelFanout] = []
            for (channel, fanout) in state.fanouts where !definition.has(channel) {
                removed.append(fanout)
                state.fanouts[channel] = nil
            }
            for channel in definition.channels where state.fanouts[channel] == nil {
                state.fanouts[channel] = ChannelFanout(channel: channel)
            }
            return removed
        }
        for fanout in removed {
            fanout.closeAll(because: ProtocolError.unknownChannel(fanout.channel.description, in: definition))
        }
    }

    /// Disconnects everyone (the event was deleted).
    func closeAll() {
        let error = ProtocolError(.unknownEvent, "Event \(definition.code) has ended: the organizer deleted it.")
        for fanout in state.withLockedValue({ Array($0.fanouts.values) }) { fanout.closeAll(because: error) }
    }

    /// Tells every channel's listeners what it carries now.
    private func announceCarrying() {
        let fanouts = state.withLockedValue { Array($0.fanouts.values) }
        for fanout in fanouts {
            if let text = try? JSONText.encode(carrying(fanout.channel)) {
                fanout.broadcast(text: text)
            }
        }
    }
}
