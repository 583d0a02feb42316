import DragomanClient
import DragomanCore
import DragomanServer
import Foundation
import Logging
import NIOCore

/// A real server on a free loopback port with a throw-away data folder, for tests that use
/// real sockets: `try await LiveServer.with { server in … }`.
struct LiveServer: Sendable {
    let port: Int
    let organizerToken = "test-organizer-token"
    let venue: VenueServer

    var address: ServerAddress { try! ServerAddress("http://127.0.0.1:\(port)") }

    static func with(_ body: @Sendable (LiveServer) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let venue = try VenueServer(
            configuration: .init(host: "127.0.0.1", port: 0, tlsPort: nil, dataDirectory: directory, organizerToken: "test-organizer-token", publicHost: "127.0.0.1"),
            logger: logger)
        let (ready, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await venue.run { continuation.yield($0.httpPort) } }
        defer { task.cancel() }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ClientError("the server did not start") }
        try await body(LiveServer(port: port, venue: venue))
    }

    /// Creates an event directly in the server's store.
    func createEvent(languages: [String] = ["ru", "kk", "en"], pin: String? = nil) throws -> EventDefinition {
        try venue.events.create(name: "Test summit", languages: languages.map { LanguageTag($0)! }, pin: pin, now: 0)
    }

    /// Opens a WebSocket, sends `messages`, and collects what the server sent until it closed (or `timeout`).
    func exchange(_ path: String, send messages: [Outgoing] = [], timeout: Duration = .seconds(3)) async throws -> Exchange {
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
        for try await message in connection.messages {
            switch message {
            case .text(let text): texts.append(text)
            case .binary(let buffer): binaries.append(buffer)
            }
        }
        return Exchange(texts: texts, binaries: binaries, closeCode: connection.closeFrame?.code)
    }

    /// A message a test client sends.
    enum Outgoing: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    struct Exchange: Sendable {
        var texts: [String]
        var binaries: [ByteBuffer]
        /// The close code the server sent (1000 when the test itself closed and the server answered).
        var closeCode: UInt16?

        /// The `type` of each text message, in order.
        var types: [String] {
            texts.compactMap { try? JSONDecoder().decode(ControlMessages.MessageType.self, from: Data($0.utf8)).type }
        }

        /// The `code` of the first error message.
        var errorCode: String? {
            texts.lazy.compactMap { try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data($0.utf8)) }.first { $0.type == "error" }?.code
        }
    }
}
