import DragomanCore
import Testing

/// A channel's recording stays on the wall clock: bursts are written as they come, and a stretch with nothing
/// becomes silence of the same length.
struct RecordingTimelineTests {
    @Test func packetsInStepWithTheClockNeedNoSilence() {
        var timeline = RecordingTimeline(startMicros: 1_000_000)
        let silence = (1...100).map { timeline.packet(at: 1_000_000 + UInt64($0) * 20_000) }
        #expect(silence.allSatisfy { $0 == 0 } && timeline.frames == 100)
    }

    @Test func aBurstOfPacketsIsWrittenAsItComes() {
        var timeline = RecordingTimeline(startMicros: 0)
        // Five frames completed by one 100 ms chunk arrive at the same instant.
        let silence = (0..<5).map { _ in timeline.packet(at: 100_000) }
        #expect(silence == [0, 0, 0, 0, 0] && timeline.frames == 5)
    }

    @Test func aPauseInTheChannelBecomesSilenceOfTheSameLength() {
        var timeline = RecordingTimeline(startMicros: 0)
        for index in 1...50 { _ = timeline.packet(at: UInt64(index) * 20_000) }  // 1 s of audio
        let filled = timeline.idle(at: 3_000_000)  // then 2 s with nothing
        #expect(filled > 0)
        #expect(timeline.cursorMicros <= 3_000_000 && timeline.cursorMicros + timeline.latency + 20_000 >= 3_000_000)
        #expect(timeline.idle(at: 3_000_000) == 0, "caught up: no more silence at the same instant")
    }

    @Test func jitterWithinTheSlackAddsNoSilence() {
        var timeline = RecordingTimeline(startMicros: 0)
        #expect(timeline.idle(at: 150_000) == 0)
        #expect(timeline.packet(at: 250_000) == 0)
    }
}
