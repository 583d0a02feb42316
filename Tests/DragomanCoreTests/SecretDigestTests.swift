import DragomanCore
import Testing

/// Secrets are kept as hashes that check the secret and give nothing of it away.
struct SecretDigestTests {
    @Test func aDigestChecksItsSecretAndNoOther() {
        let digest = SecretDigest(of: "R4KM7TQX")
        #expect(digest.matches("R4KM7TQX"))
        #expect(!digest.matches("R4KM7TQY") && !digest.matches("") && !digest.matches("R4KM7TQX "))
        #expect(digest.stored.hasPrefix("sha256:") && !digest.stored.contains("R4KM7TQX"))
        #expect(!"\(digest)".contains(digest.stored))
    }

    @Test func aStoredDigestIsReadBackAndAnythingElseIsNot() {
        let digest = SecretDigest(of: "token")
        #expect(SecretDigest(stored: digest.stored) == digest)
        #expect(SecretDigest(stored: "token") == nil)
        #expect(SecretDigest(stored: "sha256:abc") == nil)
        #expect(SecretDigest(stored: digest.stored.uppercased()) == nil)
    }

    @Test func aPINIsSaltedSoTheSamePINIsStoredDifferently() {
        var rng = SystemRandomNumberGenerator()
        let first = PINDigest(of: "493817", using: &rng)
        let second = PINDigest(of: "493817", using: &rng)
        #expect(first != second)
        #expect(first.matches("493817") && second.matches("493817"))
        #expect(!first.matches("493818") && !first.matches("49381") && !first.matches(""))
        #expect(!first.stored.contains("493817") && first.stored.hasPrefix("pbkdf2-sha256$\(PINDigest.rounds)$"))
    }

    @Test func aStoredPINDigestIsReadBackAndAnythingElseIsNot() {
        let digest = PINDigest(of: "2468", salt: [9, 8, 7, 6])
        #expect(PINDigest(stored: digest.stored) == digest)
        #expect(PINDigest(stored: digest.stored)?.matches("2468") == true)
        #expect(PINDigest(stored: "2468") == nil)
        #expect(PINDigest(stored: "pbkdf2-sha256$0$0906$" + String(repeating: "0", count: 64)) == nil)
        #expect(PINDigest(stored: "pbkdf2-sha256$1000$xyz$" + String(repeating: "0", count: 64)) == nil)
    }

    /// The slow check runs until a PIN is admitted; then right and wrong are told without it, until the
    /// organizer changes the PIN.
    @Test func theMemoryDecidesOnlyForTheDigestItAdmittedThePINUnder() {
        let old = PINDigest(of: "2468", salt: [1])
        let new = PINDigest(of: "1357", salt: [2])
        var memory = PINMemory()
        #expect(memory.check("2468", for: old) == nil)
        memory.remember("2468", for: old)
        #expect(memory.check("2468", for: old) == true)
        #expect(memory.check("2469", for: old) == false)
        #expect(memory.check("1357", for: new) == nil)
    }
}
