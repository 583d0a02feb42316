import DragomanAudio
import DragomanCore
import Foundation
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One interpreter console's WebSocket after the upgrade: what the booth hears goes out through
/// the console's sink; the microphone comes in as raw PCM and, while this interpreter is live,
/// is encoded once and sent to the booth's channel and to every booth that takes relay from it.
struct BoothSession: Sendable {
    /// The largest message a console may send (microphone audio).
    static let maximumMessageSize = 64 * 1024
    /// How often the console is sent the booth's state even when nothing changed (listener counts, clock).
    static let statePeriod: Duration = .seconds(2)
    /// A live console whose microphone audio stops for this long is taken off air: its network is gone
    /// (Wi-Fi dropped without closing the connection) or its microphone is, and the channel must fall back
    /// at once rather than after the WebSocket's ping times out.
    static let silentConsoleTimeout: UInt64 = 1_000_000

    let event: LiveEvent
    let interpreter: Interpreter
    let sink: ListenerSinkBox
    let format: FloorFormat
    let bitrate: Int
    let codec: ControlMessages.Codec

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let definition = event.definition
        let welcome = ControlMessages.BoothWelcome(
            event: .init(code: definition.code.value, name: definition.name, languages: definition.languages.map(\.value)),
            booth: interpreter.booth.value, you: .init(id: interpreter.id.value, name: interpreter.name),
            codec: codec, serverTime: WallClock.nowMicros())
        let welcomeText = try JSONText.encode(welcome)
        guard let input = event.boothInput(interpreter.booth) else {
            await WebSocketRefusal.refuse(ProtocolError.unknownChannel(interpreter.booth.value, in: definition), outbound: outbound)
            return
        }
        try await sink.submit { sink in
            sink.send(text: welcomeText)
            sink.join(input.group(for: sink.eventLoop))
        }
        let session = event.connectConsole(interpreter, sink: sink)
        defer { event.disconnectConsole(interpreter, session: session) }
        let booth = interpreter.booth
        let ticker = Task { [event] in
            while !Task.isCancelled {
                try await Task.sleep(for: Self.statePeriod)
                event.pushBoothState(booth)
            }
        }
        defer { ticker.cancel() }
        // Only a console that has sent audio is watched: one that never does (a control-only client) is not
        // mistaken for a dropped one.
        let lastAudio = NIOLockedValueBox<UInt64?>(nil)
        let watchdog = Task { [event, interpreter] in
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(200))
                guard let last = lastAudio.withLockedValue({ $0 }), WallClock.nowMicros() > last + Self.silentConsoleTimeout else { continue }
                if event.takeOffAirIfLive(interpreter) { sendError(Self.silentError) }
            }
        }
        defer { watchdog.cancel() }

        var microphone = try Microphone(format: format, bitrate: bitrate)
        var limits = ConsoleLimits()
        for try await message in inbound.messages(maxSize: Self.maximumMessageSize) {
            switch message {
            case .binary(let buffer):
                let ingest = WallClock.nowMicros()
                lastAudio.withLockedValue { $0 = ingest }
                do {
                    try microphone.push(Array(buffer.readableBytesView), event: event, interpreter: interpreter, ingestMicros: ingest)
                } catch {
                    await WebSocketRefusal.refuse(ProtocolError(.badMessage, "\(error)"), outbound: outbound)
                    return
                }
            case .text(let text):
                guard text.utf8.count <= 4096 else {
                    await WebSocketRefusal.refuse(ProtocolError(.tooLarge, "A console message may be at most 4096 bytes; this one had \(text.utf8.count)."), outbound: outbound)
                    return
                }
                if let error = handle(text, limits: &limits) { sendError(error) }
            }
        }
    }

    /// Carries out one console request; returns the error to send back, if it was refused.
    private func handle(_ text: String, limits: inout ConsoleLimits) -> ControlMessages.ErrorMessage? {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        guard let type = try? decoder.decode(ControlMessages.MessageType.self, from: data) else {
            return ControlMessages.ErrorMessage(ProtocolError(.badMessage, "A control message must be a JSON object with a 'type' field."), fatal: false)
        }
        let id = interpreter.id
        func decode<T: Decodable>(_ kind: T.Type, _ shape: String) throws(ProtocolError) -> T {
            guard let value = try? decoder.decode(kind, from: data) else {
                throw ProtocolError(.badMessage, "A '\(type.type)' message needs \(shape).")
            }
            return value
        }
        do {
            switch type.type {
            case "mic":
                let request = try decode(ControlMessages.MicRequest.self, "'on': true or false")
                try microphone(request.on ? .micOn(id) : .micOff(id))
            case "cough":
                let request = try decode(ControlMessages.CoughRequest.self, "'held': true or false")
                try microphone(.cough(id, held: request.held))
            case "handover":
                let request = try decode(ControlMessages.HandoverRequest.self, "'action': request, accept, switch, take or cancel")
                let events: [String: BoothMicrophone.Event] = [
                    "request": .requestHandover(id), "accept": .acceptHandover(id), "switch": .switchNow(id),
                    "take": .take(id), "cancel": .cancelHandover(id),
                ]
                guard let event = events[request.action] else {
                    throw ProtocolError(.badMessage, "Unknown handover action '\(request.action)'; use request, accept, switch, take or cancel.")
                }
                try microphone(event)
            case "source":
                let request = try decode(ControlMessages.SourceRequest.self, "'relay': a booth's language, or null for the floor")
                if let relay = request.relay {
                    guard let language = LanguageTag(relay) else { throw ProtocolError(.badMessage, "'\(relay)' is not a language tag.") }
                    try event.setSource(.relay(language), of: interpreter.booth)
                } else {
                    try event.setSource(.floor, of: interpreter.booth)
                }
            case "chat":
                let request = try decode(ControlMessages.ChatRequest.self, "'to' (booth or organizer) and 'text'")
                guard limits.chat.allow(at: WallClock.nowMicros()) else {
                    throw ProtocolError(.tooMany, "Too many chat messages: at most \(Int(limits.chat.capacity)) at once, then one a second.")
                }
                try event.chat(from: interpreter, to: request.to, text: request.text)
            case "signal":
                let request = try decode(ControlMessages.SignalRequest.self, "'kind': slow-down or help")
                guard let kind = BoothSignal(rawValue: request.kind) else {
                    throw ProtocolError(.badMessage, "Unknown signal '\(request.kind)'; use slow-down or help.")
                }
                guard limits.signals.allow(at: WallClock.nowMicros()) else {
                    throw ProtocolError(.tooMany, "Too many signals: the organizer has them already; at most one every 2 s.")
                }
                event.signal(kind, from: interpreter)
            default:
                throw ProtocolError(.badMessage, "Unknown message type '\(type.type)'. Consoles may send: mic, cough, handover, source, chat, signal.")
            }
        } catch let refusal as BoothMicrophone.Refusal {
            let names = Dictionary(event.interpreters.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            return ControlMessages.ErrorMessage(refusal: refusal) { names[$0] ?? $0.value }
        } catch let error as ProtocolError {
            return ControlMessages.ErrorMessage(error, fatal: false)
        } catch {
            return ControlMessages.ErrorMessage(ProtocolError(.internalError, "\(error)"), fatal: false)
        }
        return nil
    }

    private static let silentError = ControlMessages.ErrorMessage(
        code: "no-audio", message: "No microphone audio arrived from this console for a second: you were taken off air. Check the network and the microphone, then press Mic again.",
        fatal: false)

    private func microphone(_ action: BoothMicrophone.Event) throws(BoothMicrophone.Refusal) {
        try event.handle(action, in: interpreter.booth)
    }

    private func sendError(_ error: ControlMessages.ErrorMessage) {
        guard let text = try? JSONText.encode(error) else { return }
        sink.run { $0.send(text: text) }
    }
}

