public import DragomanClient
public import DragomanCore
import Foundation
import NIOCore

/// A WebSocket client that keeps its connection open and records what the server sends, so a
/// test can act and then wait for the message it expects: a booth console, a dashboard, a listener.
public final class TestClient: Sendable {
    public let connection: WebSocketConnection
    private let inbox = Inbox()
    private let reader: Task<Void, Never>

    public init(_ server: LiveServer, path: String) async throws {
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

    public func send(_ json: String) async throws { try await connection.send(text: json) }

    /// Sends `seconds` of a 440 Hz tone at 48 kHz as 20 ms messages, as fast as the socket takes them.
    public func sendTone(seconds: Double, amplitude: Float = 0.5) async throws {
        for frame in TestSignal.toneFrames(seconds: seconds, amplitude: amplitude) {
            try await connection.send(binary: ByteBuffer(bytes: frame))
        }
    }

    public func close() async { await connection.close(reason: "test done") }

    /// Forgets the messages received so far, so that `expect` only sees what comes next.
    public func forget() async { await inbox.forget() }

    /// Waits for a text message of `type` that `matches`; fails after `timeout`.
    @discardableResult
    public func expect<T: Decodable & Sendable>(
        _ type: String,
        as kind: T.Type,
        timeout: Duration = Waiting.defaultTimeout,
        where matches: @escaping @Sendable (T) -> Bool = { _ in true }
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = await inbox.first(type: type, as: kind, where: matches) { return found }
            try await Task.sleep(for: Waiting.pollInterval)
        }
        throw ClientError("no '\(type)' message as expected within \(timeout); got: \(await inbox.types)")
    }

    /// Text messages received so far, of `type`.
    public func messages<T: Decodable & Sendable>(_ type: String, as kind: T.Type) async -> [T] { await inbox.all(type: type, as: kind) }

    /// Audio packets received so far.
    public var packets: [AudioPacketHeader] { get async { await inbox.packets } }

    /// A message as it arrived: a control message by its type, or audio with the number of packets it held.
    public enum Arrival: Equatable, Sendable {
        case text(String)
        case audio(packets: Int)
    }

    /// Every message so far, in the order it arrived.
    public var arrivals: [Arrival] { get async { await inbox.arrivals } }

    /// Waits until at least `count` audio packets arrived; returns them.
    @discardableResult
    public func packets(atLeast count: Int, timeout: Duration = Waiting.defaultTimeout) async throws -> [AudioPacketHeader] {
        try await wait("\(count) audio packets", timeout: timeout) { await self.inbox.packets.count >= count }
        return await inbox.packets
    }

    /// The close code, once the server closed.
    public var closeCode: UInt16? { get async { await inbox.closeCode } }

    /// Waits until the server closed the connection; returns its close code.
    public func closed(timeout: Duration = Waiting.defaultTimeout) async throws -> UInt16? {
        try await wait("the server to close", timeout: timeout) { await self.inbox.isClosed }
        return await inbox.closeCode
    }
}

private actor Inbox {
    private var texts: [(type: String, data: Data)] = []
    private(set) var packets: [AudioPacketHeader] = []
    private(set) var arrivals: [TestClient.Arrival] = []
    private(set) var isClosed = false
    private(set) var closeCode: UInt16?

    func add(_ text: String) {
        let data = Data(text.utf8)
        let type = (try? JSONDecoder().decode(ControlMessages.MessageType.self, from: data).type) ?? "?"
        texts.append((type, data))
        arrivals.append(.text(type))
    }

    func add(_ buffer: ByteBuffer) {
        if let found = try? buffer.withUnsafeReadableBytes({ try AudioMessage.packets(in: $0) }) {
            packets.append(contentsOf: found.map(\.header))
            arrivals.append(.audio(packets: found.count))
        }
    }

    func close(_ code: UInt16?) {
        isClosed = true
        closeCode = code
    }

    var types: [String] { texts.map(\.type) }

    func forget() {
        texts = []
        packets = []
        arrivals = []
    }

    func first<T: Decodable & Sendable>(type: String, as kind: T.Type, where matches: (T) -> Bool) -> T? {
        texts.lazy.filter { $0.type == type }.compactMap { try? JSONDecoder().decode(kind, from: $0.data) }.first(where: matches)
    }

    func all<T: Decodable & Sendable>(type: String, as kind: T.Type) -> [T] {
        texts.filter { $0.type == type }.compactMap { try? JSONDecoder().decode(kind, from: $0.data) }
    }
}
