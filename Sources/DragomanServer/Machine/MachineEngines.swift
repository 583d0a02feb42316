public import DragomanSpeech

/// The engines a server's machine booths use, chosen when the server starts.
public struct MachineEngines: Sendable {
    /// Makes one voice activity detector per floor (they keep state).
    public var makeDetector: @Sendable () throws(SpeechError) -> any VoiceActivityDetector
    public var recognizer: any SpeechRecognizer
    /// Spoken language identification of its own, for a recognizer that cannot tell languages apart; nil: the
    /// recognizer identifies.
    public var identifier: (any SpokenLanguageIdentifier)?
    /// Text translation between the event's languages; nil: the machine captions the floor only.
    public var translator: (any TextTranslator)?
    /// Speech straight into English, for English booths (Whisper's translate task); nil: none.
    public var speechTranslator: (any SpeechTranslator)?
    /// The machine's voices; nil: captions only.
    public var synthesizer: (any SpeechSynthesizer)?
    /// Whether the floor language follows the floor by ear.
    public var floorLanguage: FloorLanguageMode
    /// When the speech still open is shown as partial captions; nil: final lines only.
    public var partialCaptions: PartialCaptionSchedule?
    /// Engines the server runs as processes of its own (the Whisper worker behind `recognizer`), started when a
    /// machine booth first needs them and restarted when they die.
    public var localEngines: [LocalEngine]

    public init(
        makeDetector: @escaping @Sendable () throws(SpeechError) -> any VoiceActivityDetector,
        recognizer: any SpeechRecognizer,
        identifier: (any SpokenLanguageIdentifier)? = nil,
        translator: (any TextTranslator)?,
        speechTranslator: (any SpeechTranslator)? = nil,
        synthesizer: (any SpeechSynthesizer)?,
        floorLanguage: FloorLanguageMode = .auto,
        partialCaptions: PartialCaptionSchedule? = PartialCaptionSchedule(),
        localEngines: [LocalEngine] = []
    ) {
        self.makeDetector = makeDetector
        self.recognizer = recognizer
        self.identifier = identifier
        self.translator = translator
        self.speechTranslator = speechTranslator
        self.synthesizer = synthesizer
        self.floorLanguage = floorLanguage
        self.partialCaptions = partialCaptions
        self.localEngines = localEngines
    }
}

/// Who sets the floor language.
public enum FloorLanguageMode: String, Sendable, CaseIterable {
    /// The operator, by hand.
    case manual
    /// The machine proposes a change on the dashboard; the operator confirms.
    case suggest
    /// The machine sets it when it is sure (with hysteresis).
    case auto
}