/// How fast one console may chat and signal: a burst goes through, a flood does not reach the dashboards.
private struct ConsoleLimits {
    var chat = TokenBucket(capacity: 10, perSecond: 1)
    var signals = TokenBucket(capacity: 3, perSecond: 0.5)
}

/// The console's microphone on the server: conditioned like the floor, and encoded only while
/// its interpreter is live (silence while they hold the cough key).
private struct Microphone {
    private var conditioner: FloorConditioner
    private let encoder: OpusEncoder
    private static let silence = [Float](repeating: 0, count: 960)

    init(format: FloorFormat, bitrate: Int) throws {
        conditioner = try FloorConditioner(inputRate: format.sampleRate, inputChannels: format.channels, format: format.sampleFormat)
        encoder = try OpusEncoder(bitrate: bitrate)
    }

    mutating func push(_ bytes: [UInt8], event: LiveEvent, interpreter: Interpreter, ingestMicros: UInt64) throws {
        for frame in try conditioner.push(bytes) {
            guard let delivery = event.boothDelivery(for: interpreter, peakDB: PeakMeter.peakDB(frame), at: ingestMicros) else { continue }
            let samples = delivery.muted ? Self.silence : frame
            let packet = try encoder.encode(samples)
            delivery.publish(opus: packet, pcm: { PCMEncoding.s16le(samples) }, ingestMicros: ingestMicros)
        }
    }
}
