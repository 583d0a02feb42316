import DragomanAudio
import DragomanCore
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket

/// Publishes audio as the floor of an event, at real-time pace, like a mixer's line would.
public struct FloorIngest: Sendable {
    /// The audio to send.
    public enum Source: Sendable {
        /// A decoded file (any rate, mono or stereo).
        case audio(PCMAudio)
        /// Raw interleaved PCM read from standard input.
        case standardInput(sampleRate: Int, channels: Int, format: PCMSampleFormat)
    }

    public var server: ServerAddress
    public var event: String
    public var token: String
    public var source: Source
    /// Repeat a file forever (demos).
    public var loop: Bool
    /// Send as fast as possible instead of at real-time pace (tests of the pipeline only).
    public var paced: Bool

    public init(server: ServerAddress, event: String, token: String, source: Source, loop: Bool = false, paced: Bool = true) {
        self.server = server
        self.event = event
        self.token = token
        self.source = source
        self.loop = loop
        self.paced = paced
    }

    /// Statistics of a finished ingest.
    public struct Report: Sendable {
        public var seconds: Double
        public var messages: Int
    }

    /// Connects, sends everything, and returns when the source ends (or throws what the server refused).
    public func run(logger: Logger = Logger(label: "dragoman.ingest")) async throws -> Report {
        let (rate, channels, format): (Int, Int, PCMSampleFormat)
        switch source {
        case .audio(let audio): (rate, channels, format) = (audio.sampleRate, audio.channels, .f32le)
        case .standardInput(let r, let c, let f): (rate, channels, format) = (r, c, f)
        }
        guard (1...2).contains(channels) else {
            throw ClientError("the floor takes mono or stereo audio; this has \(channels) channels")
        }
        let url = server.webSocketURL("/ws/floor/\(event)", query: [
            ("token", token), ("rate", String(rate)), ("channels", String(channels)), ("format", format.rawValue),
        ])
        let outcome = IngestOutcome()
        let source = self.source
        let loop = self.loop
        let paced = self.paced
        let close = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16), tlsConfiguration: ClientTLS.configuration(for: server), logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
            // Wait for the server to accept before sending any audio.
            guard let first = try await messages.next() else { return }
            guard case .text(let text) = first else { return }
            if let error = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data(text.utf8)), error.type == "error" {
                await outcome.fail(ClientError(server: error))
                return
            }
            // Watch for a refusal while sending (e.g. a malformed message).
            let watcher = Task {
                while let message = try await messages.next() {
                    if case .text(let text) = message,
                       let error = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data(text.utf8)), error.type == "error" {
                        await outcome.fail(ClientError(server: error))
                    }
                }
            }
            defer { watcher.cancel() }
            let sender = PacedSender(frameBytes: rate / 50 * channels * format.bytesPerSample, paced: paced)
            switch source {
            case .audio(let audio):
                let bytes = PCMEncoding.f32le(audio.samples)
                repeat {
                    let sent = try await sender.send(bytes, outbound: outbound)
                    await outcome.add(messages: sent, seconds: audio.duration)
                } while loop && !Task.isCancelled
            case .standardInput:
                let stdin = FileHandle.standardInput
                var pending: [UInt8] = []
                while true {
                    let chunk = stdin.availableData
                    if chunk.isEmpty { break }
                    pending += chunk
                    let whole = pending.count - pending.count % sender.frameBytes
                    if whole > 0 {
                        let sent = try await sender.send(Array(pending[..<whole]), outbound: outbound)
                        await outcome.add(messages: sent, seconds: Double(whole) / Double(rate * channels * format.bytesPerSample))
                        pending.removeFirst(whole)
                    }
                }
            }
            try await outbound.close(.normalClosure, reason: "end of floor audio")
        }
        if let failure = await outcome.failure { throw failure }
        if let close, close.closeCode != .normalClosure, let reason = close.reason {
            throw ClientError("the server closed the connection: \(reason)")
        }
        return await outcome.report
    }
}

/// Sends audio in 20 ms messages on a fixed schedule, so the server sees the pace of a live line.
struct PacedSender: Sendable {
    let frameBytes: Int
    let paced: Bool

    func send(_ bytes: [UInt8], outbound: WebSocketOutboundWriter) async throws -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        var index = 0
        while offset < bytes.count {
            try Task.checkCancellation()
            let end = min(bytes.count, offset + frameBytes)
            var buffer = ByteBufferAllocator().buffer(capacity: end - offset)
            buffer.writeBytes(bytes[offset..<end])
            try await outbound.write(.binary(buffer))
            offset = end
            index += 1
            if paced {
                try await clock.sleep(until: start.advanced(by: .milliseconds(20 * index)), tolerance: .milliseconds(1))
            }
        }
        return index
    }
}

private actor IngestOutcome {
    var failure: ClientError?
    var messages = 0
    var seconds = 0.0

    func fail(_ error: ClientError) {
        if failure == nil { failure = error }
    }

    func add(messages: Int, seconds: Double) {
        self.messages += messages
        self.seconds += seconds
    }

    var report: FloorIngest.Report { .init(seconds: seconds, messages: messages) }
}
