/// The short code a delegate types or scans to join an event, e.g. `K7QM2X`.
///
/// Six characters from an alphabet without look-alikes (no 0/O, no 1/I/L), so a code
/// read aloud in a hall or printed on a place card is not mistyped. Input is case-insensitive.
public struct JoinCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The characters a code is made of.
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    /// The number of characters in a code.
    public static let length = 6

    /// The canonical (upper-case) code.
    public let value: String

    /// Parses user input: trims spaces, ignores case. Returns nil when it is not a valid code.
    public init?(_ input: String) {
        let normalized = input.trimmingWhitespace().uppercased()
        guard normalized.count == Self.length, normalized.allSatisfy({ Self.alphabet.contains($0) }) else {
            return nil
        }
        self.value = normalized
    }

    /// Makes a random code from the given generator.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> JoinCode {
        var text = ""
        for _ in 0..<length {
            text.append(alphabet.randomElement(using: &generator)!)
        }
        return JoinCode(text)!
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = JoinCode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a join code"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension String {
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
