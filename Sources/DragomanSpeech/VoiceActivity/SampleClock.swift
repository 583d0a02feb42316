/// Maps a stream's sample index to its time on the source's clock: each block of samples comes with the time of
/// its first sample, so a later sample's time counts from the block it came in.
struct SampleClock: Sendable {
    let sampleRate: Int
    /// (sample index of a block's first sample, its time in µs), in increasing index.
    private var marks: [(sample: Int64, micros: UInt64)] = []

    init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// A block starting at `sample` was taken at `micros`.
    mutating func mark(sample: Int64, at micros: UInt64) {
        if let last = marks.last, last.sample == sample {
            marks[marks.count - 1].micros = micros
        } else {
            marks.append((sample, micros))
        }
    }

    /// The time of `sample`, µs: from the last block that started at or before it (or the first block).
    func micros(at sample: Int64) -> UInt64 {
        guard let mark = marks.last(where: { $0.sample <= sample }) ?? marks.first else {
            return UInt64(max(0, sample)) * 1_000_000 / UInt64(sampleRate)
        }
        let offset = sample - mark.sample
        let delta = offset.magnitude * 1_000_000 / UInt64(sampleRate)
        return offset >= 0 ? mark.micros + delta : mark.micros - min(delta, mark.micros)
    }

    /// Drops the marks no sample at or after `sample` needs.
    mutating func forget(before sample: Int64) {
        var drop = 0
        while drop + 1 < marks.count, marks[drop + 1].sample <= sample { drop += 1 }
        if drop > 0 { marks.removeFirst(drop) }
    }

    /// How many marks it keeps (for tests: it must not grow without bound).
    var count: Int { marks.count }
}
