/// A speech engine that runs on this machine as a process of its own (the Whisper worker): the server starts it
/// when a machine booth first needs it, restarts it when it dies, and stops it when the server stops.
public struct LocalEngine: Sendable, Equatable {
    /// What operators read in the log: "the Whisper worker".
    public var name: String
    /// The program to run, an absolute path.
    public var executable: String
    public var arguments: [String]

    public init(name: String, executable: String, arguments: [String]) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
    }
}

/// How long to wait before starting a crashed engine again: at once after a long run, then doubling while it
/// keeps dying young, up to a ceiling, so an engine that cannot start (a missing model) costs little.
public struct RestartBackoff: Sendable, Equatable {
    /// A run at least this long counts as healthy and resets the delay, seconds.
    public var healthyRun: Double = 60
    public var first: Double = 1
    public var ceiling: Double = 30
    /// The delay that the next quick death will get, seconds.
    public private(set) var next: Double

    public init() { next = first }

    /// The engine stopped after running `seconds`: how long to wait before the next start.
    public mutating func stopped(afterRunning seconds: Double) -> Double {
        if seconds >= healthyRun { next = first }
        let delay = next
        next = min(next * 2, ceiling)
        return delay
    }
}
