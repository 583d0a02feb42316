import DragomanClient
import DragomanCore
import Foundation
import NIOCore

/// A WebSocket client that keeps its connection open and records what the server sends, so a
/// test can act and then wait for the message it expects: a booth console, a dashboard, a listener.
final class TestConsole: Sendable {
    let connection: WebSocketConnection
    private let inbox = Inbox()
    private let reader: Task<Void, Never>

    init(_ server: LiveServer, path: String) async throws {
        connection = try await WebSocketConnection.connect(to: "ws://127.0.0.1:\(server.port)\(path)")
        let (connection, inbox) = (connection, inbox)
        reader = Task {
            do {
                for try await message in connection.messages {
                    switch message {
                    case .text(let text): await inbox.add(text)
                    case .binary(let buffer): await inbox.add(buffer)
                    }
                }
            } catch {}
            await inbox.close(connection.closeFrame?.code)
        }
    }

    deinit { reader.cancel() }

    func send(_ json: String) async throws { try await connection.send(text: json) }

    /// Sends `seconds` of a 440 Hz tone at 48 kHz as 20 ms messages, as fast as the socket takes them.
    func sendTone(seconds: Double, amplitude: Float = 0.5) async throws {
        let frames = Int(seconds * 50)
        for frame in 0..<frames {
            var buffer = ByteBufferAllocator().buffer(capacity: 960 * 2)
            for i in 0..<960 {
                let t = Float(frame * 960 + i) / 48000
                buffer.writeInteger(Int16(amplitude * 32767 * sin(2 * .pi * 440 * t)), endianness: .little)
            }
            try await connection.send(binary: buffer)
        }
    }

    func close() async { await connection.close(reason: "test done") }

    /// Forgets the messages received so far, so that `expect` only sees what comes next.
    func forget() async { await inbox.forget() }

    /// Waits for a text message of `type` that `matches`; fails after `timeout`.
    @discardableResult
    func expect<T: Decodable & Sendable>(_ type: String, as kind: T.Type, timeout: Duration = .seconds(3), where matches: @escaping @Sendable (T) -> Bool = { _ in true }) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = await inbox.first(type: type, as: kind, where: matches) { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ClientError("no '\(type)' message as expected within \(timeout); got: \(await inbox.types)")
    }

    /// Text messages received so far, of `type`.
    func messages<T: Decodable & Sendable>(_ type: String, as kind: T.Type) async -> [T] { await inbox.all(type: type, as: kind) }

    /// Audio packets received so far.
    var packets: [AudioPacketHeader] { get async { await inbox.packets } }

    /// The close code, once the server closed.
    var closeCode: UInt16? { get async { await inbox.closeCode } }

    /// Waits until the server closed the connection; returns its close code.
    func closed(timeout: Duration = .seconds(3)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await inbox.isClosed { return await inbox.closeCode }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ClientError("the server did not close within \(timeout)")
    }
}

private actor Inbox {
    private var texts: [(type: String, data: Data)] = []
    private(set) var packets: [AudioPacketHeader] = []
    private(set) var isClosed = false
    private(set) var closeCode: UInt16?

    func add(_ text: String) {
        let data = Data(text.utf8)
        let type = (try? JSONDecoder().decode(ControlMessages.MessageType.self, from: data).type) ?? "?"
        texts.append((type, data))
    }

    func add(_ buffer: ByteBuffer) {
        if let header = try? buffer.withUnsafeReadableBytes({ try AudioPacketHeader(parsing: $0) }) { packets.append(header) }
    }

    func close(_ code: UInt16?) {
        isClosed = true
        closeCode = code
    }

    var types: [String] { texts.map(\.type) }

    func forget() {
        texts = []
        packets = []
    }

    func first<T: Decodable & Sendable>(type: String, as kind: T.Type, where matches: (T) -> Bool) -> T? {
        texts.lazy.filter { $0.type == type }.compactMap { try? JSONDecoder().decode(kind, from: $0.data) }.first(where: matches)
    }

    func all<T: Decodable & Sendable>(type: String, as kind: T.Type) -> [T] {
        texts.filter { $0.type == type }.compactMap { try? JSONDecoder().decode(kind, from: $0.data) }
    }
}
