import DragomanCore
import Testing

@Suite struct BoothDeskTests {
    let ru = LanguageTag("ru")!, en = LanguageTag("en")!, kk = LanguageTag("kk")!
    let aigerim = InterpreterID("i-aigerim")

    @Test func aCoughMutesTheBoothButKeepsTheChannelOnIt() throws {
        var desk = BoothDesk()
        desk.microphone = BoothMicrophone(online: [aigerim], live: aigerim)
        try desk.microphone.handle(.cough(aigerim, held: true))
        #expect(!desk.microphone.isOnAir)
        let state = RoutingState(floorLanguage: kk, desks: [ru: desk])
        #expect(ChannelRouting.carrying(.language(ru), in: state).source == .interpreter(ru))
    }

    @Test func relayOptionsLeaveOutEveryBoothThatWouldCloseALoop() {
        // en takes relay from ru, kk from en: ru may take relay from neither (ru ← en ← ru, ru ← kk ← en ← ru).
        let state = RoutingState(
            floorLanguage: nil,
            desks: [
                ru: BoothDesk(), en: BoothDesk(source: .relay(ru)), kk: BoothDesk(source: .relay(en)),
            ]
        )
        #expect(state.relayOptions(for: ru, among: [ru, kk, en]) == [])
        #expect(state.relayOptions(for: en, among: [ru, kk, en]) == [ru])
        #expect(state.relayOptions(for: kk, among: [ru, kk, en]) == [ru, en])
    }

    @Test func keysAreReadAsPeopleTypeThem() {
        #expect(Interpreter.normalizedKey("r4km-7tqx") == "R4KM7TQX")
        #expect(Interpreter.normalizedKey("R4KM 7TQX") == "R4KM7TQX")
        #expect(Interpreter.normalizedKey("R4KM7TQ0") == nil)  // 0 is not in the alphabet
        #expect(Interpreter.normalizedKey("R4KM7") == nil)
        var rng = SystemRandomNumberGenerator()
        let made = Interpreter.make(name: "Aigerim", booth: ru, createdAt: 0, using: &rng)
        #expect(Interpreter.normalizedKey(made.key) == made.key && made.interpreter.id.value.hasPrefix("i-"))
        // The interpreter keeps the key's hash, not the key.
        #expect(made.interpreter.key == SecretDigest(of: made.key) && !made.interpreter.key.stored.contains(made.key))
    }

    @Test func interpreterNamesAreChecked() throws {
        #expect(try Interpreter.validName("  Aigerim  ") == "Aigerim")
        #expect(throws: EventRules.Violation.self) { try Interpreter.validName("") }
        #expect(throws: EventRules.Violation.self) { try Interpreter.validName(nil) }
        #expect(throws: EventRules.Violation.self) { try Interpreter.validName(String(repeating: "a", count: 101)) }
        #expect(throws: EventRules.Violation.self) { try Interpreter.validName("A\u{7}") }
    }

    @Test func peakMeterHoldsThePeakAndFallsTwentyDecibelsPerSecond() {
        var meter = PeakMeter()
        #expect(meter.level(at: 0) == PeakMeter.floorDB)
        meter.record(peakDB: -6, at: 1_000_000)
        meter.record(peakDB: -40, at: 1_100_000)  // quieter: the held peak, fallen 2 dB, stays
        #expect(abs(meter.level(at: 1_100_000) - -8) < 1e-9)
        #expect(abs(meter.level(at: 2_100_000) - -28) < 1e-9)
        #expect(meter.level(at: 60_000_000) == PeakMeter.floorDB)
        #expect(PeakMeter.peakDB([0, 0.5, -1]) == 0)
        #expect(PeakMeter.peakDB([0, 0]) == PeakMeter.floorDB)
    }
}

@Suite struct TokenBucketTests {
    @Test func aBurstGoesThroughThenOnePerRefill() {
        var bucket = TokenBucket(capacity: 3, perSecond: 0.5)
        #expect((0..<4).map { _ in bucket.allow(at: 1_000_000) } == [true, true, true, false])
        #expect(bucket.allow(at: 2_900_000) == false)  // 1.9 s later: not a whole token yet
        #expect(bucket.allow(at: 3_000_000) == true)  // 2 s: one token
        #expect(bucket.allow(at: 3_000_000) == false)
        #expect((0..<4).map { _ in bucket.allow(at: 60_000_000) } == [true, true, true, false])  // never above capacity
    }
}
