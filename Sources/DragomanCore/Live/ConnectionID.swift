/// Names one connection (a console, a floor publisher) to a live event. The server hands them
/// out; the state machine only compares them, so a reconnect is told apart from the connection
/// it replaces.
public struct ConnectionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public var description: String { "#\(value)" }
    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.value < rhs.value }
}
