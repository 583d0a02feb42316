import NIOConcurrencyHelpers

/// A Prometheus-style histogram of delays in milliseconds: fixed buckets, counts only, so
/// recording a value on the hot path is one lock and a few comparisons.
final class DelayHistogram: Sendable {
    /// Upper bounds of the buckets, in milliseconds.
    static let bounds: [Double] = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250]

    struct Snapshot: Sendable {
        var counts: [Int]  // one per bound, then +Inf; not cumulative
        var sum: Double
        var count: Int
    }

    private let state = NIOLockedValueBox(Snapshot(counts: Array(repeating: 0, count: DelayHistogram.bounds.count + 1), sum: 0, count: 0))

    func record(milliseconds value: Double) {
        let index = Self.bounds.firstIndex { value <= $0 } ?? Self.bounds.count
        state.withLockedValue {
            $0.counts[index] += 1
            $0.sum += value
            $0.count += 1
        }
    }

    var snapshot: Snapshot { state.withLockedValue { $0 } }
}
