import DragomanAudio

/// Pushes one channel of an event to an Icecast mount, so that Icecast (and its relays on
/// other machines) serve audiences beyond the venue while Dragoman serves the room.
///
/// It listens to the channel like any listener, wraps each Opus packet as it is in an Ogg
/// page, and sends the pages as an Icecast source. Each side reconnects on its own with
/// backoff; while the channel is silent the mount gets silence, so Icecast keeps it (and
/// its listeners) instead of dropping it after its source timeout.
///
/// ```swift
/// let relay = ChannelRelay(server: try ServerAddress("http://127.0.0.1:8080"), event: "K7QM2X", channel: "ru",
///                          mount: try IcecastMount("http://source:hackme@icecast:8000/ru.ogg")) { print($0) }
/// try await relay.run()
/// ```
public struct ChannelRelay: Sendable {
    public var server: ServerAddress
    public var event: String
    public var channel: String
    public var pin: String?
    public var mount: IcecastMount
    public var info: IcecastStreamInfo
    /// Receives one line per change of state ("icecast: connected to …"), for the technician.
    public var log: @Sendable (String) -> Void
    /// Told of every packet sent to Icecast: the granule position of its page and the packet's ingest
    /// time, so that a listener of the mount can measure the delay from the floor (`dragoman bench`).
    public var onRelayed: (@Sendable (_ granulePosition: Int64, _ ingestMicros: UInt64) -> Void)?

    /// Creates a relay; nothing connects until `run`.
    public init(
        server: ServerAddress,
        event: String,
        channel: String,
        pin: String? = nil,
        mount: IcecastMount,
        info: IcecastStreamInfo = .init(),
        onRelayed: (@Sendable (_ granulePosition: Int64, _ ingestMicros: UInt64) -> Void)? = nil,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.server = server
        self.event = event
        self.channel = channel
        self.pin = pin
        self.mount = mount
        self.info = info
        self.onRelayed = onRelayed
        self.log = log
    }

    /// Relays until cancelled.
    ///
    /// - Throws: `ClientError` when Dragoman refuses for good (no such event or channel, wrong
    ///   PIN); `CancellationError` when cancelled. Icecast's refusals are logged and retried:
    ///   they can be cured on the Icecast side (its configuration, a source still holding the mount).
    public func run() async throws {
        let stream = MountStream(silence: try SilentOpusPacket.make(), log: log)
        // Icecast needs the stream header before any audio, and only `welcome` has it.
        let (welcomes, welcomed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let feed = ChannelPacketFeed(server: server, event: event, channel: channel, pin: pin, log: log)
        let onRelayed = self.onRelayed
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await feed.run { event in
                    switch event {
                    case .connected(let head):
                        await stream.setHead(head)
                        welcomed.yield()
                    case .packet(let packet, let ingestMicros):
                        if let granule = await stream.packet(packet) { onRelayed?(granule, ingestMicros) }
                    }
                }
            }
            group.addTask {
                for await _ in welcomes { break }
                try await feedIcecast(stream)
            }
            group.addTask { try await Self.keepTime(stream) }
            // Only the feed ends on its own (a permanent refusal); any end stops the others.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Keeps a source connection to the mount up, reconnecting with backoff.
    private func feedIcecast(_ stream: MountStream) async throws {
        var backoff = ReconnectBackoff()
        while true {
            try Task.checkCancellation()
            let why: String
            do {
                let source = try await IcecastSource.connect(to: mount, info: info)
                log("icecast: connected to \(mount)")
                let connected = ContinuousClock.now
                await stream.attach(source)
                await source.waitUntilClosed()
                await stream.detach(source)
                try Task.checkCancellation()
                if ContinuousClock.now - connected >= ReconnectBackoff.healthyConnection { backoff.reset() }
                why = "connection to \(mount) lost"
            } catch let refusal as IcecastRefusal {
                why = "refused: \(refusal)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                why = "\(error)"
            }
            try Task.checkCancellation()
            let delay = backoff.next()
            log("icecast: \(why), retrying in \(ReconnectBackoff.describe(delay))")
            try await Task.sleep(for: .seconds(delay))
        }
    }

    /// Ticks the stream every 20 ms, for silence and stall checks.
    private static func keepTime(_ stream: MountStream) async throws {
        let clock = ContinuousClock()
        var next = clock.now
        while true {
            next = next.advanced(by: .milliseconds(20))
            // After a long suspension (a laptop lid), start from now rather than send a burst of silence.
            if clock.now - next > .milliseconds(200) { next = clock.now }
            try await clock.sleep(until: next, tolerance: .milliseconds(2))
            await stream.tick()
        }
    }
}
