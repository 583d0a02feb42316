public import Foundation

/// When the floor changes language in a recording: the scripted operator of demos and tests sets
/// the floor language at each change, as a technician would (or, later, language identification).
public struct FloorTimeline: Sendable, Equatable {
    /// A change of language at `seconds` into the recording.
    public struct Change: Sendable, Equatable {
        public var seconds: Double
        public var language: String
    }

    public var changes: [Change]

    /// Reads a timeline as `scripts/make-summit-audio` writes it: `[{"id", "lang", "start", "end", "text"}]`,
    /// keeping only the segments where the language changes.
    public init(json: Data) throws {
        struct Segment: Decodable {
            var lang: String
            var start: Double
        }
        let segments: [Segment]
        do {
            segments = try JSONDecoder().decode([Segment].self, from: json)
        } catch {
            throw ClientError("the timeline is not a JSON list of segments with 'lang' and 'start' (seconds): \(error)")
        }
        var changes: [Change] = []
        for segment in segments.sorted(by: { $0.start < $1.start }) where changes.last?.language != segment.lang {
            changes.append(Change(seconds: segment.start, language: segment.lang))
        }
        self.changes = changes
    }

    /// Sets the floor language at each change, counted from now, repeating every `period` seconds if given.
    public func play(period: Double?, set: @escaping @Sendable (String) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var round = 0.0
        repeat {
            for change in changes {
                try await clock.sleep(until: start.advanced(by: .seconds(round + change.seconds)), tolerance: .milliseconds(2))
                try await set(change.language)
            }
            round += period ?? 0
        } while period != nil && !Task.isCancelled
    }
}
