/// What a technician reading the server's log needs of an event: whether the floor is on air, its
/// language, and who is live in each booth. Two views give the log lines of what changed between
/// them, in words, one line each.
public struct OperatorView: Equatable, Sendable {
    public var floorLive: Bool
    public var floorLanguage: LanguageTag?
    /// The name of the interpreter live in each booth (booths with nobody live are absent).
    public var live: [LanguageTag: String]

    public init(floorLive: Bool, floorLanguage: LanguageTag?, live: [LanguageTag: String]) {
        self.floorLive = floorLive
        self.floorLanguage = floorLanguage
        self.live = live
    }

    /// What changed since `before`, one sentence each, in a stable order.
    public func changes(since before: OperatorView) -> [String] {
        var lines: [String] = []
        if floorLive != before.floorLive { lines.append(floorLive ? "floor on air" : "floor off air") }
        if floorLanguage != before.floorLanguage {
            lines.append("floor language \(floorLanguage?.value ?? "not known") (was \(before.floorLanguage?.value ?? "not known"))")
        }
        for booth in Set(live.keys).union(before.live.keys).sorted(by: { $0.value < $1.value }) where live[booth] != before.live[booth] {
            if let name = live[booth] {
                lines.append("\(booth.value) booth: \(name) live" + (before.live[booth].map { " (after \($0))" } ?? ""))
            } else {
                lines.append("\(booth.value) booth: off air (\(before.live[booth] ?? "?") left the microphone)")
            }
        }
        return lines
    }
}

extension EventState {
    /// The technician's view of the event now.
    public var operatorView: OperatorView {
        let names = Dictionary(interpreters.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return OperatorView(
            floorLive: isFloorLive,
            floorLanguage: floorLanguage,
            live: desks.compactMapValues { desk in desk.microphone.live.map { names[$0] ?? $0.value } }
        )
    }
}
