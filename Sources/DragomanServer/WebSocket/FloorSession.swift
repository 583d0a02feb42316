import DragomanAudio
import DragomanCore
import HummingbirdWebSocket
import NIOWebSocket
import Foundation
import NIOCore

/// The floor publisher's WebSocket after the upgrade: raw PCM in, one Opus packet per
/// 20 ms out to every channel that carries the floor.
struct FloorSession: Sendable {
    /// The largest audio message a publisher may send.
    static let maximumMessageSize = 64 * 1024

    let event: LiveEvent
    let format: FloorFormat
    let bitrate: Int

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let claim: UUID
        do {
            claim = try event.claimFloor()
        } catch {
            await WebSocketRefusal.refuse(error, outbound: outbound)
            return
        }
        defer { event.releaseFloor(claim) }

        var conditioner = try FloorConditioner(inputRate: format.sampleRate, inputChannels: format.channels, format: format.sampleFormat)
        let encoder = try OpusEncoder(bitrate: bitrate)
        try await outbound.write(.text(try JSONText.encode(ControlMessages.Publishing(event: event.definition.code.value, sampleRate: format.sampleRate))))

        for try await message in inbound.messages(maxSize: Self.maximumMessageSize) {
            switch message {
            case .binary(let buffer):
                let ingest = WallClock.nowMicros()
                guard buffer.readableBytes <= Self.maximumMessageSize else {
                    await WebSocketRefusal.refuse(ProtocolError(.tooLarge, "An audio message may be at most \(Self.maximumMessageSize) bytes; this one had \(buffer.readableBytes)."), outbound: outbound)
                    return
                }
                let frames: [[Float]]
                do {
                    frames = try conditioner.push(Array(buffer.readableBytesView))
                } catch {
                    await WebSocketRefusal.refuse(ProtocolError(.badMessage, "\(error)"), outbound: outbound)
                    return
                }
                try publish(frames, encoder: encoder, ingestMicros: ingest)
            case .text:
                // The publisher has nothing to say yet; unknown text is ignored, as the protocol asks.
                continue
            }
        }
        // The publisher ended cleanly: the audio still inside the resampler and the last partial frame go out too.
        try publish(conditioner.finish(), encoder: encoder, ingestMicros: WallClock.nowMicros())
    }

    private func publish(_ frames: [[Float]], encoder: OpusEncoder, ingestMicros: UInt64) throws {
        for frame in frames {
            let packet = try encoder.encode(frame)
            event.publishFloor(opus: packet, pcm: { PCMEncoding.s16le(frame) }, ingestMicros: ingestMicros, peakDB: PeakMeter.peakDB(frame))
        }
    }
}

/// The PCM format a floor publisher announced in its URL.
struct FloorFormat: Sendable, Equatable {
    var sampleRate: Int
    var channels: Int
    var sampleFormat: PCMSampleFormat

    /// Reads `rate`, `channels` and `format` from a query, with the protocol's defaults.
    init(query: [String: String]) throws(ProtocolError) {
        let rateText = query["rate"] ?? "48000"
        guard let rate = Int(rateText), (8000...192_000).contains(rate) else {
            throw ProtocolError(.badRequest, "rate=\(rateText) is not a sample rate between 8000 and 192000 Hz.")
        }
        let channelText = query["channels"] ?? "1"
        guard let channels = Int(channelText), (1...2).contains(channels) else {
            throw ProtocolError(.badRequest, "channels=\(channelText): the floor takes 1 (mono) or 2 (stereo) channels.")
        }
        let formatText = query["format"] ?? "s16le"
        guard let format = PCMSampleFormat(rawValue: formatText) else {
            throw ProtocolError(.badRequest, "format=\(formatText) is not supported; use s16le or f32le.")
        }
        self.sampleRate = rate
        self.channels = channels
        self.sampleFormat = format
    }
}
