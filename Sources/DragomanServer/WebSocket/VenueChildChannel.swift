import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// Each connection of the venue server: the connection guard first, then HTTP/1 with a WebSocket
/// upgrade that a `route` decides.
///
/// HTTP requests and WebSocket sessions run as a task each, as Hummingbird's own child channel
/// runs them. A listener does not: after the upgrade it lives on its event loop as channel
/// handlers only (`WebSocketRoute.onEventLoop`), so a room of thousands holds no task, task
/// stack or async stream per phone, and its connection's task ends with the upgrade.
struct VenueChildChannel: ServerChildChannel, HTTPChannelHandler {
    /// What a connection turned out to be.
    enum Outcome: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// A WebSocket upgrade request that the upgrade itself refused (bad headers): a 400 and a close.
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case session(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, WebSocketDataHandler<WebSocketSessionContext>)
        /// Handlers own the connection now; nothing is left for a task to do.
        case onEventLoop
    }

    struct Value: ServerChildChannelValue {
        let outcome: EventLoopFuture<Outcome>
        let channel: any Channel
    }

    typealias Route = @Sendable (HTTPRequest, any Channel, Logger) async throws -> WebSocketRoute

    let responder: HTTPChannelHandler.Responder
    let webSocket: WebSocketServerConfiguration
    let admission: ConnectionAdmission
    let route: Route

    init(
        responder: @escaping HTTPChannelHandler.Responder,
        webSocket: WebSocketServerConfiguration,
        admission: ConnectionAdmission,
        route: @escaping Route
    ) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.webSocket = webSocket
        self.admission = admission
        self.route = route
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(admission: admission))
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let chosen = NIOLockedValueBox<WebSocketRoute?>(nil)
            let route = self.route
            let upgrader = NIOTypedWebSocketServerUpgrader<Outcome>(
                maxFrameSize: webSocket.maxFrameSize,
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    let request: HTTPRequest
                    do {
                        request = try HTTPRequest(head, secure: false, splitCookie: false)
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                    let decided = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    decided.completeWithTask {
                        let webSocketRoute = try await route(request, channel, logger)
                        if case .notWebSocket = webSocketRoute { return nil }
                        chosen.withLockedValue { $0 = webSocketRoute }
                        return [:]
                    }
                    return decided.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        switch chosen.withLockedValue({ $0 }) {
                        case .onEventLoop(let install):
                            try install(channel)
                            return .onEventLoop
                        case .session(let handler):
                            let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                                wrappingChannelSynchronously: channel,
                                configuration: .init(isOutboundHalfClosureEnabled: true)
                            )
                            return .session(asyncChannel, handler)
                        case .notWebSocket, nil:
                            preconditionFailure("upgraded without a route")
                        }
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Outcome>(
                upgradeConfiguration: .init(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                            let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                                wrappingChannelSynchronously: channel,
                                configuration: .init(isOutboundHalfClosureEnabled: true)
                            )
                            return upgradeAttempted.value ? .failedUpgrade(http) : .http(http)
                        }
                    }
                )
            )
            configuration.enablePipelining = false  // the async channel takes one request after another
            configuration.enableErrorHandling = false  // Hummingbird answers parse errors itself
            configuration.enableResponseHeaderValidation = false  // HTTPTypes has validated them
            let outcome = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(outcome: outcome, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.outcome.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .failedUpgrade(let http):
                await Self.answerFailedUpgrade(http)
            case .session(let asyncChannel, let handler):
                _ = try? await WebSocketHandler.handle(
                    type: .server,
                    configuration: .init(
                        extensions: [],
                        autoPing: webSocket.autoPing,
                        closeTimeout: webSocket.closeTimeout,
                        validateUTF8: webSocket.validateUTF8,
                        maxFrameSize: webSocket.maxFrameSize
                    ),
                    asyncChannel: asyncChannel,
                    context: WebSocketSessionContext(logger: logger),
                    handler: handler
                )
            case .onEventLoop:
                return  // the connection's handlers close it when it is done
            }
        } catch {
            logger.debug("Connection ended before its request was handled", metadata: ["error": "\(error)"])
        }
        // A request the HTTP parser gave up on can leave the connection open with nobody reading it.
        try? await value.channel.close()
    }

    private static func answerFailedUpgrade(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>) async {
        try? await http.executeThenClose { _, outbound in
            let response = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
            try await outbound.write(contentsOf: [.head(response), .end(nil)])
        }
    }

    /// NIO looks for an upgrade on a connection's first request only. A WebSocket request that comes after
    /// another request on a kept-alive connection is sent back to its own URL on a new connection.
    private static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct ClosingAfterRedirect: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                try await responder(request, writer, channel)
                return
            }
            let target = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: target]))
            throw ClosingAfterRedirect()
        }
    }
}
