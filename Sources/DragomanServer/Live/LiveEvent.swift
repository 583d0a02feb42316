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

    init(definition: EventDefinition) {
        var fanouts: [ChannelID: ChannelFanout] = [:]
        for channel in definition.channels { fanouts[channel] = ChannelFanout(channel: channel) }
        state = NIOLockedValueBox(State(definition: definition, fanouts: fanouts))
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
        return ControlMessages.CarryingMessage(channel: channel, carrying: ChannelRouting.carrying(channel, floorLanguage: language), floorLive: live)
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
