import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
public import NIOSSL
import NIOWebSocket

/// A WebSocket client connection for Dragoman's command-line clients, on Hummingbird's WebSocket client.
///
/// `WebSocketClient.connect` runs a closure for the life of the connection; this class turns that into a
/// connection object: a task runs `connect`, its closure hands back the writer and forwards every message to
/// `messages`, and what `connect` returns is the server's close frame. The upgrade response and the frames that
/// come in the same bytes (Dragoman refuses a request by accepting the upgrade and sending an error and a close
/// at once) are kept apart by NIO's HTTP client upgrader, which forwards what follows the response.
///
/// ```swift
/// let connection = try await WebSocketConnection.connect(to: "ws://127.0.0.1:8080/ws/listen/K7QM2X")
/// for try await message in connection.messages { … }
/// ```
public final class WebSocketConnection: Sendable {
    /// A complete data message.
    public enum Message: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// The close frame the server sent.
    public struct CloseFrame: Sendable, Equatable {
        public var code: UInt16?
        public var reason: String
    }

    /// Messages in arrival order; the stream finishes when the connection closes.
    public let messages: AsyncThrowingStream<Message, any Error>
    private let outbound: WebSocketOutboundWriter
    private let closeState: NIOLockedValueBox<CloseFrame?>
    private let session: Task<Void, Never>

    private init(
        messages: AsyncThrowingStream<Message, any Error>,
        outbound: WebSocketOutboundWriter,
        closeState: NIOLockedValueBox<CloseFrame?>,
        session: Task<Void, Never>
    ) {
        self.messages = messages
        self.outbound = outbound
        self.closeState = closeState
        self.session = session
    }

    /// The server's close frame, once it has come.
    public var closeFrame: CloseFrame? { closeState.withLockedValue { $0 } }

    public struct ConnectError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Connects and upgrades. `url` is `ws://` or `wss://`; with `wss://` the server's certificate is not verified
    /// unless `tls` says otherwise (a venue server usually has a self-signed one).
    public static func connect(
        to url: String,
        tls: TLSConfiguration? = nil,
        maxMessageSize: Int = 1 << 20,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> WebSocketConnection {
        guard let components = URLComponents(string: url), let host = components.host,
            let scheme = components.scheme, ["ws", "wss"].contains(scheme)
        else {
            throw ConnectError(description: "'\(url)' is not a ws:// or wss:// URL")
        }
        let secure = scheme == "wss"
        let port = components.port ?? (secure ? 443 : 80)
        var tlsConfiguration = tls
        if secure, tlsConfiguration == nil {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tlsConfiguration = configuration
        }
        // A server close that does not come within a second of ours is not waited for.
        var configuration = WebSocketClientConfiguration(maxFrameSize: maxMessageSize, closeTimeout: .seconds(1))
        // TLS forbids an IP address as server name, and the library sends the host unless told a name.
        if secure, host.first?.isNumber == true || host.contains(":") { configuration.sniHostname = "dragoman" }

        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Message.self, throwing: (any Error).self)
        let closeState = NIOLockedValueBox<CloseFrame?>(nil)
        let upgraded = group.next().makePromise(of: WebSocketOutboundWriter.self)
        let started = NIOLockedValueBox(false)
        var logger = Logger(label: "dragoman.websocket")
        logger.logLevel = .critical
        let session = Task {
            do {
                let frame = try await WebSocketClient.connect(
                    url: url,
                    configuration: configuration,
                    tlsConfiguration: tlsConfiguration,
                    eventLoopGroup: group,
                    logger: logger
                ) { inbound, outbound, _ in
                    started.withLockedValue { $0 = true }
                    upgraded.succeed(outbound)
                    for try await message in inbound.messages(maxSize: maxMessageSize) {
                        switch message {
                        case .text(let text): continuation.yield(.text(text))
                        case .binary(let buffer): continuation.yield(.binary(buffer))
                        }
                    }
                }
                if let frame {
                    closeState.withLockedValue {
                        $0 = CloseFrame(code: UInt16(webSocketErrorCode: frame.closeCode), reason: frame.reason ?? "")
                    }
                }
                continuation.finish()
            } catch {
                if !started.withLockedValue({ $0 }) {
                    upgraded.fail(
                        error as? WebSocketClientError == .webSocketUpgradeFailed
                            ? ConnectError(description: "the server did not accept the WebSocket")
                            : ConnectError(description: "cannot connect to \(host):\(port): \(error)")
                    )
                }
                if Task.isCancelled || error is CancellationError {
                    continuation.finish()  // abort(): the connection was dropped on purpose
                } else {
                    continuation.finish(throwing: error)
                }
            }
        }
        let outbound = try await withTaskCancellationHandler {
            try await upgraded.futureResult.get()
        } onCancel: {
            session.cancel()
        }
        return WebSocketConnection(messages: stream, outbound: outbound, closeState: closeState, session: session)
    }

    /// Sends a text message.
    public func send(text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// Sends a binary message.
    public func send(binary: ByteBuffer) async throws {
        try await outbound.write(.binary(binary))
    }

    /// Starts the closing handshake; the connection ends when the server answers (or at once if it is gone).
    public func close(code: UInt16 = 1000, reason: String = "") async {
        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
        // A server that does not answer within a second is not waited for.
        let session = self.session
        Task {
            try? await Task.sleep(for: .seconds(1))
            session.cancel()
        }
    }

    /// Ends the connection at once, without waiting for the server. (The library sends a close frame first: it
    /// has no way to drop the connection as a crashed client would.)
    public func abort() async {
        session.cancel()
    }
}
