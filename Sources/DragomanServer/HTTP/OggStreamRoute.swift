import DragomanAudio
import DragomanCore
import Hummingbird
import NIOConcurrencyHelpers

/// `GET /stream/{code}/{channel}.ogg`: a channel as a live Ogg/Opus stream over plain HTTP,
/// for browsers that have no secure context (no WebCodecs, no AudioWorklet) but can play
/// `<audio>`. It starts at the live edge: no burst of old audio.
struct OggStreamRoute: Sendable {
    let events: LiveEvents
    let preSkip: Int

    func register(on router: some RouterMethods<VenueRequestContext>) {
        router.get("stream/:code/:file") { request, context in try stream(request, context) }
    }

    private func stream(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        let codeText = context.parameters.get("code") ?? ""
        guard let code = JoinCode(codeText), let event = try events.event(code) else { throw APIError(.unknownEvent(codeText.uppercased())) }
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".ogg") else { throw APIError(.notFound, "Streams are named {channel}.ogg, e.g. /stream/\(code)/floor.ogg.") }
        let channelText = String(file.dropLast(4))
        guard let channel = ChannelID(channelText), let fanout = event.fanout(channel) else {
            throw APIError(.unknownChannel(channelText, in: event.definition))
        }
        let pin = request.uri.queryParameters.get("pin")
        guard event.admits(pin: pin) else {
            throw APIError(.unauthorized, pin == nil ? "Event \(code) needs a PIN: add ?pin=… to the URL." : "Wrong PIN for event \(code).")
        }
        guard !event.definition.confidential else {
            throw APIError(ProtocolError.confidential(event.definition, output: "the Ogg stream /stream/\(code)/\(file)"))
        }

        let preSkip = self.preSkip
        let silence = try OpusEncoder(bitrate: 16000).encode([Float](repeating: 0, count: 960))
        var headers = HTTPFields()
        headers[.contentType] = "audio/ogg; codecs=opus"
        headers[.cacheControl] = "no-cache, no-store"
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                let (id, packets) = fanout.subscribeStream()
                defer { fanout.unsubscribeStream(id) }
                // It may have become confidential since the check above, and before this stream was there to end.
                guard !event.definition.confidential else {
                    try await writer.finish(nil)
                    return
                }
                var ogg = OggOpusWriter(serial: UInt32.random(in: 1...UInt32.max), preSkip: preSkip)
                try await writer.write(ByteBuffer(bytes: ogg.headerPages()))
                for await packet in KeptAlive(packets, silence: silence) {
                    try await writer.write(ByteBuffer(bytes: ogg.page(for: packet)))
                }
                try await writer.finish(nil)
            }
        )
    }
}

/// A channel's packets, with 20 ms of silence every 20 ms while none come (no floor live): the
/// player keeps playing instead of stalling, and a listener who left is noticed at the next write
/// instead of holding its socket until the floor comes back.
private struct KeptAlive: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    /// How long without a packet before silence fills in.
    static let gap: Duration = .milliseconds(500)

    let packets: AsyncStream<ChannelFanout.StreamPacket>
    let silence: [UInt8]

    init(_ packets: AsyncStream<ChannelFanout.StreamPacket>, silence: [UInt8]) {
        self.packets = packets
        self.silence = silence
    }

    func makeAsyncIterator() -> AsyncStream<[UInt8]>.Iterator {
        let (merged, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(25))
        let lastPacket = NIOLockedValueBox(ContinuousClock.now)
        let forward = Task { [packets] in
            for await packet in packets {
                lastPacket.withLockedValue { $0 = .now }
                continuation.yield(packet.opus)
            }
            continuation.finish()
        }
        let filler = Task { [silence] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                if ContinuousClock.now - lastPacket.withLockedValue({ $0 }) > Self.gap { continuation.yield(silence) }
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            filler.cancel()
        }
        return merged.makeAsyncIterator()
    }
}
