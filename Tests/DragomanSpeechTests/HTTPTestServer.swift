import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A local HTTP/1.1 server on a free port whose answers a test scripts: what a real engine answers
/// (status, headers, body, a stream of chunks) and how engines fail (never answering, dying mid-stream).
final class HTTPTestServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    enum Reply: Sendable {
        /// A complete answer.
        case respond(status: Int, headers: [(String, String)], body: String)
        /// Headers, then each chunk flushed on its own; `dieAfter` closes the connection after that many
        /// chunks without ending the body.
        case stream(status: Int, contentType: String, chunks: [String], dieAfter: Int?)
        /// Headers and `chunks`, then nothing more, with the connection left open.
        case stall(contentType: String, chunks: [String])
        /// Never answers.
        case hang

        static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
            .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    typealias Handler = @Sendable (Request) -> Reply

    let channel: any Channel
    let received = NIOLockedValueBox<[Request]>([])
    var port: Int { channel.localAddress?.port ?? 0 }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { received.withLockedValue { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(_ handler: @escaping Handler) async throws -> HTTPTestServer {
        let box = NIOLockedValueBox<HTTPTestServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        Connection(handler: handler) { request in box.withLockedValue { $0?.received.withLockedValue { $0.append(request) } } }
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = HTTPTestServer(channel: channel)
        box.withLockedValue { $0 = server }
        return server
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let handler: Handler
        let record: @Sendable (Request) -> Void
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(handler: @escaping Handler, record: @escaping @Sendable (Request) -> Void) {
            self.handler = handler
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
                record(request)
                reply(handler(request), context: context)
            }
        }

        func reply(_ reply: Reply, context: ChannelHandlerContext) {
            switch reply {
            case .hang:
                return
            case .stall(let contentType, let chunks):
                let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Type": contentType])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                for chunk in chunks { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil) }
                context.flush()
            case .respond(let status, let headers, let text):
                var fields = HTTPHeaders(headers)
                fields.replaceOrAdd(name: "Content-Length", value: String(text.utf8.count))
                let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .stream(let status, let contentType, let chunks, let dieAfter):
                let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: ["Content-Type": contentType])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                for (index, chunk) in chunks.enumerated() {
                    if let dieAfter, index >= dieAfter {
                        context.flush()
                        context.close(promise: nil)
                        return
                    }
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
                }
                if let dieAfter, dieAfter <= chunks.count {
                    context.close(promise: nil)
                    return
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
