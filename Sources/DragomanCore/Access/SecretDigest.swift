import Crypto

/// A random secret (a floor token, an interpreter key) as the server keeps it: its SHA-256, never the secret.
///
/// The secrets are random (a token has 192 bits, a key about 39), so one fast hash is enough: there is no
/// word list to try, and the database alone no longer opens a floor or a booth. The secret itself is shown
/// once, when it is made; a lost one is replaced, not looked up.
public struct SecretDigest: Sendable, Hashable, CustomStringConvertible {
    /// How the digest is written in the database: `sha256:` and 64 lower-case hex digits.
    public let stored: String

    private static let prefix = "sha256:"

    /// The digest of `secret`.
    public init(of secret: String) {
        stored = Self.prefix + hex(SHA256.hash(data: Array(secret.utf8)))
    }

    /// A digest read back from the database; nil when `stored` is not one.
    public init?(stored: String) {
        guard stored.hasPrefix(Self.prefix) else { return nil }
        let digits = stored.dropFirst(Self.prefix.count)
        guard digits.count == 64, digits.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.stored = stored
    }

    /// Whether `candidate` is the secret, compared in constant time.
    public func matches(_ candidate: String) -> Bool {
        constantTimeEquals(stored, SecretDigest(of: candidate).stored)
    }

    /// Never the secret, only that there is one.
    public var description: String { "SecretDigest(…)" }
}

/// Lower-case hex of bytes.
func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef")
    var text = ""
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return text
}
