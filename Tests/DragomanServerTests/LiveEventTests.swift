import DragomanAudio
import DragomanCore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import DragomanServer

/// The live event with its fan-outs and listener sinks, in process: NIO's `EmbeddedChannel` stands
/// for each listener's socket, so what a listener receives is read frame by frame, with no sockets
/// and no timing.
@Suite struct LiveEventTests {
    let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!
    let loop = EmbeddedEventLoop()

    func summit(clock: ManualClock = ManualClock()) -> LiveEvent {
        let definition = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [ru, kk],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        let aigerim = Interpreter(id: InterpreterID("i-a"), name: "Aigerim", booth: ru, key: SecretDigest(of: "AAAAAAAA"), createdAt: 0)
        return LiveEvent(definition: definition, floorLanguage: ru, interpreters: [aigerim], links: PublicLinks(base: "http://venue"), clock: clock)
    }

    /// A listener's socket: a sink on an embedded channel, joined to `fanout`.
    func listen(_ fanout: ChannelFanout?, codec: ListenerSink.Codec = .opus) throws -> (EmbeddedChannel, ListenerSink) {
        let channel = EmbeddedChannel(loop: loop)
        let sink = ListenerSink(codec: codec, eventLoop: loop)
        try channel.pipeline.syncOperations.addHandler(sink)
        sink.join(try #require(fanout).group(for: loop))
        return (channel, sink)
    }

    /// The frames written to a listener's socket so far: text as strings, audio as headers.
    func received(_ channel: EmbeddedChannel) throws -> [Frame] {
        loop.run()
        var frames: [Frame] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            frames.append(try Frame(parsing: &buffer))
        }
        return frames
    }

    /// The switch to Kazakh, in process: the Russian listener gets `alert` then `carrying`; the floor listener only `carrying`.
    @Test func theSwitchReachesTheSinksAlertFirst() throws {
        let event = summit()
        let (russian, _) = try listen(event.fanout(.language(ru)))
        let (floor, _) = try listen(event.fanout(.floor))
        let alerted = event.setFloorLanguage(kk, at: 7)
        // Nobody is live in the ru booth: both channels now hear Kazakh from the floor, and both are told.
        #expect(Set(alerted) == [.language(ru), .language(kk)])
        let types = try received(russian).map(\.type)
        #expect(types == ["alert", "carrying"])
        #expect(try received(floor).map(\.type) == ["carrying"])
    }

    /// The floor and a booth share one path: floor frames reach the channels routed to the floor; once the booth is live
    /// and the floor speaks another language, the booth's frames reach its channel, flagged as a new source.
    @Test func floorAndBoothAudioFollowTheRoutes() throws {
        let event = summit()
        let aigerim = event.interpreters[0]
        let (russian, _) = try listen(event.fanout(.language(ru)))
        let format = try FloorFormat(query: [:])
        var floor = try SourceFeed(event: event, source: .floor, speaker: nil, format: format, bitrate: 32000)
        var microphone = try SourceFeed(event: event, source: .interpreter(ru), speaker: aigerim.id, format: format, bitrate: 32000)
        let frame = PCMEncoding.s16le([Float](repeating: 0.1, count: 960))

        try floor.push(frame, ingestMicros: 1)
        try microphone.push(frame, ingestMicros: 1)  // not live: nowhere
        #expect(try received(russian).compactMap(\.audio).count == 1)

        let (console, _) = try listen(event.boothInput(ru))
        _ = event.connectConsole(aigerim, sink: ListenerSinkBox(ListenerSink(codec: .opus, eventLoop: loop)))
        try event.microphone(.micOn(aigerim.id), from: aigerim)
        event.setFloorLanguage(kk, at: 2)
        _ = try received(russian)
        try floor.push(frame, ingestMicros: 3)
        try microphone.push(frame, ingestMicros: 3)
        let audio = try received(russian).compactMap(\.audio)
        #expect(audio.count == 1 && audio[0].flags.contains(.discontinuity))
        #expect(try received(console).compactMap(\.audio).count == 1)  // the booth hears the floor
    }

    /// A listener whose socket is full loses its own oldest frames and is told how many when it reads again.
    @Test func aFullSocketDropsTheOldestAndSaysHowMany() throws {
        let event = summit()
        let (slow, _) = try listen(event.fanout(.floor))
        slow.isWritable = false
        let total = ListenerSink.queueCapacity + 5
        for n in 0..<total {
            event.fanout(.floor)?.publish(opus: [0xF8, 0xFF, 0xFE], pcm: { [] }, ingestMicros: UInt64(n))
        }
        #expect(try received(slow).isEmpty)
        slow.isWritable = true
        slow.pipeline.fireChannelWritabilityChanged()
        let frames = try received(slow)
        #expect(frames.first?.type == "dropped" && frames.first?.text?.contains("\"count\":5") == true)
        let sequences = frames.compactMap(\.audio).map(\.sequence)
        #expect(sequences == Array(UInt32(6)...UInt32(total)))
        #expect(event.statistics(.floor)?.droppedPackets == 5)
    }

