import DragomanCore
import NIOConcurrencyHelpers
import NIOCore

/// One channel of a live event: numbers its packets, builds each outgoing frame once and
/// hands the same bytes to the listener groups of every event loop and to stream subscribers.
///
/// In a room set to 40 or 60 ms per message, WebSocket listeners of Opus get two or three consecutive
/// packets as one bundle (`AudioMessage`); a control message first sends what is waiting, so that
/// messages and audio keep their order. Ogg streams, recordings and PCM listeners get every packet as it comes.
final class ChannelFanout: Sendable {
    let channel: ChannelID
    private let allocator = ByteBufferAllocator()
    private let state = NIOLockedValueBox(State())
    /// Floor audio in → packet built, for /metrics.
    let processingDelay = DelayHistogram()

    private struct State {
        var groups: [ListenerGroup] = []
        var sequence: UInt32 = 0
        var listeners = 0
        var pcmListeners = 0
        var directListeners = 0
        var droppedPackets = 0
        var packetsSent = 0
        var streams: [Int: AsyncStream<StreamPacket>.Continuation] = [:]
        var nextStreamID = 0
        /// Recordings of the channel: its packets and its control messages, not counted as listeners.
        var recorders: [Int: AsyncStream<RecorderItem>.Continuation] = [:]
        /// The source of the last packet: a packet from another source is marked as a discontinuity.
        var lastSource: ChannelSource?
        /// Packets per message to Opus listeners, and the packets of the bundle being filled.
        var packetsPerMessage = 1
        var pending: [(header: AudioPacketHeader, payload: [UInt8])] = []
        /// The processing delay of the last packets (ms), for the dashboard.
        var recentDelays: [Double] = []
        var recentIndex = 0
    }

    /// Processing delays kept for `recentProcessingDelay`: 10 s of packets.
    private static let recentCapacity = 500

    /// What a recording of the channel gets: every packet, and every control message (captions, what the channel
    /// carries, alerts) as its listeners get them.
    enum RecorderItem: Sendable {
        case audio(StreamPacket)
        case text(String)
    }

    /// A packet as the Ogg stream subscribers get it.
    struct StreamPacket: Sendable {
        var opus: [UInt8]
        var ingestMicros: UInt64
    }

    init(channel: ChannelID) {
        self.channel = channel
    }

    /// WebSocket listeners on this channel now.
    var listenerCount: Int { state.withLockedValue { $0.listeners } }
    /// Packets dropped for slow listeners of this channel since it started (each listener's drops count).
    var droppedPackets: Int { state.withLockedValue { $0.droppedPackets } }
    /// Listeners whose sockets the fan-out writes to itself, past NIO's pipeline (plain connections).
    var directListenerCount: Int { state.withLockedValue { $0.directListeners } }
    /// Packets per message to Opus listeners.
    var packetsPerMessage: Int { state.withLockedValue { $0.packetsPerMessage } }
    /// Packets published on this channel since it started.
    var packetsSent: Int { state.withLockedValue { $0.packetsSent } }

    /// The processing delay of the last 10 s of packets (ms).
    var recentProcessingDelay: Percentiles { Percentiles(state.withLockedValue { $0.recentDelays }) }

    /// Ogg stream listeners on this channel now.
    var streamCount: Int { state.withLockedValue { $0.streams.count } }

    /// The group of this channel for `eventLoop`, made on first use.
    func group(for eventLoop: any EventLoop) -> ListenerGroup {
        state.withLockedValue { state in
            if let group = state.groups.first(where: { $0.eventLoop === eventLoop }) { return group }
            let group = ListenerGroup(
                eventLoop: eventLoop,
                onCountChange: { [weak self] delta, pcmDelta, directDelta in
                    self?.state.withLockedValue {
                        $0.listeners += delta
                        $0.pcmListeners += pcmDelta
                        $0.directListeners += directDelta
                    }
                },
                onDrop: { [weak self] packets in self?.state.withLockedValue { $0.droppedPackets += packets } }
            )
            state.groups.append(group)
            return group
        }
    }

