import DragomanAudio
import DragomanCore
import Foundation
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One interpreter console's WebSocket after the upgrade: what the booth hears goes out through
/// the console's sink; the microphone comes in as raw PCM and, while this interpreter is live,
/// is encoded once and sent wherever the event routes the booth.
struct BoothSession: Sendable {
    /// The largest message a console may send (microphone audio).
    static let maximumMessageSize = 64 * 1024
    /// The largest text message a console may send.
    static let maximumTextSize = 4096
    /// How often the console is sent the booth's state even when nothing changed (listener counts, clock).
    static let statePeriod: Duration = .seconds(2)
    /// A live console whose microphone audio stops for this long is taken off air: its network is gone
    /// (Wi-Fi dropped without closing the connection) or its microphone is, and the channel must fall back
    /// at once rather than after the WebSocket's ping times out.
    static let silentConsoleTimeout: UInt64 = 1_000_000
    /// How often the silence watchdog looks.
    static let watchdogPeriod: Duration = .milliseconds(200)

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
            booth: interpreter.booth.value,
            you: .init(id: interpreter.id.value, name: interpreter.name),
            codec: codec,
            serverTime: event.clock.nowMicros(),
            glossary: definition.glossary.allTerms
        )
        let welcomeText = try JSONText.encode(welcome)
        guard let input = event.boothInput(interpreter.booth) else {
            await WebSocketRefusal.refuse(ProtocolError.unknownChannel(interpreter.booth.value, in: definition), outbound: outbound)
            return
        }
        try await sink.submit { sink in
            sink.send(text: welcomeText)
            sink.join(input.group(for: sink.eventLoop))
        }
        let connection = event.connectConsole(interpreter, sink: sink)
        defer { event.disconnectConsole(interpreter, connection: connection) }
        let booth = interpreter.booth
        let ticker = Task { [event] in
            var lastState = ContinuousClock.now
            while !Task.isCancelled {
                try await Task.sleep(for: LiveEvent.refreshPeriod)
                event.flushRefreshes()
                if ContinuousClock.now - lastState >= Self.statePeriod {
                    lastState = .now
                    event.pushBoothState(booth)
                }
            }
        }
        defer { ticker.cancel() }
        // Only a console that has sent audio is watched: one that never does (a control-only client) is not
        // mistaken for a dropped one.
        let lastAudio = NIOLockedValueBox<UInt64?>(nil)
        let watchdog = Task { [event, interpreter] in
            var lastLook = ContinuousClock.now
            while !Task.isCancelled {
                try await Task.sleep(for: Self.watchdogPeriod)
                // A watchdog that wakes up late was starved of CPU with the rest of the server: the console's audio
                // may be waiting unread in the socket. Judge again on the next look rather than take it off air.
                let looked = ContinuousClock.now
                defer { lastLook = looked }
                guard looked - lastLook < Self.watchdogPeriod * 3 else { continue }
                guard let last = lastAudio.withLockedValue({ $0 }), event.clock.nowMicros() > last + Self.silentConsoleTimeout else { continue }
                event.takeOffAir(interpreter)
            }
        }
        defer { watchdog.cancel() }

        var microphone = try SourceFeed(event: event, source: .interpreter(booth), speaker: interpreter.id, format: format, bitrate: bitrate)
        for try await message in inbound.messages(maxSize: Self.maximumMessageSize) {
            switch message {
            case .binary(let buffer):
                let ingest = event.clock.nowMicros()
                lastAudio.withLockedValue { $0 = ingest }
                do {
                    try microphone.push(Array(buffer.readableBytesView), ingestMicros: ingest)
                } catch {
                    await WebSocketRefusal.refuse(ProtocolError(.badMessage, "\(error)"), outbound: outbound)
                    return
                }
            case .text(let text):
                if await WebSocketRefusal.refuseOversized(text, limit: Self.maximumTextSize, from: "console", outbound: outbound) { return }
                if let error = handle(text) { sendError(error) }
            }
        }
    }

    /// Carries out one console request; returns the error to send back, if it was refused.
    private func handle(_ text: String) -> ControlMessages.ErrorMessage? {
        do {
            let request = try ConsoleRequest(RequestDecoder.fields(of: text))
            if let action = request.microphoneEvent(for: interpreter.id) {
                try event.microphone(action, from: interpreter)
                return nil
            }
            switch request {
            case .source(let relay):
                try event.setSource(relay.map { .relay($0) } ?? .floor, of: interpreter.booth)
            case .chat(let to, let text):
                try counting("chat") { try event.chat(from: interpreter, to: to, text: text) }
            case .signal(let kind):
                try counting("signals") { try event.signal(kind, from: interpreter) }
            case .microphone, .cough, .handover:
                break  // handled above
            }
        } catch let refusal as BoothMicrophone.Refusal {
            if refusal == .tooFast { event.countRateLimited("keys") }
            let names = Dictionary(event.interpreters.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            return ControlMessages.ErrorMessage(refusal: refusal) { names[$0] ?? $0.value }
        } catch let error as ProtocolError {
            return ControlMessages.ErrorMessage(error, fatal: false)
        } catch {
            return ControlMessages.ErrorMessage(ProtocolError(.internalError, "\(error)"), fatal: false)
        }
        return nil
    }

    /// Runs `body`, counting a `too-many` refusal as rate-limited `kind`.
    private func counting(_ kind: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ProtocolError where error.code == .tooMany {
            event.countRateLimited(kind)
            throw error
        }
    }

    private func sendError(_ error: ControlMessages.ErrorMessage) {
        guard let text = try? JSONText.encode(error) else { return }
        sink.run { $0.send(text: text) }
    }
}
