import DragomanAudio
import DragomanCore

/// The PCM format a floor publisher announced in its URL.
struct FloorFormat: Sendable, Equatable {
    var sampleRate: Int
    var channels: Int
    var sampleFormat: PCMSampleFormat

    /// Reads `rate`, `channels` and `format` from a query, with the protocol's defaults.
    init(sampleRate: Int, channels: Int, sampleFormat: PCMSampleFormat) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
    }

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
