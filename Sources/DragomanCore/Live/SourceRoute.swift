/// Where the audio of one source (the floor, or a booth's microphone) goes now: decided when the
/// event changes, and only read on the audio path, 50 times a second per source.
public struct SourceRoute: Equatable, Sendable {
    /// Channels whose listeners hear this source.
    public var channels: [ChannelID]
    /// Booths that hear this source (their consoles): the floor, or relay.
    public var booths: [LanguageTag]
    /// For a booth's microphone: the interpreter whose audio goes out; audio from anyone else
    /// in the booth goes nowhere. Nil for the floor, and for a booth with nobody live.
    public var speaker: InterpreterID?
    /// The live interpreter holds the cough key: silence goes out in place of the microphone.
    public var muted: Bool

    public init(channels: [ChannelID] = [], booths: [LanguageTag] = [], speaker: InterpreterID? = nil, muted: Bool = false) {
        self.channels = channels
        self.booths = booths
        self.speaker = speaker
        self.muted = muted
    }

    /// A source nobody hears.
    public static let nowhere = SourceRoute()

    /// Whether audio from `interpreter` (nil: the floor publisher) goes out on this route.
    public func admits(_ interpreter: InterpreterID?) -> Bool {
        interpreter == nil || speaker == interpreter
    }
}
