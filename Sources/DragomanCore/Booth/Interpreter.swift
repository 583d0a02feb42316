/// One interpreter of an event, as the organizer made them: a name, the booth they work in,
/// and the key that opens that booth's console (and no other), kept as a hash: the key itself is shown
/// once, when it is made (`make`, `withNewKey`).
public struct Interpreter: Sendable, Equatable {
    /// The longest name, in characters.
    public static let maximumNameLength = 100
    /// Characters of a key: like a join code, no look-alikes, so it can be read out over the phone.
    public static let keyLength = 8

    public var id: InterpreterID
    public var name: String
    public var booth: LanguageTag
    public var key: SecretDigest
    /// Seconds since the Unix epoch.
    public var createdAt: Double

    public init(id: InterpreterID, name: String, booth: LanguageTag, key: SecretDigest, createdAt: Double) {
        self.id = id
        self.name = name
        self.booth = booth
        self.key = key
        self.createdAt = createdAt
    }

    /// A new interpreter with a fresh id and key, and the key itself (to show once).
    public static func make<G: RandomNumberGenerator>(
        name: String,
        booth: LanguageTag,
        createdAt: Double,
        using generator: inout G
    ) -> (interpreter: Interpreter, key: String) {
        let key = randomKey(using: &generator)
        let interpreter = Interpreter(
            // 8 random bytes: ids are unique across every event of the database, and 3 bytes collided.
            id: InterpreterID("i-" + SecretGenerator.token(bytes: 8, using: &generator)),
            name: name,
            booth: booth,
            key: SecretDigest(of: key),
            createdAt: createdAt
        )
        return (interpreter, key)
    }

    /// A random key from the join-code alphabet.
    public static func randomKey<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<keyLength).map { _ in JoinCode.alphabet.randomElement(using: &generator)! })
    }

    /// A key as a person may type it (lower case, spaces or dashes), or nil when it cannot be one.
    public static func normalizedKey(_ text: String) -> String? {
        let key = text.uppercased().filter { $0 != " " && $0 != "-" }
        guard key.count == keyLength, key.allSatisfy({ JoinCode.alphabet.contains($0) }) else { return nil }
        return key
    }

    /// Checks a name the organizer typed: trimmed, 1–100 characters, no control characters.
    public static func validName(_ text: String?) throws(EventRules.Violation) -> String {
        guard let text else { throw EventRules.Violation(field: "name", message: "The field 'name' is missing: give the interpreter's name.") }
        let name = text.trimmingWhitespace()
        guard !name.isEmpty else { throw EventRules.Violation(field: "name", message: "The field 'name' is empty.") }
        guard name.count <= maximumNameLength else {
            throw EventRules.Violation(field: "name", message: "The name is \(name.count) characters long; at most \(maximumNameLength) are allowed.")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw EventRules.Violation(field: "name", message: "The name contains control characters.")
        }
        return name
    }
}
