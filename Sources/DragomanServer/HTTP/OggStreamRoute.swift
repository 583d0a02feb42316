import DragomanAudio
import DragomanCore
import Hummingbird

/// `GET /stream/{code}/{channel}.ogg`: a channel as a live Ogg/Opus stream over plain HTTP,
/// for browsers that have no secure context (no WebCodecs, no AudioWorklet) but can play
/// `<audio>`. It starts at the live edge: no burst of old audio.
struct OggStreamRoute: Sendable {
    let events: LiveEvents
    let preSkip: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("stream/:code/:file") { request, context in try stream(request, context) }
    }

    private func stream(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let codeText = context.parameters.get("code") ?? ""
        guard let code = JoinCode(codeText), let event = try events.event(code) else { throw APIError(.unknownEvent(codeText.uppercased())) }
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".ogg") else { throw APIError(.notFound, "Streams are named {channel}.ogg, e.g. /stream/\(code)/floor.ogg.") }
        let channelText = String(file.dropLast(4))
        guard let channel = ChannelID(channelText), let fanout = event.fanout(channel) else {
            throw APIError(.unknownChannel(channelText, in: event.definition))
        }
        let pin = request.uri.queryParameters.get("pin")
        guard event.definition.admits(pin: pin) else {
            throw APIError(.unauthorized, pin == nil ? "Event \(code) needs a PIN: add ?pin=… to the URL." : "Wrong PIN for event \(code).")
        }

        let preSkip = self.preSkip
        var headers = HTTPFields()
        headers[.contentType] = "audio/ogg; codecs=opus"
        headers[.cacheControl] = "no-cache, no-store"
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                let (id, packets) = fanout.subscribeStream()
                defer { fanout.unsubscribeStream(id) }
                var ogg = OggOpusWriter(serial: UInt32.random(in: 1...UInt32.max), preSkip: preSkip)
                try await writer.write(ByteBuffer(bytes: ogg.headerPages()))
                for await packet in packets {
                    try await writer.write(ByteBuffer(bytes: ogg.page(for: packet.opus)))
                }
                try await writer.finish(nil)
            }
        )
    }
}
