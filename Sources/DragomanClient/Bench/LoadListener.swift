import DragomanCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A probe of the load generator: a bare WebSocket (or Ogg over HTTP) client on a NIO channel that
/// reads at once and timestamps every packet on arrival, for the delay figures. The other
/// listeners of a run are `BulkListeners`.
final class ProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let stats: LoadListenerStats
    let format: ListenTarget.Format
    private var counter: PacketCounter
    /// The server's answer while it is incomplete.
    private var answer = ByteBuffer()
    private var answered = false

    init(stats: LoadListenerStats, format: ListenTarget.Format) {
        self.format = format
        self.stats = stats
        self.counter = PacketCounter(framing: format == .ogg ? .ogg : .webSocket)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        let now = BenchClock.nowMicros()
        if !answered {
            answer.writeBuffer(&incoming)
            guard let end = answer.readableBytesView.firstRange(of: [13, 10, 13, 10]) else { return }
            let text = answer.readString(length: end.upperBound - answer.readerIndex) ?? ""
            let accepted = format == .webSocket ? text.hasPrefix("HTTP/1.1 101") : (text.hasPrefix("HTTP/1.1 200") || text.hasPrefix("HTTP/1.0 200"))
            guard accepted else {
                stats.fail("upgrade refused: \(text.prefix(40))")
                context.close(promise: nil)
                return
            }
            answered = true
            stats.upgraded()
            incoming = answer
            answer = ByteBuffer()
        }
        var pongs: [[UInt8]] = []
        defer {
            for pong in pongs { context.writeAndFlush(NIOAny(ByteBuffer(bytes: pong)), promise: nil) }
        }
        do {
            try incoming.withUnsafeReadableBytes { bytes throws(PacketCounter.Malformed) in
                try counter.feed(bytes) { item in
                    switch item {
                    case .audio(let sequence, let key): stats.packet(sequence: sequence, key: key, arrivalMicros: now)
                    case .ping(let payload): pongs.append(PacketCounter.pong(for: payload))
                    case .close: stats.disconnected()
                    case .other, .bundle: break  // a bundle reaches here as its packets
                    }
                }
            }
        } catch {
            stats.fail(format == .ogg ? "not an Ogg stream" : "not a WebSocket stream")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stats.disconnected()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stats.fail("\(error)")
        context.close(promise: nil)
    }
}

/// The counters of one probe, read by the generator from another thread.
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
