public import DragomanAudio
public import DragomanCore
import Foundation
import NIOCore

/// An interpreter for tests and demos: joins a booth with its key and speaks a recording, like
/// a colleague who works whenever the floor is in another language.
///
/// It sends its microphone at real-time pace all the time. While the floor language is known
/// and is not the booth's, it turns its mic on and the recording advances; when the floor speaks
/// the booth's language (auto-floor) it turns the mic off and sends silence. It ends once the whole
/// recording was spoken and the mic is off again.
public struct ScriptedInterpreter: Sendable {
    public var server: ServerAddress
    public var event: String
    public var key: String
    /// The booth the key must belong to (checked by the server), or nil for the key's own booth.
    public var booth: String?
    public var speech: PCMAudio
    /// The booth to take relay from, or nil for the floor.
    public var relay: String?
    /// Stop after this long (seconds) even if the recording is not finished.
    public var duration: Double?
    /// Gets one line per thing that happened (mic on and off, floor language), as JSON.
    public var log: (@Sendable (String) -> Void)?

    public init(
        server: ServerAddress,
        event: String,
        key: String,
        booth: String?,
        speech: PCMAudio,
        relay: String? = nil,
        duration: Double? = nil,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.server = server
        self.event = event
        self.key = key
        self.booth = booth
        self.speech = speech
        self.relay = relay
        self.duration = duration
        self.log = log
    }

    /// What the interpreter did and heard.
    public struct Report: Sendable, Codable {
        /// Seconds of the recording spoken on air.
        public var spokenSeconds: Double
        public var micOnCount: Int
        /// What the booth heard (the floor or the relayed booth): packets, loss and delay, as a listener measures them.
        public var heardPackets: Int
        public var heardLost: Int
        public var heardDelayMs: Percentiles

        enum CodingKeys: String, CodingKey {
            case spokenSeconds = "spoken_seconds"
            case micOnCount = "mic_on_count"
            case heardPackets = "packets"
            case heardLost = "lost"
            case heardDelayMs = "delay_ms"
        }
    }