    /// Sends one 20 ms frame to everyone on the channel.
    /// - Parameters:
    ///   - opus: the encoded packet, the same for all channels carrying this source
    ///   - pcm: the frame as 16-bit little-endian PCM, for listeners without an Opus decoder
    ///   - ingestMicros: when the server received the audio that completed the frame
    ///   - source: where the frame comes from; the first frame from a new source is flagged as a discontinuity
    func publish(opus: [UInt8], pcm: () -> [UInt8], ingestMicros: UInt64, from source: ChannelSource = .floor) {
        let sendMicros = WallClock.nowMicros()
        let delay = Double(Int64(sendMicros) - Int64(ingestMicros)) / 1000
        let (header, bundle, groups, pcmListeners, streams, recorders) = state.withLockedValue { state in
            state.sequence &+= 1
            state.packetsSent += 1
            let flags: AudioPacketHeader.Flags = state.lastSource.map { $0 != source } ?? false ? .discontinuity : []
            state.lastSource = source
            if state.recentDelays.count < Self.recentCapacity {
                state.recentDelays.append(delay)
            } else {
                state.recentDelays[state.recentIndex] = delay
                state.recentIndex = (state.recentIndex + 1) % Self.recentCapacity
            }
            let header = AudioPacketHeader(kind: .opus, flags: flags, sequence: state.sequence, ingestMicros: ingestMicros, sendMicros: sendMicros)
            // nil: the packet goes alone; empty: it waits in the bundle being filled; else: the bundle is full.
            var bundle: [(header: AudioPacketHeader, payload: [UInt8])]?
            if state.packetsPerMessage > 1 {
                state.pending.append((header, opus))
                bundle = state.pending.count >= state.packetsPerMessage ? state.pending : []
                if bundle?.isEmpty == false { state.pending = [] }
            }
            let recorders = state.recorders.isEmpty ? [] : Array(state.recorders.values)
            return (header, bundle, state.groups, state.pcmListeners, Array(state.streams.values), recorders)
        }
        processingDelay.record(milliseconds: delay)
        let opusFrame: ByteBuffer? =
            switch bundle {
            case nil: opus.withUnsafeBytes { WireFrame.audio(header, payload: $0, allocator: allocator) }
            case let packets?: packets.isEmpty ? nil : WireFrame.bundle(packets, allocator: allocator)
            }
        var pcmFrame: ByteBuffer?
        if pcmListeners > 0 {
            var pcmHeader = header
            pcmHeader.kind = .pcm
            pcmFrame = pcm().withUnsafeBytes { WireFrame.audio(pcmHeader, payload: $0, allocator: allocator) }
        }
        deliver(opus: opusFrame, pcm: pcmFrame, to: groups)
        if !streams.isEmpty || !recorders.isEmpty {
            let packet = StreamPacket(opus: opus, ingestMicros: ingestMicros)
            for stream in streams { stream.yield(packet) }
            for recorder in recorders { recorder.yield(.audio(packet)) }
        }
    }

    /// Hands frames to every event loop's group.
    private func deliver(opus: ByteBuffer?, pcm: ByteBuffer?, to groups: [ListenerGroup]) {
        guard opus != nil || pcm != nil else { return }
        for (index, group) in groups.enumerated() {
            // Each event loop gets bytes of its own: listeners on different cores then never touch the same
            // reference count, which would bounce one cache line between the cores for every single write.
            let opus = index == 0 ? opus : opus.map { Self.copy($0, allocator: allocator) }
            let pcm = index == 0 ? pcm : pcm.map { Self.copy($0, allocator: allocator) }
            group.eventLoop.execute { group.deliver(opus: opus, pcm: pcm) }
        }
    }

    /// Sets how many packets go in one message to Opus listeners (1: each alone); what waits goes out now.
    func setPacketsPerMessage(_ count: Int) {
        let (waiting, groups) = state.withLockedValue { state in
            state.packetsPerMessage = max(1, min(count, AudioMessage.maximumBundle))
            defer { state.pending = [] }
            return (state.pending, state.groups)
        }
        sendWaiting(waiting, to: groups)
    }

