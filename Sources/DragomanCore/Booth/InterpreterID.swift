/// Names one interpreter of an event (the id of their credential), e.g. `i-3f2a9c`.
public struct InterpreterID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { value }
    public static func < (lhs: InterpreterID, rhs: InterpreterID) -> Bool { lhs.value < rhs.value }
}