    public func run() async throws -> Report {
        let rate = speech.sampleRate
        var query = [("key", key), ("rate", String(rate)), ("channels", String(speech.channels)), ("format", "f32le")]
        if let booth { query.append(("booth", booth)) }
        let connection = try await WebSocketConnection.connect(to: server.webSocketURL("/ws/booth/\(event)", query: query))
        let desk = InterpreterDesk()
        let reader = Task {
            do {
                for try await message in connection.messages {
                    switch message {
                    case .text(let text): await desk.receive(text)
                    case .binary(let buffer):
                        let now = BenchClock.nowMicros()
                        if let header = try? buffer.withUnsafeReadableBytes({ try AudioPacketHeader(parsing: $0) }) {
                            await desk.heard(header, at: now)
                        }
                    }
                }
            } catch {}
            await desk.closed(connection.closeFrame)
        }
        defer { reader.cancel() }
        let timer = Task {
            try await Task.sleep(for: .seconds(10))
            await desk.timeOut()
        }
        let me = try await desk.welcome()
        timer.cancel()
        if let relay { try await connection.send(text: #"{"type":"source","relay":"\#(relay)"}"#) }

        let frame = rate / 50 * speech.channels
        let samples = speech.samples
        let silence = PCMEncoding.f32le([Float](repeating: 0, count: frame))
        var position = 0
        var micOnCount = 0
        var requested: Bool?
        let clock = ContinuousClock()
        let start = clock.now
        var tick = 0
        var heardFloorLanguage: String?? = .none
        while !Task.isCancelled {
            if let duration, clock.now - start >= .seconds(duration) { break }
            try await desk.check()
            let state = await desk.state
            if heardFloorLanguage != .some(state.floorLanguage) {
                heardFloorLanguage = .some(state.floorLanguage)
                log?(#"{"at":\#(BenchClock.nowMicros()),"event":"floor-language","floorLanguage":"\#(state.floorLanguage ?? "")"}"#)
            }
            let live = state.live == me
            let floorElsewhere = state.floorLanguage != nil && state.floorLanguage != state.booth
            let wantLive = floorElsewhere && position < samples.count
            if wantLive != live, requested != wantLive {
                requested = wantLive
                try await connection.send(text: #"{"type":"mic","on":\#(wantLive)}"#)
                if wantLive { micOnCount += 1 }
                log?(
                    #"{"at":\#(BenchClock.nowMicros()),"event":"\#(wantLive ? "mic-on" : "mic-off")","floorLanguage":"\#(state.floorLanguage ?? "")"}"#
                )
            }
            if requested == wantLive, wantLive == live { requested = nil }
            if !wantLive, !live, position >= samples.count { break }
            let bytes: [UInt8]
            if live, position < samples.count {
                let end = min(samples.count, position + frame)
                var chunk = Array(samples[position..<end])
                if chunk.count < frame { chunk += [Float](repeating: 0, count: frame - chunk.count) }
                position = end
                bytes = PCMEncoding.f32le(chunk)
            } else {
                bytes = silence
            }
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try await connection.send(binary: buffer)
            tick += 1
            try await clock.sleep(until: start.advanced(by: .milliseconds(20 * tick)), tolerance: .milliseconds(1))
        }
        await connection.close(reason: "interpreter done")
        let heard = await desk.hearing
        return Report(
            spokenSeconds: Double(position) / Double(rate * speech.channels),
            micOnCount: micOnCount,
            heardPackets: heard.packets,
            heardLost: heard.lost,
            heardDelayMs: Percentiles(heard.delays)
        )
    }
}

/// What the scripted interpreter knows from the server: its id, the booth's state, what it heard.
private actor InterpreterDesk {
    struct State {
        var booth = ""
        var live: String?
        var floorLanguage: String?
    }

    private(set) var state = State()
    private var me: String?
    private var failure: ClientError?
    private var isClosed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var hearing = (packets: 0, lost: 0, delays: [Double](), expected: UInt32?.none)

    func receive(_ text: String) {
        let data = Data(text.utf8)
        guard let type = try? JSONDecoder().decode(ControlMessages.MessageType.self, from: data) else { return }
        switch type.type {
        case "booth-welcome":
            if let welcome = try? JSONDecoder().decode(ControlMessages.BoothWelcome.self, from: data) {
                me = welcome.you.id
                state.booth = welcome.booth
            }
        case "booth-state":
            if let booth = try? JSONDecoder().decode(ControlMessages.BoothState.self, from: data) {
                state.live = booth.live
                state.floorLanguage = booth.floorLanguage
                state.booth = booth.booth
                if me != nil { hasState = true }
                wake()
            }
        case "error":
            if let error = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: data), error.fatal || me == nil {
                failure = ClientError(server: error)
                wake()
            }
        default:
            break
        }
    }

    func heard(_ header: AudioPacketHeader, at micros: UInt64) {
        hearing.packets += 1
        hearing.delays.append(Double(Int64(micros) - Int64(header.ingestMicros)) / 1000)
        if let expected = hearing.expected, header.sequence != expected {
            let gap = header.sequence &- expected
            if gap < 1 << 31 { hearing.lost += Int(gap) }
        }
        hearing.expected = header.sequence &+ 1
    }

    func closed(_ frame: WebSocketConnection.CloseFrame?) {
        isClosed = true
        if failure == nil, me == nil {
            failure = ClientError(
                "the server closed the connection before the booth answered" + (frame.map { " (\($0.code ?? 0) \($0.reason))" } ?? "")
            )
        }
        wake()
    }

    /// Waits for the welcome and the first booth state; returns this interpreter's id.
    func welcome() async throws -> String {
        while !hasState {
            if let failure { throw failure }
            if isClosed { throw ClientError("the server closed the connection") }
            await withCheckedContinuation { waiters.append($0) }
        }
        return me!
    }

    /// Gives up waiting for the welcome: a server that upgrades but never answers must not hang the caller.
    func timeOut() {
        guard !hasState, failure == nil else { return }
        failure = ClientError("the server accepted the booth connection but did not answer within 10 s")
        wake()
    }

    private var hasState = false

    private func wake() {
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }

    func check() throws {
        if let failure { throw failure }
        if isClosed { throw ClientError("the server closed the connection") }
    }
}