    /// Sends a bundle that is not full yet, so that nothing overtakes it.
    private func sendWaiting(_ waiting: [(header: AudioPacketHeader, payload: [UInt8])], to groups: [ListenerGroup]) {
        guard let first = waiting.first else { return }
        let frame =
            waiting.count == 1
            ? first.payload.withUnsafeBytes { WireFrame.audio(first.header, payload: $0, allocator: allocator) }
            : WireFrame.bundle(waiting, allocator: allocator)
        deliver(opus: frame, pcm: nil, to: groups)
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

    private static func copy(_ buffer: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var copy = allocator.buffer(capacity: buffer.readableBytes)
        copy.writeImmutableBuffer(buffer)
        return copy
    }

    /// Sends a control message (JSON text) to every WebSocket listener of the channel.
    func broadcast(text: String) {
        let frame = WireFrame.text(text, allocator: allocator)
        let (groups, recorders, waiting) = state.withLockedValue { state in
            defer { state.pending = [] }
            return (state.groups, Array(state.recorders.values), state.pending)
        }
        // The audio before the message goes first (an alert must not overtake the packets before the switch).
        sendWaiting(waiting, to: groups)
        for group in groups {
            group.eventLoop.execute { group.deliver(text: frame) }
        }
        for recorder in recorders { recorder.yield(.text(text)) }
    }

    /// Subscribes an Ogg stream listener. Its buffer keeps the newest 25 packets (0.5 s):
    /// a stream that falls behind loses its own oldest audio, nobody else's.
    func subscribeStream() -> (id: Int, packets: AsyncStream<StreamPacket>) {
        let (stream, continuation) = AsyncStream.makeStream(of: StreamPacket.self, bufferingPolicy: .bufferingNewest(25))
        let id = state.withLockedValue { state in
            state.nextStreamID += 1
            state.streams[state.nextStreamID] = continuation
            return state.nextStreamID
        }
        return (id, stream)
    }

    /// Subscribes a recording. Its buffer holds 10 s: a recorder waiting on the disk loses nothing in that time.
    func subscribeRecorder() -> (id: Int, items: AsyncStream<RecorderItem>) {
        let (stream, continuation) = AsyncStream.makeStream(of: RecorderItem.self, bufferingPolicy: .bufferingNewest(1000))
        let id = state.withLockedValue { state in
            state.nextStreamID += 1
            state.recorders[state.nextStreamID] = continuation
            return state.nextStreamID
        }
        return (id, stream)
    }

    func unsubscribeRecorder(_ id: Int) {
        state.withLockedValue { $0.recorders.removeValue(forKey: id) }?.finish()
    }

    func unsubscribeStream(_ id: Int) {
        state.withLockedValue { $0.streams.removeValue(forKey: id) }?.finish()
    }

    /// Ends every Ogg stream of the channel (the event became confidential): the players see the stream end.
    func endStreams() {
        let streams = state.withLockedValue { state in
            defer { state.streams = [:] }
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish() }
    }

    /// Closes the WebSocket listeners' connections with 1001 (going away): the server is stopping.
    func closeListenersGoingAway() {
        let groups = state.withLockedValue { $0.groups }
        for group in groups { group.eventLoop.execute { group.closeAllGoingAway() } }
    }

    /// Disconnects everyone on the channel, telling WebSocket listeners why.
    func closeAll(because error: ProtocolError) {
        let (groups, streams, recorders) = state.withLockedValue { state in
            let streams = Array(state.streams.values)
            let recorders = Array(state.recorders.values)
            state.streams = [:]
            state.recorders = [:]
            return (state.groups, streams, recorders)
        }
        for group in groups { group.eventLoop.execute { group.closeAll(because: error) } }
        for stream in streams { stream.finish() }
        for recorder in recorders { recorder.finish() }
    }
}
