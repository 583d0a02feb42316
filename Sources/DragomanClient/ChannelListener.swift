import DragomanAudio
public import DragomanCore
import Foundation
import NIOCore

/// Listens to one channel of an event: decodes the Opus packets, conceals lost ones, and
/// measures loss and delay from the timestamps the server puts in every packet.
public struct ChannelListener: Sendable {
    public var server: ServerAddress
    public var event: String
    public var channel: String
    public var pin: String?
    /// Stop after this long (seconds), or never.
    public var duration: Double?
    /// Stop when no packet arrived for this long after the first one (seconds), or never.
    public var idleTimeout: Double?

    public init(
        server: ServerAddress,
        event: String,
        channel: String = "floor",
        pin: String? = nil,
        duration: Double? = nil,
        idleTimeout: Double? = nil
    ) {
        self.server = server
        self.event = event
        self.channel = channel
        self.pin = pin
        self.duration = duration
        self.idleTimeout = idleTimeout
    }

    /// What a listener measured.
    public struct Report: Sendable, Codable {
        public var packets: Int
        public var lost: Int
        /// Packets the server dropped for this listener because it read too slowly.
        public var droppedByServer: Int
        /// Now − ingest time per packet, in milliseconds.
        public var delayMs: Percentiles
        /// Send time − ingest time per packet: the server's own processing, in milliseconds.
        public var serverProcessingMs: Percentiles
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case packets, lost, seconds
            case droppedByServer = "dropped_by_server"
            case delayMs = "delay_ms"
            case serverProcessingMs = "server_processing_ms"
        }
    }

    /// Listens until the duration, the idle timeout, `stopRequested` says so (looked at every 50 ms), or the
    /// server closes; `onAudio` gets each decoded 20 ms frame. `onControl` gets every text message with the time it
    /// arrived (µs since the Unix epoch).
    public func run(
        stopRequested: @escaping @Sendable () -> Bool = { false },
        onControl: (@Sendable (String, UInt64) -> Void)? = nil,
        onAudio: @escaping @Sendable ([Float]) throws -> Void
    ) async throws -> Report {
        var query = [("channel", channel)]
        if let pin { query.append(("pin", pin)) }
        let connection = try await WebSocketConnection.connect(to: server.webSocketURL("/ws/listen/\(event)", query: query))
        let state = ListenState()
        let duration = self.duration
        let idleTimeout = self.idleTimeout
        let started = ContinuousClock.now
        let watchdog = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(50))
                let idle = await state.idleFor
                if let duration, ContinuousClock.now - started >= .seconds(duration) { break }
                if let idleTimeout, let idle, idle >= .seconds(idleTimeout) { break }
                if stopRequested() { break }
            }
            await connection.close(reason: "done")
        }
        defer { watchdog.cancel() }

        let decoder = try OpusDecoder()
        for try await message in connection.messages {
            switch message {
            case .text(let text):
                onControl?(text, WallClockMicros.now())
                let data = Data(text.utf8)
                guard let type = try? JSONDecoder().decode(ControlMessages.MessageType.self, from: data) else { continue }
                switch type.type {
                case "error":
                    if let error = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: data) {
                        await state.fail(ClientError(server: error), fatal: error.fatal)
                    }
                case "dropped":
                    if let dropped = try? JSONDecoder().decode(ControlMessages.Dropped.self, from: data) {
                        await state.serverDropped(dropped.count)
                    }
                case "tuned":
                    await state.resetSequence()
                default:
                    break
                }
            case .binary(let buffer):
                let received = WallClockMicros.now()
                // One packet, or a bundle of two or three in a room set to 40 or 60 ms per message.
                let packets = try buffer.withUnsafeReadableBytes { bytes -> [(AudioPacketHeader, [UInt8])] in
                    try AudioMessage.packets(in: bytes).map { ($0.header, Array(bytes[$0.payload])) }
                }
                for (header, payload) in packets {
                    let missing = await state.receive(header, receivedMicros: received)
                    for _ in 0..<min(missing, 50) { try onAudio(try decoder.decodeLost()) }
                    switch header.kind {
                    case .opus: try onAudio(try decoder.decode(payload))
                    case .pcm: try onAudio(PCMSampleFormat.s16le.decode(payload))
                    }
                }
            }
        }
        if let failure = await state.fatalFailure { throw failure }
        if let close = connection.closeFrame, let code = close.code, code != 1000, code != 1001 {
            throw ClientError("the server closed the connection (\(code)\(close.reason.isEmpty ? "" : ": \(close.reason)"))")
        }
        return await state.report
    }
}

/// The listener's running counts, shared between the packet loop and the watchdog.
private actor ListenState {
    var packets = 0
    var lost = 0
    var droppedByServer = 0
    var expected: UInt32?
    var delays: [Double] = []
    var processing: [Double] = []
    var lastPacket: ContinuousClock.Instant?
    var firstPacket: ContinuousClock.Instant?
    var fatalFailure: ClientError?

    /// Counts a packet; returns how many were missing before it.
    func receive(_ header: AudioPacketHeader, receivedMicros: UInt64) -> Int {
        let now = ContinuousClock.now
        if firstPacket == nil { firstPacket = now }
        lastPacket = now
        packets += 1
        delays.append(Double(Int64(receivedMicros) - Int64(header.ingestMicros)) / 1000)
        processing.append(Double(Int64(header.sendMicros) - Int64(header.ingestMicros)) / 1000)
        var missing = 0
        if let expected, header.sequence != expected, !header.flags.contains(.discontinuity) {
            let gap = header.sequence &- expected
            if gap < 1 << 31 { missing = Int(gap) }
        }
        lost += missing
        expected = header.sequence &+ 1
        return missing
    }

    func resetSequence() { expected = nil }
    func serverDropped(_ count: Int) { droppedByServer += count }

    func fail(_ error: ClientError, fatal: Bool) {
        if fatal, fatalFailure == nil { fatalFailure = error }
    }

    var idleFor: Duration? { lastPacket.map { ContinuousClock.now - $0 } }

    var report: ChannelListener.Report {
        let seconds = firstPacket.flatMap { first in lastPacket.map { ($0 - first).seconds } } ?? 0
        return .init(
            packets: packets,
            lost: lost,
            droppedByServer: droppedByServer,
            delayMs: Percentiles(delays),
            serverProcessingMs: Percentiles(processing),
            seconds: seconds
        )
    }
}

/// The wall clock the server's packet timestamps are measured in.
enum WallClockMicros {
    static func now() -> UInt64 { BenchClock.nowMicros() }
}
