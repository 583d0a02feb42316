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

        public init(
            languages: [LanguageTag],
            targets: [LanguageTag],
            glossary: [GlossaryTerm] = [],
            maximumLag: UInt64 = 6_000_000,
            sureIdentification: Double = 0.8,
            plausibleSecondHearing: Double = 0.08
        ) {
            self.languages = languages
            self.targets = targets
            self.glossary = glossary
            self.maximumLag = maximumLag
            self.sureIdentification = sureIdentification
            self.plausibleSecondHearing = plausibleSecondHearing
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
        let started = now()
        if started > segment.endMicros + configuration.maximumLag {
            await output.dropped(segment, lateBy: started - segment.endMicros)
            return
        }
        let hints = configuration.glossary.allTerms
        let identified = await sureIdentification(of: segment)
        var transcript: Transcript
        do {
            transcript = try await recognizer.transcribe(
                segment,
                language: identified?.language,
                candidates: identified == nil ? configuration.languages : [],
                hints: hints
            )
            await output.engineStatus(.ready, of: nil)
        } catch {
            await output.engineStatus(.failed(error.description), of: nil)
            return
        }
        guard filter.accepts(transcript) else { return }
        var heard = identify(transcript)
        if let identified {
            // Heard in the language identified; letters that settle another of the event's languages still win.
            if LanguageScript.decisiveLanguage(of: transcript.text, among: configuration.languages) == nil { heard = identified }
        } else if heard.confidence < configuration.sureIdentification,
            let other = secondHearing(of: transcript, heard: heard.language),
            let forced = try? await recognizer.transcribe(segment, language: other, candidates: [], hints: hints),
            filter.accepts(forced),
            LanguageScript.decisiveLanguage(of: forced.text, among: configuration.languages) == other
        {
            transcript = forced
            heard = (other, 1)
        }
        let text = transcript.text.trimmingWhitespace()
        let language = heard.language
        if let switched = tracker.heard(language, confidence: heard.confidence, duration: segment.durationMicros) {
            await output.floorLanguageHeard(switched)
        }
        lineNumber += 1
        let id = "m\(lineNumber)"
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
        guard let language else { return }
        for target in configuration.targets where target != language {
            await interpret(text, from: language, into: target, id: id, segment: segment)
        }
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
    /// event's languages, when it gives probabilities): forced to Kazakh, Whisper can write Kazakh letters into
    /// Russian it gave Kazakh 0.003–0.06 for, and that must not make it Kazakh.
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
        }
    }

    private func interpret(_ text: String, from source: LanguageTag, into target: LanguageTag, id: String, segment: SpeechSegment) async {
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
                return
            }
        } catch {
            await output.engineStatus(.failed(error.description), of: target)
            return
        }
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
            return
        }
        do {
            let audio = try await synthesizer.synthesize(translated, language: target)
            await output.speak(audio, in: target, for: segment)
            await output.engineStatus(.ready, of: target)
        } catch {
            await output.engineStatus(.failed(error.description), of: target)
        }
    }
}
