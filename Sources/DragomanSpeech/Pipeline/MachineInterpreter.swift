public import DragomanAudio
public import DragomanCore

/// Where a machine interpreter's work goes: the server shows captions, speaks the voice on the
/// channel, follows the floor language, and shows the engines' state on the dashboard.
public protocol MachineOutput: Sendable {
    /// A caption line for a channel.
    func caption(_ caption: ControlMessages.Caption) async
    /// The machine's voice for `language`, rendering `segment` of the floor.
    func speak(_ audio: PCMAudio, in language: LanguageTag, for segment: SpeechSegment) async
    /// The floor has changed language, by ear.
    func floorLanguageHeard(_ language: LanguageTag) async
    /// How the engines behind `booth`'s machine stand (nil: the recognizer, which serves every booth).
    func engineStatus(_ status: MachineStatus, of booth: LanguageTag?) async
    /// A segment went unprocessed because the machine had fallen behind.
    func dropped(_ segment: SpeechSegment, lateBy micros: UInt64) async
}

/// The machine booths of one event, as a pipeline: each segment of floor speech is recognized,
/// its language identified (the floor's language followed by ear), captioned on the floor channel,
/// then for every machine booth translated, captioned on that channel and spoken.
///
/// While the speaker goes on, `partial(_:)` hears the speech open so far and shows it as a partial line
/// (`final: false`), on the floor and, with a text translator, translated on every booth's channel; the
/// segment's final line then replaces it under the same id, or withdraws it (an empty final line) when the
/// segment yields nothing.
///
/// Segments are processed one at a time, in order; one that has gone stale by the time its turn
/// comes is dropped and reported rather than spoken late. An engine that fails degrades what it
/// serves and is reported; it never touches the audio path.
public actor MachineInterpreter {
    /// What the machine is set up to do.
    public struct Configuration: Sendable {
        /// The languages of the event's channels: language identification chooses among them.
        public var languages: [LanguageTag]
        /// The languages with a machine booth.
        public var targets: [LanguageTag]
        /// Terms the organizer gave, by language (recognition hints, translation constraints).
        public var glossary: [GlossaryTerm]
        /// A segment that ended longer ago than this when its turn comes is dropped, µs.
        public var maximumLag: UInt64
        /// Below this probability (among the event's languages) the identification is unsure, and a language
        /// whose own letters settle it (Kazakh) gets one more hearing.
        ///
        /// Why a second pass, and why bounded: Whisper's language identification hears synthetic and accented
        /// Kazakh as English or Russian (0.38–0.62 among kk/ru/en on the summit's four Kazakh sentences), yet
        /// transcribing the same speech with Kazakh forced writes Kazakh-only letters (ә ғ қ ң ө ұ ү һ і),
        /// which Russian and English text never has: the letters are the better witness. The pass costs a
        /// whole recognition (about the segment's length on two cores), so it is made at most once per
        /// segment, only when unsure: the summit's Russian and English are identified at 0.93–0.98, above
        /// this 0.8, and never pay it.
        public var sureIdentification: Double
        /// A language gets that second hearing only when the engine gave it at least this much among the event's
        /// languages: forced to Kazakh, Whisper writes Kazakh letters into Russian it cannot make out, too. On the
        /// summit its Kazakh got 0.12–0.27 (sentences and segments), its Russian 0.003–0.06; 0.08 lies between.
        public var plausibleSecondHearing: Double
        /// Nor does it get one when another of the event's languages written in the same script holds at least this
        /// much among them: Whisper leans to that language, and forced to Kazakh it writes Kazakh letters into the
        /// Russian it leans to. On the summit's synthetic speech (131 cuts and variants heard twice), Russian taken
        /// for Kazakh that way held up to 0.79 for Russian (12 of 37 cases at 0.7 or more), the Kazakh the second
        /// hearing rescued at most 0.62 (kk-04 in a ten-minute run; its English reached 0.74, which is why only a
        /// language of the same script counts).
        public var siblingLead: Double
        /// A segment whose language only the second hearing told counts for this share of its length towards a
        /// switch of the floor language (`FloorLanguageTracker.evidence`, 2 s): Whisper forced to Kazakh writes
        /// Kazakh letters into Russian too, so letters are weaker evidence than a sure identification. At 0.4 a
        /// segment switches the floor alone from 5 s on (the summit's Kazakh sentences last 5.3–8 s; a
        /// 2.3–4.7 s piece of Russian taken for Kazakh does not), and shorter ones add up.
        public var secondHearingWeight: Double
        /// Partial lines are heard only while the recognizer's quickest hearing of late (its last eight) took at most
        /// this long, µs. A segment-wise recognizer hears the open speech again from its start for each partial, and
        /// a final line that closes meanwhile waits for it: Whisper base on two cores takes 1.4 s for any hearing (it
        /// always encodes a 30 s window), which made final lines 0.7–1.9 s later and no first line earlier
        /// (docs/benchmarks.md, "Partial lines"); on a GPU or a faster recognizer it takes a tenth of that.
        public var partialHearingLimit: UInt64

        public init(
            languages: [LanguageTag],
            targets: [LanguageTag],
            glossary: [GlossaryTerm] = [],
            maximumLag: UInt64 = 6_000_000,
            sureIdentification: Double = 0.8,
            plausibleSecondHearing: Double = 0.08,
            siblingLead: Double = 0.7,
            secondHearingWeight: Double = 0.4,
            partialHearingLimit: UInt64 = 600_000
        ) {
            self.languages = languages
            self.targets = targets
            self.glossary = glossary
            self.maximumLag = maximumLag
            self.sureIdentification = sureIdentification
            self.plausibleSecondHearing = plausibleSecondHearing
            self.siblingLead = siblingLead
            self.secondHearingWeight = secondHearingWeight
            self.partialHearingLimit = partialHearingLimit
        }
    }

    private let recognizer: any SpeechRecognizer
    private let identifier: (any SpokenLanguageIdentifier)?
    private let translator: (any TextTranslator)?
    private let speechTranslator: (any SpeechTranslator)?
    private let synthesizer: (any SpeechSynthesizer)?
    private let output: any MachineOutput
    private let configuration: Configuration
    private let now: @Sendable () -> UInt64
    private var tracker: FloorLanguageTracker
    private let filter = HallucinationFilter()
    private var lineNumber = 0
    /// The line partial captions show now, until the final line of its speech replaces or withdraws it.
    private var openLine: OpenLine?
    /// How long the recognizer's last hearings took, µs, newest last (at most eight).
    private var hearingTimes: [UInt64] = []
    /// Whether the recognizer's last hearing failed: no partial is heard until one succeeds again, so that a failing
    /// engine is not asked more often than the final lines need (and its circuit breaker opens no sooner).
    private var lastHearingFailed = false
    /// The booths whose last translation failed: no partial line is translated for them until one succeeds again.
    private var failingTranslations: Set<LanguageTag> = []

    /// A line shown as partial captions: its id, the speech heard for it so far, and the channels it is shown on.
    private struct OpenLine {
        let id: String
        let start: UInt64
        var end: UInt64
        var channels: [String] = []

        /// Whether `segment`'s speech is (part of) this line's.
        func renders(_ segment: SpeechSegment) -> Bool {
            segment.startMicros < max(end, start + 1) && segment.endMicros > start
        }

        func caption(on channel: String, text: String, language: LanguageTag?, final: Bool, source: String) -> ControlMessages.Caption {
            ControlMessages.Caption(
                channel: channel,
                id: id,
                text: text,
                language: language?.value,
                final: final,
                start: start,
                end: end,
                source: source
            )
        }
    }

    /// - Parameters:
    ///   - identifier: spoken language identification of its own (a sherpa-onnx Whisper model), for a recognizer
    ///     that cannot tell languages apart (a model of one language); nil: the recognizer identifies
    ///   - translator: text translation between the event's languages; nil when none is configured
    ///   - speechTranslator: speech straight into another language (Whisper: into English), used for the booths of
    ///     its target languages when there is no text translator (it needs no text engine, but costs a second pass)
    ///   - synthesizer: the machine's voices; nil for captions only
    ///   - floorLanguage: the floor language now, as the operator set it
    ///   - now: the server's clock, µs since the Unix epoch
    public init(
        recognizer: any SpeechRecognizer,
        identifier: (any SpokenLanguageIdentifier)? = nil,
        translator: (any TextTranslator)?,
        speechTranslator: (any SpeechTranslator)? = nil,
        synthesizer: (any SpeechSynthesizer)?,
        output: any MachineOutput,
        configuration: Configuration,
        floorLanguage: LanguageTag?,
        now: @escaping @Sendable () -> UInt64
    ) {
        self.recognizer = recognizer
        self.identifier = identifier
        self.translator = translator
        self.speechTranslator = speechTranslator
        self.synthesizer = synthesizer
        self.output = output
        self.configuration = configuration
        self.now = now
        self.tracker = FloorLanguageTracker(current: floorLanguage)
    }

    /// The operator set the floor language: the ear starts from there.
    public func floorLanguageSet(_ language: LanguageTag?) {
        tracker.reset(to: language)
    }

    /// Interprets one segment of floor speech.
    public func process(_ segment: SpeechSegment) async {
        let line = await takeOpenLine(for: segment)
        let captioned = await hear(segment, lineID: line?.id)
        if let line { await withdraw(line, except: captioned) }
    }

    /// Hears the speech open so far (`segment`, incomplete) for a partial line: in the floor's language as
    /// followed by ear (the engine identifies among the event's when there is none yet), captioned on the floor
    /// and, with a text translator, translated on every booth's channel. Faults are left to the final line to
    /// report; a partial that yields nothing shows nothing.
    public func partial(_ segment: SpeechSegment) async {
        guard partialsAffordable else { return }
        let language = tracker.current
        guard
            let transcript = try? await transcribe(
                segment,
                language: language,
                candidates: language == nil ? configuration.languages : [],
                hints: configuration.glossary.allTerms
            ),
            filter.accepts(transcript)
        else { return }
        let text = transcript.text.trimmingWhitespace()
        guard !text.isEmpty, let heard = language ?? identify(transcript).language else { return }
        if let open = openLine, !open.renders(segment) {
            openLine = nil
            await withdraw(open, except: [])
        }
        var line = openLine ?? OpenLine(id: nextLineID(), start: segment.startMicros, end: segment.endMicros)
        line.end = segment.endMicros
        await output.caption(line.caption(on: "floor", text: text, language: heard, final: false, source: "floor"))
        if !line.channels.contains("floor") { line.channels.append("floor") }
        if let translator {
            for target in configuration.targets where target != heard && !failingTranslations.contains(target) {
                let glossary = configuration.glossary.translations(from: heard, to: target)
                guard let translated = try? await translator.translate(text, from: heard, to: target, glossary: glossary) else {
                    failingTranslations.insert(target)
                    continue
                }
                await output.caption(line.caption(on: target.value, text: translated, language: target, final: false, source: "machine"))
                if !line.channels.contains(target.value) { line.channels.append(target.value) }
            }
        }
        openLine = line
    }

    /// The open line `segment` finishes, taken off; an older open line whose speech never came as a segment is
    /// withdrawn on the way.
    private func takeOpenLine(for segment: SpeechSegment) async -> OpenLine? {
        guard let open = openLine else { return nil }
        if open.renders(segment) {
            openLine = nil
            return open
        }
        if open.end <= segment.startMicros {
            openLine = nil
            await withdraw(open, except: [])
        }
        return nil
    }

    /// Withdraws a partial line from the channels that got no final line for it: an empty final line of its id.
    private func withdraw(_ line: OpenLine, except captioned: [String]) async {
        for channel in line.channels where !captioned.contains(channel) {
            let source = channel == "floor" ? "floor" : "machine"
            await output.caption(line.caption(on: channel, text: "", language: nil, final: true, source: source))
        }
    }

    /// Whether a partial line is worth a hearing: the recognizer's last hearing did not fail, and its quickest hearing
    /// of late was within `partialHearingLimit` (before any, the first partial finds out).
    public var partialsAffordable: Bool {
        guard !lastHearingFailed else { return false }
        guard let quickest = hearingTimes.min() else { return true }
        return quickest <= configuration.partialHearingLimit
    }

    /// The recognizer's hearing, timed.
    private func transcribe(
        _ segment: SpeechSegment,
        language: LanguageTag?,
        candidates: [LanguageTag],
        hints: [String]
    ) async throws(SpeechError) -> Transcript {
        let started = now()
        let transcript: Transcript
        do {
            transcript = try await recognizer.transcribe(segment, language: language, candidates: candidates, hints: hints)
        } catch {
            lastHearingFailed = true
            throw error
        }
        lastHearingFailed = false
        let ended = now()
        hearingTimes.append(ended >= started ? ended - started : 0)
        if hearingTimes.count > 8 { hearingTimes.removeFirst() }
        return transcript
    }

    private func nextLineID() -> String {
        lineNumber += 1
        return "m\(lineNumber)"
    }

    /// Hears one complete segment: the floor's line and the booths' under `lineID` (a new id when nil).
    /// - Returns: the channels that got a final line
    private func hear(_ segment: SpeechSegment, lineID: String?) async -> [String] {
        let started = now()
        if started > segment.endMicros + configuration.maximumLag {
            await output.dropped(segment, lateBy: started - segment.endMicros)
            return []
        }
        let hints = configuration.glossary.allTerms
        let identified = await sureIdentification(of: segment)
        var transcript: Transcript
        do {
            transcript = try await transcribe(
                segment,
                language: identified?.language,
                candidates: identified == nil ? configuration.languages : [],
                hints: hints
            )
            await output.engineStatus(.ready, of: nil)
        } catch {
            await output.engineStatus(.failed(error.description), of: nil)
            return []
        }
        guard filter.accepts(transcript) else { return [] }
        var heard = identify(transcript)
        // How much of the segment's speech counts towards a switch of the floor language.
        var weight = 1.0
        if let identified {
            // Heard in the language identified; letters that settle another of the event's languages still win.
            if LanguageScript.decisiveLanguage(of: transcript.text, among: configuration.languages) == nil { heard = identified }
        } else if heard.confidence < configuration.sureIdentification,
            let other = secondHearing(of: transcript, heard: heard.language),
            let forced = try? await transcribe(segment, language: other, candidates: [], hints: hints),
            filter.accepts(forced),
            LanguageScript.decisiveLanguage(of: forced.text, among: configuration.languages) == other
        {
            transcript = forced
            heard = (other, 1)
            weight = configuration.secondHearingWeight
        }
        let text = transcript.text.trimmingWhitespace()
        let language = heard.language
        if let switched = tracker.heard(language, confidence: heard.confidence, duration: segment.durationMicros, weight: weight) {
            await output.floorLanguageHeard(switched)
        }
        let id = lineID ?? nextLineID()
        await output.caption(
            ControlMessages.Caption(
                channel: "floor",
                id: id,
                text: text,
                language: language?.value,
                final: true,
                start: segment.startMicros,
                end: segment.endMicros,
                source: "floor"
            )
        )
        var captioned = ["floor"]
        guard let language else { return captioned }
        for target in configuration.targets where target != language {
            if await interpret(text, from: language, into: target, id: id, segment: segment) { captioned.append(target.value) }
        }
        return captioned
    }

    /// The language identifier's answer for `segment` when it is sure of one of the event's languages; nil when there
    /// is no identifier, it is unsure, or it failed (the recognizer then identifies, as without one).
    private func sureIdentification(of segment: SpeechSegment) async -> (language: LanguageTag?, confidence: Double)? {
        guard let identifier, let ranked = try? await identifier.identify(segment, among: configuration.languages),
            let top = ranked.first, top.1 >= configuration.sureIdentification
        else { return nil }
        return (top.0, top.1)
    }

    /// The segment's language among the event's, and how sure: the script where it settles it (sure), else the
    /// engine's probabilities renormalized over the event's languages (the script left out: a text written in
    /// the wrong language's letters says nothing about the speech), else the engine's own answer.
    private func identify(_ transcript: Transcript) -> (language: LanguageTag?, confidence: Double) {
        let languages = configuration.languages
        if let decisive = LanguageScript.decisiveLanguage(of: transcript.text, among: languages) { return (decisive, 1) }
        if !transcript.languageProbabilities.isEmpty,
            let top = SpokenLanguageEvidence.rank(
                probabilities: transcript.languageProbabilities,
                detected: transcript.language,
                text: "",
                among: languages
            ).first
        {
            return top
        }
        guard let heard = transcript.language, languages.contains(heard) else { return (nil, 0) }
        return (heard, transcript.languageProbability ?? 0)
    }

    /// The language to transcribe an unsure segment in once more: one of the event's whose letters settle it,
    /// not the one identified, and that the engine weighed at all (at least `plausibleSecondHearing` among the
    /// event's languages, when it gives probabilities), while no language of the same script leads (`siblingLead`):
    /// forced to Kazakh, Whisper can write Kazakh letters into Russian it gave Kazakh 0.003–0.06 for, or leaned to
    /// at 0.7 or more, and that must not make it Kazakh.
    private func secondHearing(of transcript: Transcript, heard: LanguageTag?) -> LanguageTag? {
        let languages = configuration.languages
        let weights =
            transcript.languageProbabilities.isEmpty
            ? [:]
            : Dictionary(
                SpokenLanguageEvidence.rank(probabilities: transcript.languageProbabilities, detected: nil, text: "", among: languages),
                uniquingKeysWith: { first, _ in first }
            )
        return languages.first { language in
            language != heard && LanguageScript.hasDecisiveLetters(language)
                && (weights.isEmpty || weights[language, default: 0] >= configuration.plausibleSecondHearing)
                && !languages.contains { sibling in
                    sibling != language && LanguageScript.shareScript(sibling, language)
                        && weights[sibling, default: 0] >= configuration.siblingLead
                }
        }
    }

    /// Translates, captions and speaks one line on `target`'s channel; returns whether it was captioned.
    private func interpret(_ text: String, from source: LanguageTag, into target: LanguageTag, id: String, segment: SpeechSegment) async -> Bool {
        let glossary = configuration.glossary.translations(from: source, to: target)
        let translated: String
        do {
            // A text translator serves every booth from the one transcript; hearing the speech again for English would
            // cost a second recognition pass per segment, which a laptop's CPU cannot spare in real time.
            if let translator {
                translated = try await translator.translate(text, from: source, to: target, glossary: glossary)
            } else if let speechTranslator, speechTranslator.targetLanguages.contains(target) {
                let hints = configuration.glossary.terms(in: target)
                translated = try await speechTranslator.translate(segment, into: target, hints: hints).text.trimmingWhitespace()
            } else {
                return false
            }
        } catch {
            failingTranslations.insert(target)
            await output.engineStatus(.failed(error.description), of: target)
            return false
        }
        failingTranslations.remove(target)
        await output.caption(
            ControlMessages.Caption(
                channel: target.value,
                id: id,
                text: translated,
                language: target.value,
                final: true,
                start: segment.startMicros,
                end: segment.endMicros,
                source: "machine"
            )
        )
        guard let synthesizer, synthesizer.languages.contains(target) else {
            await output.engineStatus(.ready, of: target)
            return true
        }
        do {
            let audio = try await synthesizer.synthesize(translated, language: target)
            await output.speak(audio, in: target, for: segment)
            await output.engineStatus(.ready, of: target)
        } catch {
            await output.engineStatus(.failed(error.description), of: target)
        }
        return true
    }
}
