/// Slows down whoever guesses credentials: PINs, interpreter keys, tokens and join codes.
///
/// Each client address has a few free failures; after that every failure locks it out for a time
/// that doubles, up to a cap, so a 4-digit PIN takes weeks instead of a second. An address that has
/// not failed for a quarter of an hour starts afresh. The table is bounded: when it is full, the
/// entry that failed longest ago is forgotten.
///
/// ```swift
/// var lockout = GuessLockout()
/// if let wait = lockout.lockedFor(address, at: now) { refuse("try again in \(wait) µs") }
/// if wrong { lockout.failed(address, at: now) }
/// ```
public struct GuessLockout: Sendable {
    /// Failures allowed before the first lockout.
    public static let freeFailures = 5
    /// The first lockout, doubled for every further failure.
    public static let firstLockoutMicros: UInt64 = 1_000_000
    /// The longest lockout.
    public static let longestLockoutMicros: UInt64 = 300_000_000
    /// An address that has not failed for this long starts afresh.
    public static let forgetAfterMicros: UInt64 = 900_000_000
    /// The most addresses remembered at once.
    public static let capacity = 10_000

    private struct Record: Sendable {
        var failures: Int
        var lastFailure: UInt64
        var lockedUntil: UInt64
    }

    private var records: [String: Record] = [:]

    public init() {}

    /// How much longer `address` must wait before trying again (µs), or nil if it may try now.
    public func lockedFor(_ address: String, at now: UInt64) -> UInt64? {
        guard let record = records[address], record.lockedUntil > now else { return nil }
        return record.lockedUntil - now
    }

    /// Counts a wrong credential from `address`; returns how long it is now locked out (µs), if it is.
    @discardableResult
    public mutating func failed(_ address: String, at now: UInt64) -> UInt64? {
        var record = records[address] ?? Record(failures: 0, lastFailure: now, lockedUntil: 0)
        if now > record.lastFailure + Self.forgetAfterMicros { record = Record(failures: 0, lastFailure: now, lockedUntil: 0) }
        record.failures += 1
        record.lastFailure = now
        let over = record.failures - Self.freeFailures
        if over > 0 {
            let doubled = Self.firstLockoutMicros << UInt64(min(over - 1, 20))
            record.lockedUntil = now + min(doubled, Self.longestLockoutMicros)
        }
        if records[address] == nil, records.count >= Self.capacity { forgetOldest() }
        records[address] = record
        return over > 0 ? record.lockedUntil - now : nil
    }

    /// How many addresses are remembered.
    public var count: Int { records.count }

    private mutating func forgetOldest() {
        guard let oldest = records.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key else { return }
        records[oldest] = nil
    }
}
