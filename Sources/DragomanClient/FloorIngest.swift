public import DragomanAudio
import DragomanCore
import Foundation
import NIOCore

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
    /// Called once the server accepted the floor, right before the first audio is sent.
    public var onAudioStart: (@Sendable () -> Void)?

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
    public func run() async throws -> Report {
        let (rate, channels, format): (Int, Int, PCMSampleFormat)
        switch source {
        case .audio(let audio): (rate, channels, format) = (audio.sampleRate, audio.channels, .f32le)
        case .standardInput(let r, let c, let f): (rate, channels, format) = (r, c, f)
        }
        guard (1...2).contains(channels) else {
            throw ClientError("the floor takes mono or stereo audio; this has \(channels) channels")
        }
        let url = server.webSocketURL(
            "/ws/floor/\(event)",
            query: [
                ("token", token), ("rate", String(rate)), ("channels", String(channels)), ("format", format.rawValue),
            ]
        )
        let connection = try await WebSocketConnection.connect(to: url)
        let watch = ServerWatch()
        let (accepted, acceptance) = AsyncStream.makeStream(of: ClientError?.self)
        // One reader for everything the server says: first the acceptance (or refusal), then any later refusal.
        let watcher = Task {
            var first = true
            do {
                for try await message in connection.messages {
                    guard case .text(let text) = message else { continue }
                    let error = Self.error(in: text)
                    if first {
                        first = false
                        acceptance.yield(error)
                    } else if let error {
                        await watch.refuse(error)
                    }
                }
            } catch {}
            if first { acceptance.yield(ClientError("the server closed the connection before accepting the floor")) }
            acceptance.finish()
            await watch.closed()
        }
        defer { watcher.cancel() }
        // A server that upgrades but never answers must not leave the technician waiting forever.
        let silence = Task {
            try await Task.sleep(for: .seconds(10))
            acceptance.yield(ClientError("the server accepted the connection but did not answer within 10 s"))
        }
        defer { silence.cancel() }
        for await refusal in accepted {
            if let refusal { throw refusal }
            break
        }

        let sender = PacedSender(frameBytes: rate / 50 * channels * format.bytesPerSample, paced: paced, connection: connection, watch: watch)
        var report = Report(seconds: 0, messages: 0)
        switch source {
        case .audio(let audio):
            let bytes = PCMEncoding.f32le(audio.samples)
            // Only now does audio go out: a timeline started earlier would run ahead by the conversion time.
            onAudioStart?()
            repeat {
                report.messages += try await sender.send(bytes)
                report.seconds += audio.duration
            } while loop && !Task.isCancelled
        case .standardInput:
            onAudioStart?()
            var pending: [UInt8] = []
            while !Task.isCancelled {
                let chunk = FileHandle.standardInput.availableData
                if chunk.isEmpty { break }
                pending += chunk
                let whole = pending.count - pending.count % sender.frameBytes
                if whole > 0 {
                    report.messages += try await sender.send(Array(pending[..<whole]))
                    report.seconds += Double(whole) / Double(rate * channels * format.bytesPerSample)
                    pending.removeFirst(whole)
                }
            }
        }
        await connection.close(reason: "end of floor audio")
        return report
    }

    static func error(in text: String) -> ClientError? {
        guard let message = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data(text.utf8)), message.type == "error" else {
            return nil
        }
        return ClientError(server: message)
    }
}

/// Sends audio in 20 ms messages on a fixed schedule, so the server sees the pace of a live line.
struct PacedSender: Sendable {
    let frameBytes: Int
    let paced: Bool
    let connection: WebSocketConnection
    let watch: ServerWatch

    /// Sends `bytes` in 20 ms messages; stops with the server's reason if it refuses or goes away.
    func send(_ bytes: [UInt8]) async throws -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        var index = 0
        while offset < bytes.count {
            try Task.checkCancellation()
            try await watch.check()
            let end = min(bytes.count, offset + frameBytes)
            var buffer = ByteBufferAllocator().buffer(capacity: end - offset)
            buffer.writeBytes(bytes[offset..<end])
            try await connection.send(binary: buffer)
            offset = end
            index += 1
            if paced {
                try await clock.sleep(until: start.advanced(by: .milliseconds(20 * index)), tolerance: .milliseconds(1))
            }
        }
        return index
    }
}

/// What the server said while the floor is being sent.
actor ServerWatch {
    private var refusal: ClientError?
    private var isClosed = false

    func refuse(_ error: ClientError) {
        if refusal == nil { refusal = error }
    }

    func closed() { isClosed = true }

    /// Throws the server's refusal, or that it closed the connection.
    func check() throws {
        if let refusal { throw refusal }
        if isClosed { throw ClientError("the server closed the connection") }
    }
}
