import DragomanCore
import Foundation
import NIOConcurrencyHelpers

/// The organizer dashboard's view of a live event.
extension LiveEvent {
    /// Attaches a dashboard connection; it gets every chat to the organizer, every signal, and a
    /// snapshot after every change.
    func attachDashboard(_ sink: ListenerSinkBox, links: PublicLinks) -> UUID {
        let id = UUID()
        state.withLockedValue { $0.dashboards[id] = sink }
        dashboardLinks.withLockedValue { $0 = links }
        return id
    }

    func detachDashboard(_ id: UUID) {
        state.withLockedValue { _ = $0.dashboards.removeValue(forKey: id) }
    }

    /// Sends the snapshot to `sinks` now.
    func pushDashboard(to sinks: [ListenerSinkBox]) {
        guard let links = dashboardLinks.withLockedValue({ $0 }), let text = try? JSONText.encode(dashboard(links: links)) else { return }
        for sink in sinks { sink.run { $0.send(text: text) } }
    }

    /// Sends the snapshot to every dashboard.
    func pushDashboards() {
        let sinks = state.withLockedValue { Array($0.dashboards.values) }
        if !sinks.isEmpty { pushDashboard(to: sinks) }
    }

    /// Everything the organizer watches, as one message.
    func dashboard(links: PublicLinks) -> ControlMessages.Dashboard {
        let now = WallClock.nowMicros()
        return state.withLockedValue { state in
            let definition = state.definition
            let routing = state.routing
            let join = links.join(definition.code)
            let channels = definition.channels.map { channel -> ControlMessages.Dashboard.Channel in
                let carrying = ChannelRouting.carrying(channel, in: routing)
                let fanout = state.fanouts[channel]
                let delay = fanout?.recentProcessingDelay
                return ControlMessages.Dashboard.Channel(
                    channel: channel.description,
                    listeners: fanout?.listenerCount ?? 0,
                    streamListeners: fanout?.streamCount ?? 0,
                    relays: state.relays[channel, default: 0],
                    carrying: ControlMessages.CarryingMessage(channel: channel, carrying: carrying, floorLive: state.floorPublisher != nil,
                                                              floorLanguage: state.floorLanguage),
                    level: state.meters[carrying.source]?.level(at: now) ?? PeakMeter.floorDB,
                    delayP50: Self.rounded(delay?.p50 ?? 0), delayP99: Self.rounded(delay?.p99 ?? 0),
                    dropped: fanout?.droppedPackets ?? 0,
                    joinURL: channel == .floor ? join : "\(join)?channel=\(channel)")
            }
            state.signals.removeAll { now > $0.at + 60_000_000 }
            return ControlMessages.Dashboard(
                serverTime: now,
                event: .init(code: definition.code.value, name: definition.name, languages: definition.languages.map(\.value), joinURL: join),
                floor: .init(live: state.floorPublisher != nil, language: state.floorLanguage?.value,
                             level: state.meters[.floor]?.level(at: now) ?? PeakMeter.floorDB),
                channels: channels,
                booths: definition.languages.compactMap { boothState($0, in: state) },
                signals: state.signals.reversed())
        }
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
