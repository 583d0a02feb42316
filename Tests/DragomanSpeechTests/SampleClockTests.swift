import Testing

@testable import DragomanSpeech

@Suite struct SampleClockTests {
    @Test func aSampleIsTimedFromTheBlockItCameIn() {
        var clock = SampleClock(sampleRate: 16_000)
        clock.mark(sample: 0, at: 1_000_000)
        clock.mark(sample: 16_000, at: 10_000_000)  // a gap on the source's clock
        #expect(clock.micros(at: 0) == 1_000_000)
        #expect(clock.micros(at: 8_000) == 1_500_000)
        #expect(clock.micros(at: 16_000) == 10_000_000)
        #expect(clock.micros(at: 24_000) == 10_500_000)
    }

    @Test func oldMarksAreForgottenButTheLastIsKept() {
        var clock = SampleClock(sampleRate: 16_000)
        for block in 0..<1000 { clock.mark(sample: Int64(block) * 320, at: UInt64(block) * 20_000) }
        clock.forget(before: 320 * 990)
        #expect(clock.count == 10)
        #expect(clock.micros(at: 320 * 995) == 995 * 20_000)
        clock.forget(before: 1_000_000_000)
        #expect(clock.count == 1)
    }
}
