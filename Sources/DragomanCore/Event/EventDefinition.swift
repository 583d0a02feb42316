/// An event as the organizer defined it: what is stored and survives a restart.
public struct EventDefinition: Sendable, Equatable {
    /// The most language channels one event may have.
    public static let maximumLanguages = 16
    /// The longest name, in characters.
    public static let maximumNameLength = 200

    public var code: JoinCode
    public var name: String
    /// The languages of the event's channels, in the organizer's order. The floor channel is always there too.
    public var languages: [LanguageTag]
    /// The languages whose channels have a machine booth: machine interpretation when no interpreter is live.
    public var machineBooths: [LanguageTag] = []
    /// Terms the machine must know (names, subjects), each in some of the event's languages.
    public var glossary: [GlossaryTerm] = []
    /// Whether every channel is recorded (and every console says so).
    public var recording = false
    /// Recordings older than this many days are deleted by themselves; nil keeps them until the organizer deletes them.
    public var retentionDays: Int?
    /// A confidential meeting: nothing is recorded, nothing leaves the room (no Icecast relay, no Ogg stream),
    /// and captions reach phones live but are not kept. `EventRules.privacy` keeps it apart from `recording`.
    public var confidential = false
    /// Whether the recording's audit trail names the interpreter on air; when false it says "ru booth interpreter".
    public var namesInRecord = false
    /// Milliseconds of audio per message to a listener: 20 (the lowest delay), or 40 or 60 for very large rooms,
    /// where the server then writes two or three 20 ms packets as one message (`AudioMessage`): half or a third
    /// of the sends and Wi-Fi frames, for 20 or 40 ms more delay.
    public var packetMs = 20
    /// The settings `packetMs` may take.
    public static let packetDurations = [20, 40, 60]
    /// Packets per message to a listener.
    public var packetsPerMessage: Int { max(1, packetMs / 20) }
    /// The PIN listeners must give (kept as a salted slow hash), or nil when anyone with the code may listen.
    public var pin: PINDigest?
    /// The secret that allows publishing the floor of this event (kept as a hash: shown once when made).
    public var floorToken: SecretDigest
    /// Seconds since the Unix epoch.
    public var createdAt: Double

    public init(
        code: JoinCode,
        name: String,
        languages: [LanguageTag],
        machineBooths: [LanguageTag] = [],
        glossary: [GlossaryTerm] = [],
        pin: PINDigest?,
        floorToken: SecretDigest,
        createdAt: Double
    ) {
        self.code = code
        self.name = name
        self.languages = languages
        self.machineBooths = machineBooths.filter { languages.contains($0) }
        self.glossary = glossary
        self.pin = pin
        self.floorToken = floorToken
        self.createdAt = createdAt
    }

    /// Every channel of the event: the floor first, then the languages.
    public var channels: [ChannelID] { [.floor] + languages.map { .language($0) } }

    /// Whether the event has this channel.
    public func has(_ channel: ChannelID) -> Bool {
        switch channel {
        case .floor: true
        case .language(let tag): languages.contains(tag)
        }
    }

    /// Whether `candidate` lets a listener in (the slow check: see `PINMemory`).
    public func admits(pin candidate: String?) -> Bool {
        guard let pin else { return true }
        guard let candidate else { return false }
        return pin.matches(candidate)
    }
}

/// Compares secrets without an early exit, so timing does not tell how much of a guess was right.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return difference == 0
}
