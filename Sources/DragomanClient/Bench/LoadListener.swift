import DragomanCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One simulated listener of the load generator: a bare WebSocket client on a NIO channel
/// that reads frames in bulk, counts packets and gaps, and (if it is a probe) timestamps
/// every packet on arrival.
///
/// It speaks just enough WebSocket for a server-to-client audio stream: an upgrade request,
/// unmasked frames in. Thousands of them fit beside the server on two cores.
final class LoadListenerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// What the listener reads.
    enum StreamFormat: Sendable {
        /// Dragoman's WebSocket: packets with a 24-byte header; the probe key is the ingest time.
        case webSocket
        /// An Ogg/Opus stream over HTTP (Icecast); the probe key is the granule position.
        case ogg
    }

    let probe: Bool
    let stats: LoadListenerStats
    let format: StreamFormat
    /// Cheap listeners read only this often (like a phone whose radio wakes up now and then), probes at once.
    let readInterval: TimeAmount?
    private var buffer: ByteBuffer?
    private var upgraded = false
    private var readTimer: RepeatedTask?

    init(probe: Bool, stats: LoadListenerStats, readInterval: TimeAmount?, format: StreamFormat = .webSocket) {
        self.probe = probe
        self.format = format
        self.stats = stats
        self.readInterval = readInterval
    }

    func channelActive(context: ChannelHandlerContext) {
        if let readInterval {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            readTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: readInterval, delay: readInterval) { _ in
                loopBound.value.read()
            }
            // One read stays pending until the upgrade answer arrives, so connecting is not delayed by the interval.
            context.read()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil || buffer!.readableBytes == 0 {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        if !upgraded {
            guard let view = buffer?.readableBytesView, let end = view.firstRange(of: [13, 10, 13, 10]) else { return }
            let headerLength = end.upperBound - view.startIndex
            let head = buffer!.readString(length: headerLength) ?? ""
            let accepted = format == .webSocket ? head.hasPrefix("HTTP/1.1 101") : (head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200"))
            guard accepted else {
                stats.fail("upgrade refused: \(head.prefix(40))")
                context.close(promise: nil)
                return
            }
            upgraded = true
            stats.upgraded()
        }
        switch format {
        case .webSocket: parseFrames()
        case .ogg: parsePages()
        }
        if buffer?.readableBytes == 0 { buffer = nil }
    }

    /// Ogg pages (RFC 3533): 27-byte header, segment table, body. Header pages (granule 0) are skipped.
    private func parsePages() {
        let now = probe ? BenchClock.nowMicros() : 0
        while var page = buffer, page.readableBytes >= 27 {
            let start = page.readerIndex
            guard page.getInteger(at: start, as: UInt32.self) == 0x4F67_6753 else {  // "OggS"
                stats.fail("not an Ogg stream")
                buffer = nil
                return
            }
            let segments = Int(page.getInteger(at: start + 26, as: UInt8.self)!)
            guard page.readableBytes >= 27 + segments else { return }
            var bodyLength = 0
            for i in 0..<segments { bodyLength += Int(page.getInteger(at: start + 27 + i, as: UInt8.self)!) }
            guard page.readableBytes >= 27 + segments + bodyLength else { return }
            let granule = page.getInteger(at: start + 6, endianness: .little, as: UInt64.self)!
            let sequence = page.getInteger(at: start + 18, endianness: .little, as: UInt32.self)!
            if granule > 0 && granule != UInt64.max {
                stats.packet(sequence: sequence, key: probe ? granule : nil, arrivalMicros: now)
            }
            page.moveReaderIndex(forwardBy: 27 + segments + bodyLength)
            buffer = page
        }
    }

    private func parseFrames() {
        let now = probe ? BenchClock.nowMicros() : 0
        while var frame = buffer, frame.readableBytes >= 2 {
            let first = frame.readInteger(as: UInt8.self)!
            let second = frame.readInteger(as: UInt8.self)!
            var length = Int(second & 0x7F)
            if length == 126 {
                guard let extended = frame.readInteger(as: UInt16.self) else { return }
                length = Int(extended)
            } else if length == 127 {
                guard let extended = frame.readInteger(as: UInt64.self) else { return }
                length = Int(extended)
            }
            guard frame.readableBytes >= length else { return }
            let opcode = first & 0x0F
            if opcode == 0x2, length >= AudioPacketHeader.size {
                let sequence = frame.getInteger(at: frame.readerIndex + 4, as: UInt32.self)!
                let ingest = probe ? frame.getInteger(at: frame.readerIndex + 8, as: UInt64.self) : nil
                stats.packet(sequence: sequence, key: ingest, arrivalMicros: now)
            } else if opcode == 0x8 {
                stats.disconnected()
            }
            frame.moveReaderIndex(forwardBy: length)
            buffer = frame
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        readTimer?.cancel()
        stats.disconnected()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stats.fail("\(error)")
        context.close(promise: nil)
    }
}

/// The counters of one simulated listener, read by the generator from another thread.
final class LoadListenerStats: Sendable {
    private struct State {
        var connectStarted: UInt64 = 0
        var upgradedAt: UInt64?
        var firstAudioAt: UInt64?
        var packets = 0
        var lost = 0
        var expected: UInt32?
        var arrivals: [(key: UInt64, micros: UInt64)] = []
        var connected = false
        var failure: String?
        var recording = false
    }
    private let state = NIOLockedValueBox(State())

    func started() { state.withLockedValue { $0 = State(connectStarted: BenchClock.nowMicros(), recording: $0.recording) } }
    func upgraded() {
        state.withLockedValue {
            $0.upgradedAt = BenchClock.nowMicros()
            $0.connected = true
        }
    }
    func disconnected() { state.withLockedValue { $0.connected = false } }
    func closedByServer() { state.withLockedValue { $0.connected = false } }
    func fail(_ reason: String) { state.withLockedValue { $0.failure = reason } }

    /// Counts a packet; a probe also keeps `key` (ingest time or granule) and its arrival time.
    func packet(sequence: UInt32, key: UInt64?, arrivalMicros: UInt64) {
        state.withLockedValue { state in
            if state.firstAudioAt == nil { state.firstAudioAt = BenchClock.nowMicros() }
            if let expected = state.expected, sequence != expected {
                let gap = sequence &- expected
                if gap < 1 << 31, state.recording { state.lost += Int(gap) }
            }
            state.expected = sequence &+ 1
            guard state.recording else { return }
            state.packets += 1
            if let key { state.arrivals.append((key, arrivalMicros)) }
        }
    }

    /// Starts or stops counting (the warm-up is not measured).
    func record(_ on: Bool) { state.withLockedValue { $0.recording = on } }

    struct Snapshot {
        var connectMs: Double?
        var firstAudioMs: Double?
        var packets: Int
        var lost: Int
        var arrivals: [(key: UInt64, micros: UInt64)]
        var connected: Bool
        var failure: String?
    }

    var snapshot: Snapshot {
        state.withLockedValue { s in
            Snapshot(
                connectMs: s.upgradedAt.map { Double($0 - s.connectStarted) / 1000 },
                firstAudioMs: s.firstAudioAt.map { Double($0 - s.connectStarted) / 1000 },
                packets: s.packets,
                lost: s.lost,
                arrivals: s.arrivals,
                connected: s.connected,
                failure: s.failure
            )
        }
    }
}

/// Microseconds on the wall clock the server stamps packets with.
enum BenchClock {
    static func nowMicros() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1_000
    }
}
