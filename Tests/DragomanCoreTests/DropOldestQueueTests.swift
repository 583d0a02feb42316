import DragomanCore
import Testing

struct DropOldestQueueTests {
    /// A full queue makes room by dropping its oldest element and counts the drop.
    @Test func fullQueueDropsOldest() {
        var queue = DropOldestQueue<Int>(capacity: 3)
        for i in 1...5 { queue.append(i) }
        #expect(queue.count == 3)
        #expect(queue.droppedTotal == 2)
        #expect(queue.takeDroppedCount() == 2)
        #expect(queue.takeDroppedCount() == 0)
        #expect(queue.popFirst() == 3)
        #expect(queue.popFirst() == 4)
        #expect(queue.popFirst() == 5)
        #expect(queue.popFirst() == nil)
    }

    /// Against a plain array model, over many random appends and pops (wrap-around included).
    @Test func behavesLikeTheModel() {
        var queue = DropOldestQueue<Int>(capacity: 4)
        var model: [Int] = []
        var dropped = 0
        var rng = SystemRandomNumberGenerator()
        for i in 0..<10_000 {
            if Bool.random(using: &rng) {
                queue.append(i)
                model.append(i)
                if model.count > 4 {
                    model.removeFirst()
                    dropped += 1
                }
            } else {
                #expect(queue.popFirst() == (model.isEmpty ? nil : model.removeFirst()))
            }
            #expect(queue.count == model.count)
        }
        #expect(queue.droppedTotal == dropped)
    }
}

/// A slow listener's queue loses audio, not control messages, and counts exactly the audio it lost.
struct DropOldestQueueControlMessageTests {
    enum Frame: Equatable {
        case audio(Int)
        case text(String)
        var isAudio: Bool { if case .audio = self { true } else { false } }
    }

    @Test func controlMessagesSurviveAndOnlyAudioDropsAreCounted() {
        var queue = DropOldestQueue<Frame>(capacity: 4)
        for frame in [Frame.text("carrying"), .audio(1), .audio(2), .text("alert")] { queue.append(frame, droppingFirst: \.isAudio) }
        for number in 3...10 { queue.append(.audio(number), droppingFirst: \.isAudio) }
        var left: [Frame] = []
        while let frame = queue.popFirst() { left.append(frame) }
        #expect(left == [.text("carrying"), .text("alert"), .audio(9), .audio(10)])
        #expect(queue.takeDroppedCount() == 8, "audio 1 to 8, as the listener's sequence gap will show")
    }

    @Test func aQueueOfOnlyControlMessagesStillStaysBounded() {
        var queue = DropOldestQueue<Frame>(capacity: 2)
        for index in 0..<5 { queue.append(.text("\(index)"), droppingFirst: \.isAudio) }
        #expect(queue.count == 2 && queue.popFirst() == .text("3"))
        #expect(queue.takeDroppedCount() == 0)
    }
}

struct PercentilesTests {
    @Test func nearestRank() {
        let p = Percentiles((1...100).map(Double.init))
        #expect(p.p50 == 50)
        #expect(p.p90 == 90)
        #expect(p.p99 == 99)
        #expect(p.max == 100)
        #expect(Percentiles([]).p99 == 0)
    }
}
