import DragomanCore
import DragomanServer
import Foundation
import Testing

/// Recordings past their event's retention period are deleted, audio and log together; younger ones, and those of
/// events that keep theirs, stay. The clock is the caller's.
struct RecordingRetentionTests {
    @Test func recordingsOlderThanTheRetentionPeriodAreDeletedOnSchedule() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = try EventStore(path: root.appendingPathComponent("store.sqlite").path)
        var rng = SystemRandomNumberGenerator()
        func event(retentionDays: Int?) throws -> EventDefinition {
            var definition = EventDefinition(
                code: JoinCode.random(using: &rng),
                name: "Summit",
                languages: [LanguageTag("ru")!],
                pin: nil,
                floorToken: SecretDigest(of: "t"),
                createdAt: 0
            )
            definition.recording = true
            definition.retentionDays = retentionDays
            try store.insert(definition)
            return definition
        }
        let kept = try event(retentionDays: nil)
        let expiring = try event(retentionDays: 2)
        let recordings = root.appendingPathComponent("recordings")
        // Recorded three days and one day before "now".
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        func record(_ code: JoinCode, daysAgo: Double) throws -> [String] {
            let folder = recordings.appendingPathComponent(code.value)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let stamp = formatter.string(from: now.addingTimeInterval(-daysAgo * 86400))
            let names = ["floor-\(stamp).opus", "floor-\(stamp).jsonl", "booth.ru-\(stamp).opus", "booth.ru-\(stamp).jsonl"]
            for name in names { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
            return names
        }
        let old = try record(expiring.code, daysAgo: 3)
        let young = try record(expiring.code, daysAgo: 1)
        let keptOld = try record(kept.code, daysAgo: 30)
        let events = LiveEvents(store: store, links: PublicLinks(base: "http://h"), recordingFolder: recordings)

        #expect(events.applyRetention(now: now) == old.count)

        func present(_ code: JoinCode) throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: recordings.appendingPathComponent(code.value).path))
        }
        #expect(try present(expiring.code) == Set(young))
        #expect(try present(kept.code) == Set(keptOld), "an event without a retention period keeps its recordings")
        #expect(events.applyRetention(now: now) == 0, "nothing more to delete until time passes")
        #expect(events.applyRetention(now: now.addingTimeInterval(86400 * 1.5)) == young.count)
    }
}
