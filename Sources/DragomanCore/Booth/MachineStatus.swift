/// Where a channel's machine booth stands: the dashboard shows it, and routing uses it.
public enum MachineStatus: Hashable, Sendable {
    /// The channel has no machine booth.
    case none
    /// Its engines are starting (models loading, a worker not answering yet).
    case starting
    /// It listens to the floor and interprets.
    case ready
    /// An engine failed; the reason names it. The channel falls back as if it had no machine.
    case failed(String)

    /// Whether the machine can carry the channel now.
    public var isReady: Bool { self == .ready }

    /// The wire form: nil (no machine booth), `starting`, `ready` or `failed`.
    public var wireName: String? {
        switch self {
        case .none: nil
        case .starting: "starting"
        case .ready: "ready"
        case .failed: "failed"
        }
    }
}
