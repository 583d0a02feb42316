import DragomanClient
import DragomanCore
import DragomanServer
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket

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
    func exchange(_ path: String, send messages: [WebSocketOutboundWriter.OutboundFrame] = [], timeout: Duration = .seconds(3)) async throws -> Exchange {
        let url = "ws://127.0.0.1:\(port)\(path)"
        let collected = Collected()
        var logger = Logger(label: "client")
        logger.logLevel = .critical
        let close = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger) { inbound, outbound, _ in
            for message in messages { try await outbound.write(message) }
            let deadline = Task {
                try await Task.sleep(for: timeout)
                try? await outbound.close(.normalClosure, reason: "test timeout")
            }
            defer { deadline.cancel() }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                switch message {
                case .text(let text): await collected.add(text: text)
                case .binary(let buffer): await collected.add(binary: buffer)
                }
            }
        }
        return Exchange(texts: await collected.texts, binaries: await collected.binaries, closeCode: close?.closeCode)
    }

    struct Exchange: Sendable {
        var texts: [String]
        var binaries: [ByteBuffer]
        var closeCode: WebSocketErrorCode?

        /// The `type` of each text message, in order.
        var types: [String] {
            texts.compactMap { try? JSONDecoder().decode(ControlMessages.MessageType.self, from: Data($0.utf8)).type }
        }

        /// The `code` of the first error message.
        var errorCode: String? {
            texts.lazy.compactMap { try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: Data($0.utf8)) }.first { $0.type == "error" }?.code
        }

        var closeNumber: Int? {
            closeCode.map { code in
                var buffer = ByteBuffer()
                buffer.write(webSocketErrorCode: code)
                return Int(buffer.readInteger(as: UInt16.self) ?? 0)
            }
        }
    }

    private actor Collected {
        var texts: [String] = []
        var binaries: [ByteBuffer] = []
        func add(text: String) { texts.append(text) }
        func add(binary: ByteBuffer) { binaries.append(binary) }
    }
}
