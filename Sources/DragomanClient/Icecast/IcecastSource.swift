import Foundation
public import NIOCore
public import NIOPosix

/// One source connection to an Icecast mount (Icecast ≥ 2.4): an HTTP `PUT` of `audio/ogg`
/// whose body is the live stream, for as long as the connection lasts.
///
/// ```swift
/// let source = try await IcecastSource.connect(to: IcecastMount("http://source:hackme@127.0.0.1:8000/ru.ogg"))
/// _ = source.send(oggPages)
/// await source.waitUntilClosed()
/// ```
///
/// It does not reconnect: `ChannelRelay` decides when to try again.
public final class IcecastSource: Sendable {
    /// The mount this connection feeds.
    public let mount: IcecastMount
    private let channel: any Channel

    private init(mount: IcecastMount, channel: any Channel) {
        self.mount = mount
        self.channel = channel
    }

    /// Connects, sends the source request and waits until Icecast accepts it.
    ///
    /// No `Expect: 100-continue`: Icecast 2.4 answers a plain `PUT` with `200 OK` as soon as it
    /// has checked the credentials, and the body (the stream) only starts after that answer.
    ///
    /// - Parameter timeout: for the TCP connection and, again, for Icecast's answer.
    /// - Throws: `IcecastRefusal` when Icecast answers with an error status (wrong password,
    ///   mount in use); `ClientError` when it cannot be reached or does not answer.
    public static func connect(
        to mount: IcecastMount,
        info: IcecastStreamInfo = .init(),
        timeout: TimeAmount = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> IcecastSource {
        let credentials = Data("\(mount.user):\(mount.password)".utf8).base64EncodedString()
        let request =
            "PUT \(mount.path) HTTP/1.1\r\nHost: \(mount.host):\(mount.port)\r\nAuthorization: Basic \(credentials)\r\n"
            + "User-Agent: Dragoman\r\nContent-Type: audio/ogg\r\n\(info.headerLines)\r\n"
        let answered = group.next().makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                // A few seconds of audio at most may wait for a slow Icecast; beyond that pages are dropped
                // (see `send`), so that the stream resumes at the live edge instead of lagging ever more.
                .channelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 8 * 1024, high: 32 * 1024))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            IcecastSourceHandler(
                                request: ByteBuffer(string: request),
                                mount: mount,
                                answered: answered,
                                timeout: timeout
                            )
                        )
                    }
                }
                .connect(host: mount.host, port: mount.port).get()
        } catch {
            answered.fail(error)  // nothing else completes it: the handler never ran
            throw ClientError("cannot connect to \(mount.host):\(mount.port): \(Self.explain(error, port: mount.port))")
        }
        do {
            try await answered.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return IcecastSource(mount: mount, channel: channel)
    }

    /// Sends bytes (whole Ogg pages) without waiting for them to leave.
    ///
    /// - Returns: false, having dropped them, when the connection is gone or Icecast has not
    ///   taken the last few seconds yet: live audio that cannot be delivered now is better lost
    ///   than delivered ever later.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard channel.isActive, channel.isWritable else { return false }
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        return true
    }

    /// Whether the connection is still open.
    public var isConnected: Bool { channel.isActive }

    /// Whether Icecast is taking what is sent (false while the write buffer is full or after the connection closed).
    public var isAcceptingData: Bool { channel.isActive && channel.isWritable }

    /// Returns when the connection has closed; cancelling the waiting task closes it.
    public func waitUntilClosed() async {
        let channel = self.channel
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Closes the connection; Icecast then ends the source (or hands the mount's listeners to a fallback mount).
    public func close() {
        channel.close(promise: nil)
    }

    /// A connection error in the words a technician needs.
    private static func explain(_ error: any Error, port: Int) -> String {
        var underlying: any Error = error
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            underlying = first.error
        }
        if let io = underlying as? IOError, io.errnoCode == ECONNREFUSED {
            return "connection refused: Icecast is not running, or listens on another port than \(port)"
        }
        if case ChannelError.connectTimeout = underlying {
            return "no answer — check the address and any firewall in between"
        }
        if let connection = error as? NIOConnectionError, connection.dnsAError != nil || connection.dnsAAAAError != nil,
            connection.connectionErrors.isEmpty
        {
            return "the host name does not resolve"
        }
        return "\(underlying)"
    }
}

