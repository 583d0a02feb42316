/// Who the recording's audit trail says is on air, as the organizer allows (`EventDefinition.namesInRecord`):
/// the interpreter by name and id, or only by booth and role ("ru booth interpreter").
///
/// The trail keeps what a channel's listeners were told; a `carrying` line whose source is an interpreter
/// gets the person who carried it added here, and nowhere else is a name written to a recording.
public enum RecordNames {
    /// Who carried a channel, as the trail writes it.
    public struct Speaker: Sendable, Equatable, Codable {
        /// The interpreter's name, or "ru booth interpreter".
        public var interpreter: String
        /// The interpreter's id; nil when names are not kept.
        public var interpreterId: String?

        public init(interpreter: String, interpreterId: String? = nil) {
            self.interpreter = interpreter
            self.interpreterId = interpreterId
        }
    }

    /// The role that stands for a person when names are not kept.
    public static func role(of booth: LanguageTag) -> String { "\(booth) booth interpreter" }

    /// Who carried `channel` when its listeners were told `source`: nil unless an interpreter of the channel's
    /// booth did (`interpreter` or `relay`); then the live interpreter's name and id when `namesInRecord`,
    /// else the booth's role only.
    public static func speaker(
        of channel: ChannelID,
        source: ControlMessages.Source,
        live: Interpreter?,
        namesInRecord: Bool
    ) -> Speaker? {
        guard source.kind == "interpreter" || source.kind == "relay", let booth = channel.language else { return nil }
        guard namesInRecord, let live, live.booth == booth else { return Speaker(interpreter: role(of: booth)) }
        return Speaker(interpreter: live.name, interpreterId: live.id.value)
    }

    /// The `source` of a transcript line: "floor" and "machine" as they are; an interpreter's (`interpreter`
    /// or `interpreter:<name>`) is "interpreter" alone unless names are kept.
    public static func captionSource(_ source: String, namesInRecord: Bool) -> String {
        guard !namesInRecord, source.hasPrefix("interpreter") else { return source }
        return "interpreter"
    }
}

extension EventState {
    /// The interpreter live in `booth` now, if any.
    public func liveInterpreter(in booth: LanguageTag) -> Interpreter? {
        guard let live = desks[booth]?.microphone.live else { return nil }
        return interpreters.first { $0.id == live }
    }
}
