import DragomanCore
import Testing

/// The limits that keep one guest on the venue Wi-Fi from guessing secrets or flooding screens.
struct AccessLimitsTests {
    let second: UInt64 = 1_000_000

    @Test func aFewWrongGuessesAreFreeThenEachLocksOutLongerUpToTheCap() {
        var lockout = GuessLockout()
        for _ in 0..<GuessLockout.freeFailures { #expect(lockout.failed("10.0.0.9", at: 0) == nil) }
        #expect(lockout.lockedFor("10.0.0.9", at: 0) == nil)
        #expect(lockout.failed("10.0.0.9", at: 0) == second)
        #expect(lockout.failed("10.0.0.9", at: 0) == 2 * second)
        #expect(lockout.failed("10.0.0.9", at: 0) == 4 * second)
        #expect(lockout.lockedFor("10.0.0.9", at: second) == 3 * second)
        #expect(lockout.lockedFor("10.0.0.8", at: second) == nil, "another phone is not locked out")
        for _ in 0..<40 { lockout.failed("10.0.0.9", at: 0) }
        #expect(lockout.lockedFor("10.0.0.9", at: 0) == GuessLockout.longestLockoutMicros)
    }

    /// 10,000 PINs at 5 free guesses and then the cap: the attack takes weeks, not 0.36 s.
    @Test func bruteForcingAFourDigitPINTakesWeeks() {
        var lockout = GuessLockout()
        var now: UInt64 = 0
        for _ in 0..<10_000 {
            if let wait = lockout.lockedFor("attacker", at: now) { now += wait }
            lockout.failed("attacker", at: now)
        }
        #expect(now > 30 * 24 * 3600 * second)
    }

    @Test func aQuietQuarterHourStartsAfresh() {
        var lockout = GuessLockout()
        for _ in 0..<5 { lockout.failed("b", at: 0) }
        #expect(lockout.failed("b", at: GuessLockout.forgetAfterMicros + 1) == nil)
    }

    @Test func theTableOfAddressesIsBounded() {
        var lockout = GuessLockout()
        for index in 0..<(GuessLockout.capacity + 500) { lockout.failed("10.\(index)", at: UInt64(index)) }
        #expect(lockout.count == GuessLockout.capacity)
    }

    @Test func aBurstOfFloorLanguageChangesBecomesTheFirstAndTheLast() {
        let kk = LanguageTag("kk")!
        let ru = LanguageTag("ru")!
        var throttle = FloorLanguageThrottle()
        #expect(throttle.request(kk, at: 0) == .applyNow)
        #expect(throttle.request(ru, at: 10) == .holdUntil(second))
        var decisions: [FloorLanguageThrottle.Decision] = []
        for index in 0..<1000 { decisions.append(throttle.request(index.isMultiple(of: 2) ? kk : ru, at: 20 + UInt64(index))) }
        #expect(decisions.allSatisfy { $0 == .held })
        #expect(throttle.due(at: second - 1) == nil)
        #expect(throttle.dueAt == second, "a wake-up that came early knows how long to wait")
        #expect(throttle.due(at: second) == .some(ru), "the last change asked for wins")
        #expect(throttle.due(at: 2 * second) == nil, "only once")
        #expect(throttle.request(nil, at: 3 * second) == .applyNow)
    }

    @Test func refreshesFoldIntoOnePerInterval() {
        var throttle = RefreshThrottle<String>(intervalMicros: 100_000)
        let first = throttle.request("ru", at: 0)
        let other = throttle.request("kk", at: 0)
        #expect(first && other, "each target has its own interval")
        var sent = 0
        for time in 1..<1000 where throttle.request("ru", at: UInt64(time)) { sent += 1 }
        #expect(sent == 0)
        #expect(throttle.due(at: 50_000).isEmpty)
        #expect(throttle.due(at: 100_000) == ["ru"])
        #expect(throttle.due(at: 300_000).isEmpty)
        let early = throttle.request("ru", at: 150_000)
        #expect(!early)
    }

    @Test func eventNamesWithInvisibleCharactersAreRefusedByName() throws {
        for bad in ["Summit\u{0}", "Sum\u{7}mit", "\u{202E}timmuS", "Summit\u{2066}"] {
            #expect(throws: EventRules.Violation.self) { try EventRules.name(bad) }
        }
        do {
            _ = try EventRules.name("Summit\u{0}2026")
            Issue.record("a NUL was accepted")
        } catch {
            #expect(error.message.contains("U+0000"))
        }
        #expect(try EventRules.name("Саммит «Астана» 2026 — 日本") == "Саммит «Астана» 2026 — 日本")
    }
}

/// The lines a technician reads in the journal.
struct OperatorViewTests {
    let ru = LanguageTag("ru")!
    let kk = LanguageTag("kk")!

    @Test func eachChangeIsOneLineInWords() {
        let before = OperatorView(floorLive: false, floorLanguage: ru, live: [kk: "Dana"])
        let after = OperatorView(floorLive: true, floorLanguage: kk, live: [ru: "Aigerim"])
        #expect(
            after.changes(since: before) == [
                "floor on air", "floor language kk (was ru)", "kk booth: off air (Dana left the microphone)", "ru booth: Aigerim live",
            ]
        )
        #expect(after.changes(since: after).isEmpty)
        let handover = OperatorView(floorLive: true, floorLanguage: kk, live: [ru: "Pavel"])
        #expect(handover.changes(since: after) == ["ru booth: Pavel live (after Aigerim)"])
    }
}
