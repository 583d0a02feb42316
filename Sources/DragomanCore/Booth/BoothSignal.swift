/// What a booth can signal to the organizer's dashboard besides chat.
public enum BoothSignal: String, Sendable, Codable, CaseIterable {
    /// The speaker goes too fast; anonymous, and may be shown on a speaker screen.
    case slowDown = "slow-down"
    /// The booth needs a technician now.
    case help
}