    /// A room set to 60 ms: Opus listeners get three packets per message, in order; a control message first sends
    /// what waits, so audio and messages keep their order; Ogg streams still get every packet as it comes.
    @Test func aLargeRoomGetsBundlesAndAMessageNeverOvertakesTheAudioBeforeIt() async throws {
        let event = summit()
        var definition = event.definition
        definition.packetMs = 60
        event.update(definition)
        let fanout = try #require(event.fanout(.floor))
        #expect(fanout.packetsPerMessage == 3)
        let (listener, _) = try listen(fanout)
        let (_, stream) = fanout.subscribeStream()
        for n in 0..<7 { fanout.publish(opus: [0xF8, UInt8(n)], pcm: { [] }, ingestMicros: UInt64(n)) }
        fanout.broadcast(text: #"{"type":"carrying"}"#)
        fanout.publish(opus: [0xF8, 7], pcm: { [] }, ingestMicros: 7)
        let frames = try received(listener)
        let shape = frames.map { frame in
            frame.text != nil ? "text" : "\((try? frame.payload.withUnsafeBytes { try AudioMessage.packets(in: $0) })?.count ?? -1)"
        }
        #expect(shape == ["3", "3", "1", "text"], "two bundles, the seventh packet alone before the message, the eighth waiting")
        let sequences = frames.filter { $0.text == nil }.flatMap { frame in
            (try? frame.payload.withUnsafeBytes { try AudioMessage.packets(in: $0) })?.map(\.header.sequence) ?? []
        }
        #expect(sequences == Array(1...7))
        var streamed = 0
        for await _ in stream {
            streamed += 1
            if streamed == 8 { break }
        }
        #expect(streamed == 8)
    }

    /// A slow listener of a large room is told the packets it lost, not the messages.
    @Test func aSlowListenerOfALargeRoomIsToldThePacketsItLost() throws {
        let event = summit()
        var definition = event.definition
        definition.packetMs = 40
        event.update(definition)
        let (slow, _) = try listen(event.fanout(.floor))
        slow.isWritable = false
        for n in 0..<(2 * (ListenerSink.queueCapacity + 5)) {
            event.fanout(.floor)?.publish(opus: [0xF8, 0xFF, 0xFE], pcm: { [] }, ingestMicros: UInt64(n))
        }
        #expect(try received(slow).isEmpty)
        slow.isWritable = true
        slow.pipeline.fireChannelWritabilityChanged()
        let frames = try received(slow)
        #expect(frames.first?.type == "dropped" && frames.first?.text?.contains("\"count\":10") == true)
        #expect(event.statistics(.floor)?.droppedPackets == 10)
    }

    /// `codec=none` (a page that plays the Ogg stream and wants captions): control messages, no audio, not a listener.
    @Test func aCaptionsOnlyConnectionGetsMessagesButNoAudio() throws {
        let event = summit()
        let (captions, _) = try listen(event.fanout(.floor), codec: .none)
        #expect(event.statistics(.floor)?.listeners == 0)
        event.fanout(.floor)?.publish(opus: [0xF8, 0xFF, 0xFE], pcm: { [] }, ingestMicros: 1)
        event.caption(
            ControlMessages.Caption(channel: "floor", id: "m1", text: "Добрый день", language: "ru", final: true, start: 0, end: 1, source: "floor")
        )
        let frames = try received(captions)
        #expect(frames.map(\.type) == ["caption"])
    }

    /// A console whose key is opened on another console is closed with the reason, through its sink.
    @Test func aReplacedConsoleIsClosedWithTheReason() throws {
        let event = summit()
        let aigerim = event.interpreters[0]
        let first = EmbeddedChannel(loop: loop)
        let firstSink = ListenerSink(codec: .opus, eventLoop: loop)
        try first.pipeline.syncOperations.addHandler(firstSink)
        _ = event.connectConsole(aigerim, sink: ListenerSinkBox(firstSink))
        _ = try received(first)
        _ = event.connectConsole(aigerim, sink: ListenerSinkBox(ListenerSink(codec: .opus, eventLoop: loop)))
        let frames = try received(first)
        #expect(frames.compactMap(\.text).contains { $0.contains("\"code\":\"forbidden\"") })
        #expect(frames.last?.opcode == 0x8)
    }
}

/// A clock the test sets.
final class ManualClock: EventClock {
    let now = Mutex<UInt64>(1_000_000)
    func nowMicros() -> UInt64 { now.withLock { $0 } }
}

/// One server WebSocket frame (unmasked), as a listener's socket received it.
struct Frame {
    var opcode: UInt8
    var payload: [UInt8]

    init(parsing buffer: inout ByteBuffer) throws {
        guard let first = buffer.readInteger(as: UInt8.self), let second = buffer.readInteger(as: UInt8.self) else { throw FrameError() }
        opcode = first & 0x0F
        var length = Int(second & 0x7F)
        if length == 126 { length = Int(buffer.readInteger(as: UInt16.self) ?? 0) }
        if length == 127 { length = Int(buffer.readInteger(as: UInt64.self) ?? 0) }
        guard let bytes = buffer.readBytes(length: length) else { throw FrameError() }
        payload = bytes
    }

    var text: String? { opcode == 0x1 ? String(decoding: payload, as: UTF8.self) : nil }
    var type: String? {
        guard let text, let range = text.range(of: #""type":""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
    var audio: AudioPacketHeader? {
        guard opcode == 0x2 else { return nil }
        return payload.withUnsafeBytes { try? AudioPacketHeader(parsing: $0) }
    }

    struct FrameError: Error {}
}
