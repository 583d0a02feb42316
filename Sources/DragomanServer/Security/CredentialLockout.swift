import DragomanCore
import NIOConcurrencyHelpers

/// Every credential check of the server goes through here: PINs, floor tokens, interpreter keys,
/// the organizer token and join codes. Wrong guesses are counted per client address
/// (`GuessLockout`), so guessing a PIN or a key takes days, not a second.
final class CredentialLockout: Sendable {
    private let lockout = NIOLockedValueBox(GuessLockout())
    private let clock: any EventClock
    private let refusals = NIOLockedValueBox(0)

    init(clock: any EventClock = WallClock()) {
        self.clock = clock
    }

    /// Refuses `address` if it is locked out.
    func admit(_ address: String) throws(ProtocolError) {
        let now = clock.nowMicros()
        if let wait = lockout.withLockedValue({ $0.lockedFor(address, at: now) }) {
            refusals.withLockedValue { $0 += 1 }
            throw Self.lockedOut(wait)
        }
    }

    /// Counts the outcome of a credential check from `address`: a refusal of kind `unauthorized` or
    /// `unknownEvent` is a wrong guess. A success clears nothing: otherwise a guest could wipe their
    /// count between guesses with a request that needs no credential (a public event's channel).
    /// Failures are forgotten a quarter of an hour after the last one.
    func record(_ outcome: ProtocolError.Code?, from address: String) {
        guard outcome == .unauthorized || outcome == .unknownEvent else { return }
        let now = clock.nowMicros()
        lockout.withLockedValue { _ = $0.failed(address, at: now) }
    }

    /// Runs `check` for `address` unless it is locked out, and counts its outcome.
    func guarding<T>(_ address: String, _ check: () async throws -> T) async throws -> T {
        try admit(address)
        do {
            let value = try await check()
            record(nil, from: address)
            return value
        } catch let error as ProtocolError {
            record(error.code, from: address)
            throw error
        }
    }

    /// How many attempts were refused because their address was locked out.
    var lockedOutAttempts: Int { refusals.withLockedValue { $0 } }

    private static func lockedOut(_ micros: UInt64) -> ProtocolError {
        let seconds = max(1, Int((micros + 999_999) / 1_000_000))
        return ProtocolError(
            .lockedOut,
            "Too many wrong PINs, keys or codes from this device: try again in \(seconds) s. Check the code and PIN on the place card."
        )
    }
}
