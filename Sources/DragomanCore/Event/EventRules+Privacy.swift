extension EventRules {
    /// Checks that a confidential event is not recorded.
    ///
    /// Both asked for is refused rather than one silently winning: an organizer who ticks "record" must not
    /// find after the meeting that nothing was kept, and one who asks for confidentiality must not find a
    /// recording. The error says which field to change; the desk form unticks recording by itself.
    public static func privacy(confidential: Bool, recording: Bool) throws(Violation) {
        guard confidential, recording else { return }
        throw Violation(
            field: "confidential",
            message:
                "A confidential event cannot be recorded: 'confidential' and 'recording' are both true. Send \"recording\": false with \"confidential\": true, or turn 'confidential' off to record."
        )
    }
}
