import DragomanAudio

/// One 20 ms Opus packet of digital silence, encoded once and sent as often as needed.
///
/// Icecast drops a source that sends nothing for its `<source-timeout>` (10 s by default),
/// and its listeners with it; while the channel is silent (no floor, a server restart) the
/// relay keeps the mount alive with this packet. Repeating one packet is valid Opus and
/// decodes to silence each time (the tests check it), so nothing is encoded per frame.
public enum SilentOpusPacket {
    /// Encodes 20 ms of mono zeros at 48 kHz with the server's Opus settings.
    ///
    /// Mono suits a stereo stream too: an Opus decoder plays a mono packet on both channels.
    public static func make() throws -> [UInt8] {
        let encoder = try OpusEncoder(sampleRate: 48000, channels: 1)
        return try encoder.encode([Float](repeating: 0, count: encoder.frameSize))
    }
}
