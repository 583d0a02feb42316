/// The PIN that listeners last gave right, kept in memory only, so that the slow check of `PINDigest`
/// runs once per PIN and not once per phone: a room that reconnects at once costs one hash, and a wrong
/// guess against a remembered PIN costs none.
public struct PINMemory: Sendable {
    private var remembered: (digest: PINDigest, pin: String)?

    public init() {}

    /// Whether `candidate` is the PIN, when a PIN has been admitted under `digest` (then it is the PIN, and
    /// the answer needs no hash: constant time); nil when none has, and the slow check must decide.
    public func check(_ candidate: String, for digest: PINDigest) -> Bool? {
        guard let remembered, remembered.digest == digest else { return nil }
        return constantTimeEquals(remembered.pin, candidate)
    }

    /// Remembers `pin`, which `digest` has just admitted. A new PIN (a new digest) replaces the old one.
    public mutating func remember(_ pin: String, for digest: PINDigest) {
        remembered = (digest, pin)
    }
}
