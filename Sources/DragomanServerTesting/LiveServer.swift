public import DragomanClient
public import DragomanCore
public import DragomanServer
import Foundation
import Logging
public import NIOCore

/// A real server on a free loopback port with a throw-away data folder, for tests that use
/// real sockets:
///
/// ```swift
/// try await LiveServer.with { server in
///     let event = try server.createEvent()
///     let listener = try await server.listener(event, channel: "ru")
///     try await server.venue.events.setFloorLanguage(kk, of: server.live(event), at: 1)
///     try await listener.expect("alert", as: ControlMessages.Alert.self)
/// }
/// ```
public struct LiveServer: Sendable {
    public let port: Int
    public let organizerToken = "test-organizer-token"
    public let venue: VenueServer
    private let task: Task<Void, any Error>

    /// The server's HTTP address, for the clients of DragomanClient.
    public var address: ServerAddress { try! ServerAddress("http://127.0.0.1:\(port)") }

    /// Starts a server, runs `body` with it, and stops it.
    public static func with(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration(
            host: "127.0.0.1",
            port: 0,
            tlsPort: nil,
            dataDirectory: directory,
            organizerToken: "test-organizer-token",
            publicHost: "127.0.0.1"
        )
        configure(&configuration)
        let venue = try VenueServer(configuration: configuration, logger: logger)
        let (ready, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await venue.run { continuation.yield($0.httpPort) } }
        defer { task.cancel() }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ClientError("the server did not start") }
        try await body(LiveServer(port: port, venue: venue, task: task))
    }

    /// Stops the server (its task is cancelled) and waits until it has.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Creates an event directly in the server's store; `machine`: the languages with a machine booth.
    public func createEvent(
        languages: [String] = ["ru", "kk", "en"],
        machine: [String] = [],
        pin: String? = nil
    ) throws
        -> NewEvent
    {
        try venue.events.create(
            name: "Test summit",
            languages: languages.map { LanguageTag($0)! },
            machineBooths: machine.map { LanguageTag($0)! },
            pin: pin,
            now: 0
        )
    }

    /// The live state of a stored event.
    public func live(_ event: NewEvent) throws -> LiveEvent {
        guard let live = try venue.events.event(event.code) else { throw ClientError("event \(event.code) is not stored") }
        return live
    }

    /// Makes an interpreter for `booth` of `event`; their key opens the console.
    public func interpreter(_ name: String, booth: String, of event: NewEvent) throws -> NewInterpreter {
        try venue.events.createInterpreter(name: name, booth: LanguageTag(booth)!, in: live(event), now: 0)
    }

    /// A floor publisher for `event` that sends `seconds` of a tone at real-time pace when run.
    public func floorIngest(_ event: NewEvent, seconds: Double) -> FloorIngest {
        FloorIngest(server: address, event: event.code.value, token: event.floorToken, source: .audio(TestSignal.tone(seconds: seconds)))
    }

    /// Publishes `seconds` of a tone as the floor of `event`, at real-time pace; returns when it is all sent.
    @discardableResult
    public func publishFloor(_ event: NewEvent, seconds: Double) async throws -> FloorIngest.Report {
        try await floorIngest(event, seconds: seconds).run()
    }

    /// A listener on `channel`, connected and greeted.
    public func listener(_ event: NewEvent, channel: String = "floor", query: String = "") async throws -> TestClient {
        let client = try await TestClient(self, path: "/ws/listen/\(event.code)?channel=\(channel)\(query.isEmpty ? "" : "&" + query)")
        try await client.expect("carrying", as: ControlMessages.CarryingMessage.self)
        return client
    }

    /// An interpreter console, connected and welcomed.
    public func console(_ interpreter: NewInterpreter, of event: NewEvent) async throws -> TestClient {
        let client = try await TestClient(self, path: "/ws/booth/\(event.code)?key=\(interpreter.key)")
        try await client.expect("booth-welcome", as: ControlMessages.BoothWelcome.self)
        return client
    }

    /// An organizer dashboard, connected, with its first snapshot received.
    public func dashboard(_ event: NewEvent) async throws -> TestClient {
        let client = try await TestClient(self, path: "/ws/dashboard/\(event.code)?token=\(organizerToken)")
        try await client.expect("dashboard", as: ControlMessages.Dashboard.self)
        return client
    }

    /// Opens a WebSocket, sends `messages`, and collects what the server sent until it closed (or `timeout`).
    ///
    /// `until`, when given, ends the exchange as soon as what arrived satisfies it (the test then closes), so a test
    /// waits for what it needs rather than for a guess at how long that takes.
    public func exchange(
        _ path: String,
        send messages: [Outgoing] = [],
        timeout: Duration = Waiting.defaultTimeout,
        until enough: (@Sendable (Exchange) -> Bool)? = nil
    ) async throws -> Exchange {
        let connection = try await WebSocketConnection.connect(to: "ws://127.0.0.1:\(port)\(path)")
        for message in messages {
            switch message {
            case .text(let text): try await connection.send(text: text)
            case .binary(let buffer): try await connection.send(binary: buffer)
            }
        }
        let deadline = Task {
            try await Task.sleep(for: timeout)
            await connection.close(reason: "test timeout")
        }
        defer { deadline.cancel() }
        var texts: [String] = []
        var binaries: [ByteBuffer] = []
        var closing = false
        for try await message in connection.messages {
            switch message {
            case .text(let text): texts.append(text)
            case .binary(let buffer): binaries.append(buffer)
            }
            if !closing, let enough, enough(Exchange(texts: texts, binaries: binaries, closeCode: nil)) {
                closing = true
                await connection.close(reason: "test done")
            }
        }
        return Exchange(texts: texts, binaries: binaries, closeCode: connection.closeFrame?.code)
    }

    /// A message a test client sends.
    public enum Outgoing: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    public struct Exchange: Sendable {
        public init(texts: [String], binaries: [ByteBuffer], closeCode: UInt16?) {
            self.texts = texts
            self.binaries = binaries
            self.closeCode = closeCode
        }

        public var texts: [String]
        public var binaries: [ByteBuffer]
        /// The close code the server sent (1000 when the test itself closed and the server answered).
        public var closeCode: UInt16?

        /// The `type` of each text message, in order.
        public var types: [String] {
            texts.compactMap { try? JSONDecoder().decode(ControlMessages.MessageType.self, from: Data($0.utf8)).type }
        }

        /// The `code` of the first error message.
        public var errorCode: String? {
            texts.lazy.compactMap { try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data($0.utf8)) }.first { $0.type == "error" }?
                .code
        }
    }
}
