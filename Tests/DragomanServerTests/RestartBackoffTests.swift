import DragomanServer
import Testing

struct RestartBackoffTests {
    @Test func anEngineThatKeepsDyingYoungWaitsLongerEachTimeUpToTheCeiling() {
        var backoff = RestartBackoff()
        let delays = (0..<7).map { _ in backoff.stopped(afterRunning: 0.5) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30])
    }

    @Test func aLongHealthyRunStartsTheWaitOverFromOneSecond() {
        var backoff = RestartBackoff()
        for _ in 0..<4 { _ = backoff.stopped(afterRunning: 1) }
        #expect(backoff.stopped(afterRunning: 3600) == 1)
        #expect(backoff.stopped(afterRunning: 2) == 2)
    }
}
