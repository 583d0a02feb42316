import Crypto
import CryptoExtras

/// An event's PIN as the server keeps it: PBKDF2-SHA256 with a salt of its own, never the PIN.
///
/// A PIN is 4 to 12 digits that every delegate knows, so it is a weak secret: a slow, salted hash makes
/// trying every PIN against a copied database cost seconds to days instead of microseconds. Checking is
/// slow on purpose (milliseconds); `PINMemory` spares a room of phones that
/// reconnect at once from paying it more than once.
public struct PINDigest: Sendable, Hashable, CustomStringConvertible {
    /// PBKDF2 rounds: a few milliseconds per check here. A PIN check sits in the path of joins and the lockout
    /// already limits guesses on the network; what the rounds buy is time against a copied database
    /// (a 12-digit PIN then costs years of a core, a 4-digit one minutes: the docs recommend long PINs).
    public static let rounds = 20_000

    /// How the digest is written in the database: `pbkdf2-sha256$ROUNDS$SALT$HASH`, salt and hash in hex.
    public let stored: String

    /// The digest of `pin` with `salt` (16 random bytes: see `init(of:using:)`).
    public init(of pin: String, salt: [UInt8], rounds: Int = PINDigest.rounds) {
        stored = "pbkdf2-sha256$\(rounds)$\(hex(salt))$\(Self.derive(pin, salt: salt, rounds: rounds))"
    }

    /// The digest of `pin` with a fresh random salt.
    public init<G: RandomNumberGenerator>(of pin: String, using generator: inout G) {
        self.init(of: pin, salt: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A digest read back from the database; nil when `stored` is not one.
    public init?(stored: String) {
        guard Self.parts(of: stored) != nil else { return nil }
        self.stored = stored
    }

    /// Whether `candidate` is the PIN, compared in constant time.
    public func matches(_ candidate: String) -> Bool {
        guard let (rounds, salt, expected) = Self.parts(of: stored) else { return false }
        return constantTimeEquals(expected, Self.derive(candidate, salt: salt, rounds: rounds))
    }

    /// Never the PIN, only that there is one.
    public var description: String { "PINDigest(…)" }

    private static func derive(_ pin: String, salt: [UInt8], rounds: Int) -> String {
        // Only fails for a zero round count or an unknown hash function, neither of which can happen here.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(pin.utf8),
            salt: salt,
            using: .sha256,
            outputByteCount: 32,
            unsafeUncheckedRounds: rounds
        )
        return key.withUnsafeBytes { hex($0) }
    }

    private static func parts(of stored: String) -> (rounds: Int, salt: [UInt8], hash: String)? {
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "pbkdf2-sha256", let rounds = Int(fields[1]), (1...10_000_000).contains(rounds),
            let salt = bytes(fromHex: fields[2]), !salt.isEmpty, fields[3].count == 64, bytes(fromHex: fields[3]) != nil
        else { return nil }
        return (rounds, salt, String(fields[3]))
    }

    private static func bytes(fromHex text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
