import DragomanAudio
import DragomanCore

/// One source's audio on its way in — the floor from its publisher, or an interpreter's
/// microphone: conditioned (any rate to 48 kHz mono, limiter), cut into 20 ms frames, and each
/// frame encoded once and sent wherever the event routes that source now.
///
/// The floor and every booth go through this one path; only the source and the speaker differ.
struct SourceFeed {
    let event: LiveEvent
    let source: ChannelSource
    /// The interpreter whose microphone this is; nil for the floor.
    let speaker: InterpreterID?
    private var conditioner: FloorConditioner
    private let encoder: OpusEncoder
    /// A 20 ms frame of silence at 48 kHz, sent while the live interpreter holds the cough key.
    private static let silence = [Float](repeating: 0, count: 960)

    /// Takes samples already decoded (a machine's voice), received at `ingestMicros`.
    mutating func push(samples: [Float], ingestMicros: UInt64) throws {
        try push(PCMEncoding.f32le(samples), ingestMicros: ingestMicros)
    }

    init(event: LiveEvent, source: ChannelSource, speaker: InterpreterID?, format: FloorFormat, bitrate: Int) throws {
        self.event = event
        self.source = source
        self.speaker = speaker
        conditioner = try FloorConditioner(inputRate: format.sampleRate, inputChannels: format.channels, format: format.sampleFormat)
        encoder = try OpusEncoder(bitrate: bitrate)
    }

    /// Takes raw PCM as the client sent it, received at `ingestMicros`.
    mutating func push(_ bytes: [UInt8], ingestMicros: UInt64) throws {
        try send(conditioner.push(bytes), ingestMicros: ingestMicros)
    }

    /// Sends what is still inside the resampler and the last partial frame (the source ended cleanly).
    mutating func finish(ingestMicros: UInt64) throws {
        try send(conditioner.finish(), ingestMicros: ingestMicros)
    }

    private func send(_ frames: [[Float]], ingestMicros: UInt64) throws {
        for frame in frames {
            if source == .floor { event.tapFloor(frame, at: ingestMicros) }
            guard let route = event.route(from: source, speaker: speaker, peakDB: PeakMeter.peakDB(frame), at: ingestMicros) else {
                continue
            }
            let samples = route.muted ? Self.silence : frame
            let packet = try encoder.encode(samples)
            ChannelFanout.publish(opus: packet, pcm: { PCMEncoding.s16le(samples) }, ingestMicros: ingestMicros, from: source, to: route.targets)
        }
    }
}
