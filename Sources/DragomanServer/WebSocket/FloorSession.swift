import DragomanAudio
import DragomanCore
import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The floor publisher's WebSocket after the upgrade: raw PCM in, one Opus packet per
/// 20 ms out to every channel that carries the floor.
struct FloorSession: Sendable {
    /// The largest audio message a publisher may send.
    static let maximumMessageSize = 64 * 1024

    let event: LiveEvent
    let format: FloorFormat
    let bitrate: Int

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let claim: ConnectionID
        do {
            claim = try event.claimFloor()
        } catch {
            await WebSocketRefusal.refuse(error, outbound: outbound)
            return
        }
        defer { event.releaseFloor(claim) }

        var feed = try SourceFeed(event: event, source: .floor, speaker: nil, format: format, bitrate: bitrate)
        try await outbound.write(
            .text(try JSONText.encode(ControlMessages.Publishing(event: event.definition.code.value, sampleRate: format.sampleRate)))
        )

        for try await message in inbound.messages(maxSize: Self.maximumMessageSize) {
            switch message {
            case .binary(let buffer):
                let ingest = event.clock.nowMicros()
                guard buffer.readableBytes <= Self.maximumMessageSize else {
                    await WebSocketRefusal.refuse(
                        ProtocolError(
                            .tooLarge,
                            "An audio message may be at most \(Self.maximumMessageSize) bytes; this one had \(buffer.readableBytes)."
                        ),
                        outbound: outbound
                    )
                    return
                }
                do {
                    try feed.push(Array(buffer.readableBytesView), ingestMicros: ingest)
                } catch {
                    await WebSocketRefusal.refuse(ProtocolError(.badMessage, "\(error)"), outbound: outbound)
                    return
                }
            case .text:
                // The publisher has nothing to say yet; unknown text is ignored, as the protocol asks.
                continue
            }
        }
        // The publisher ended cleanly: the audio still inside the resampler and the last partial frame go out too.
        try feed.finish(ingestMicros: event.clock.nowMicros())
    }
}
