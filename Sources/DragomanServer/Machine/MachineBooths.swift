import DragomanAudio
import DragomanCore
import DragomanSpeech
import Logging
import NIOConcurrencyHelpers

/// The machine booths of one live event at work: the floor's frames, brought to 16 kHz, cut into
/// speech by the detector, interpreted one segment after another (`MachineInterpreter`), and what
/// comes out carried into the event: captions to the channels, each booth's voice onto its channel
/// (`MachineVoice`), the floor language when heard, and the engines' state to the dashboard.
///
/// It reads the floor from a tap with its own bounded buffer: however slow the engines, the floor and
/// every listener go on untouched.
final class MachineBooths: Sendable {
    let event: LiveEvent
    let events: LiveEvents
    let engines: MachineEngines
    let bitrate: Int
    let logger: Logger

    init(event: LiveEvent, events: LiveEvents, engines: MachineEngines, bitrate: Int, logger: Logger) {
        self.event = event
        self.events = events
        self.engines = engines
        self.bitrate = bitrate
        self.logger = logger
    }

    /// Runs until cancelled.
    func run() async {
        let definition = event.definition
        let voices = definition.machineBooths.map { MachineVoice(event: event, language: $0, bitrate: bitrate) }
        let output = Output(event: event, events: events, voices: voices, mode: engines.floorLanguage, logger: logger)
        let interpreter = MachineInterpreter(
            recognizer: engines.recognizer,
            identifier: engines.identifier,
            translator: engines.translator,
            speechTranslator: engines.speechTranslator,
            synthesizer: engines.synthesizer,
            output: output,
            configuration: .init(
                languages: definition.languages,
                targets: definition.machineBooths,
                glossary: definition.glossary,
                partialHearingLimit: engines.partialCaptions?.hearingLimit ?? 0
            ),
            floorLanguage: event.floorLanguage,
            now: { [event] in event.clock.nowMicros() }
        )
        let detector: UncheckedDetector
        do {
            detector = UncheckedDetector(try engines.makeDetector())
        } catch {
            logger.error("machine booths of \(definition.code): \(error)")
            for booth in definition.machineBooths { event.setMachineStatus(.failed(error.description), of: booth) }
            return
        }
        for booth in definition.machineBooths { event.setMachineStatus(.ready, of: booth) }
        await withTaskGroup(of: Void.self) { group in
            for voice in voices { group.addTask { try? await voice.run() } }
            group.addTask { await self.listen(detector: detector, interpreter: interpreter) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Floor frames → 16 kHz → speech segments → the interpreter, in order, until cancelled. While the machine is
    /// idle, the speech still open goes to it too, for partial captions (`MachineEngines.partialCaptions`).
    private func listen(detector: UncheckedDetector, interpreter: MachineInterpreter) async {
        let (tap, frames) = event.floorFrames()
        defer { event.stopFloorFrames(tap) }
        guard var resampler = try? Resampler(from: 48000, to: SpeechSegment.sampleRate) else { return }
        let jobs = MachineJobs(interpreter: interpreter)
        defer { jobs.finish() }
        var schedule = engines.partialCaptions
        for await frame in frames {
            do {
                if frame.isEnd {
                    for segment in try detector.detector.flush() { jobs.submit(.segment(segment)) }
                    continue
                }
                let samples = resampler.process(frame.samples)
                for segment in try detector.detector.accept(samples, at: frame.ingestMicros) { jobs.submit(.segment(segment)) }
                if schedule != nil, jobs.isIdle, let open = detector.detector.openSpeech(), schedule?.due(open, idle: true) == true {
                    jobs.submit(.partial(open))
                }
            } catch {
                logger.error("voice activity detection for \(event.definition.code): \(error)")
            }
        }
    }

    /// What the interpreter produces, carried into the live event.
    private struct Output: MachineOutput {
        let event: LiveEvent
        let events: LiveEvents
        let voices: [MachineVoice]
        let mode: FloorLanguageMode
        let logger: Logger

        func caption(_ caption: ControlMessages.Caption) async { event.caption(caption) }

        func speak(_ audio: PCMAudio, in language: LanguageTag, for segment: SpeechSegment) async {
            do {
                try voices.first { $0.language == language }?.say(audio)
            } catch {
                logger.error("machine voice \(language): \(error)")
            }
        }

        func floorLanguageHeard(_ language: LanguageTag) async {
            switch mode {
            case .manual:
                logger.info("event \(event.definition.code): the machine hears the floor in \(language)")
                return
            case .suggest:
                logger.notice("event \(event.definition.code): the machine hears the floor in \(language); the dashboard offers it")
                event.suggestFloorLanguage(language)
                return
            case .auto:
                break
            }
            do {
                try events.setFloorLanguage(language, of: event, at: event.clock.nowMicros())
                logger.info("event \(event.definition.code): the floor language follows the floor by ear: \(language)")
            } catch {
                logger.error("event \(event.definition.code): could not set the floor language: \(error)")
            }
        }

        func engineStatus(_ status: MachineStatus, of booth: LanguageTag?) async {
            for target in booth.map({ [$0] }) ?? event.definition.machineBooths { event.setMachineStatus(status, of: target) }
        }

        func dropped(_ segment: SpeechSegment, lateBy micros: UInt64) async {
            event.machineSkipped(speech: segment.durationMicros, lateBy: micros)
            logger.warning(
                "event \(event.definition.code): the machine fell \(micros / 1000) ms behind and skipped a segment (\(segment.startMicros)–\(segment.endMicros) µs)"
            )
        }
    }
}

/// The interpreter's work, done one job at a time, in order, by a task of its own; it knows whether any is waiting or
/// under way (partials are only asked for when none is).
private final class MachineJobs: Sendable {
    enum Job: Sendable {
        /// A complete segment: its final line.
        case segment(SpeechSegment)
        /// The speech open so far: a partial line.
        case partial(SpeechSegment)
    }

    private let queue: AsyncStream<Job>.Continuation
    private let worker: Task<Void, Never>
    private let pending: NIOLockedValueBox<Int>

    init(interpreter: MachineInterpreter) {
        let (jobs, queue) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingNewest(64))
        let pending = NIOLockedValueBox(0)
        self.queue = queue
        self.pending = pending
        worker = Task {
            for await job in jobs {
                switch job {
                case .segment(let segment): await interpreter.process(segment)
                case .partial(let open): await interpreter.partial(open)
                }
                pending.withLockedValue { $0 -= 1 }
            }
        }
    }

    /// Whether no job is waiting or under way.
    var isIdle: Bool { pending.withLockedValue { $0 == 0 } }

    func submit(_ job: Job) {
        pending.withLockedValue { $0 += 1 }
        // A full queue drops its oldest job (the interpreter would drop it as stale anyway): it is no longer pending.
        if case .dropped = queue.yield(job) { pending.withLockedValue { $0 -= 1 } }
    }

    func finish() {
        queue.finish()
        worker.cancel()
    }
}

/// Carries the detector into the task that alone uses it.
private struct UncheckedDetector: @unchecked Sendable {
    // @unchecked: the detector is made for this event and used by one task only (`listen`), in order.
    let detector: any VoiceActivityDetector
    init(_ detector: any VoiceActivityDetector) { self.detector = detector }
}