/// Sends the source request when connected, reads Icecast's answer, then ignores what Icecast sends.
private final class IcecastSourceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingAnswer
        /// An error status came; its body is being collected for the message.
        case refused(status: Int, reason: String)
        case streaming
    }

    private let request: ByteBuffer
    private let mount: IcecastMount
    private let answered: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var state = State.awaitingAnswer
    private var buffer = ByteBuffer()
    private var deadline: Scheduled<Void>?
    private var isSettled = false

    init(request: ByteBuffer, mount: IcecastMount, answered: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.request = request
        self.mount = mount
        self.answered = answered
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        let channel = context.channel
        let seconds = timeout.nanoseconds / 1_000_000_000
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.settle(
                .failure(
                    ClientError(
                        "Icecast at \(self.mount.host):\(self.mount.port) accepted the connection but did not answer the source request within \(seconds) s"
                    )
                )
            )
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        switch state {
        case .awaitingAnswer:
            buffer.writeBuffer(&incoming)
            readAnswer(context: context)
        case .refused:
            buffer.writeBuffer(&incoming)
            // Icecast closes after its short error body; this only bounds a misbehaving server.
            if buffer.readableBytes >= 1024 { finishRefusal(context: context) }
        case .streaming:
            break  // Icecast sends nothing meaningful to a source after accepting it
        }
    }

    private func readAnswer(context: ChannelHandlerContext) {
        while case .awaitingAnswer = state {
            guard let end = buffer.readableBytesView.firstRange(of: [13, 10, 13, 10]) else {
                if buffer.readableBytes > 16 * 1024 {
                    settle(.failure(ClientError("\(mount.host):\(mount.port) answered with an HTTP header over 16 KiB; is it an Icecast server?")))
                    context.close(promise: nil)
                }
                return
            }
            let head = buffer.readString(length: end.upperBound - buffer.readableBytesView.startIndex) ?? ""
            let statusLine = head.split(separator: "\r\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                settle(
                    .failure(ClientError("\(mount.host):\(mount.port) did not answer in HTTP ('\(statusLine.prefix(80))'); is it an Icecast server?"))
                )
                context.close(promise: nil)
                return
            }
            switch status {
            case 100..<200:
                continue  // an interim answer (100 Continue) some servers send anyway: the real one follows
            case 200..<300:
                state = .streaming
                buffer = ByteBuffer()
                settle(.success(()))
            default:
                state = .refused(status: status, reason: parts.count > 2 ? String(parts[2]) : "")
                if buffer.readableBytes >= 1024 { finishRefusal(context: context) }
            }
        }
    }

    private func finishRefusal(context: ChannelHandlerContext) {
        guard case .refused(let status, let reason) = state else { return }
        let body = buffer.readString(length: min(buffer.readableBytes, 1024)) ?? ""
        settle(.failure(IcecastRefusal(status: status, reason: reason, body: body, mount: mount)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .refused:
            finishRefusal(context: context)
        case .awaitingAnswer:
            settle(.failure(ClientError("Icecast at \(mount.host):\(mount.port) closed the connection without answering the source request")))
        case .streaming:
            break
        }
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(.failure(ClientError("the connection to Icecast at \(mount.host):\(mount.port) failed: \(error)")))
        context.close(promise: nil)
    }

    /// Completes the answer once; later outcomes (a close after acceptance) only end the connection.
    private func settle(_ result: Result<Void, any Error>) {
        deadline?.cancel()
        deadline = nil
        guard !isSettled else { return }
        isSettled = true
        answered.completeWith(result)
    }
}
