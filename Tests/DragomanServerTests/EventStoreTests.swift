import DragomanCore
import DragomanServer
import Foundation
import Testing

/// What the SQLite store keeps across a restart.
struct EventStoreTests {
    @Test func interpretersOfARemovedLanguageDoNotComeBackAfterARestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = SystemRandomNumberGenerator()
        let ru = LanguageTag("ru")!
        let kk = LanguageTag("kk")!
        var event = EventDefinition(
            code: JoinCode.random(using: &rng),
            name: "Summit",
            languages: [ru, kk],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        do {
            let store = try EventStore(path: path)
            try store.insert(event)
            try store.insertInterpreter(Interpreter.make(name: "Aigerim", booth: kk, createdAt: 0, using: &rng).interpreter, for: event.code)
            try store.insertInterpreter(Interpreter.make(name: "Pavel", booth: ru, createdAt: 0, using: &rng).interpreter, for: event.code)
            event.languages = [ru]
            try store.update(event)
        }
        let reopened = try EventStore(path: path)
        #expect(try reopened.interpreters(for: event.code).map(\.name) == ["Pavel"])
    }

    @Test func theGlossaryIsKeptAcrossARestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = SystemRandomNumberGenerator()
        let ru = LanguageTag("ru")!
        let en = LanguageTag("en")!
        let event = EventDefinition(
            code: JoinCode.random(using: &rng),
            name: "Summit",
            languages: [ru, en],
            glossary: [GlossaryTerm([ru: "пшеница", en: "wheat"]), GlossaryTerm([en: "Astana"])],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        try EventStore(path: path).insert(event)
        #expect(try EventStore(path: path).event(event.code)?.glossary == event.glossary)
    }

    /// v8: confidential and names in the record are kept across a restart, and an event stored before is neither.
    @Test func privacyIsKeptAcrossARestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = SystemRandomNumberGenerator()
        let plain = EventDefinition(
            code: JoinCode.random(using: &rng),
            name: "Open",
            languages: [LanguageTag("ru")!],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        var closed = plain
        closed.code = JoinCode.random(using: &rng)
        closed.confidential = true
        var named = plain
        named.code = JoinCode.random(using: &rng)
        named.recording = true
        named.namesInRecord = true
        let store = try EventStore(path: path)
        for event in [plain, closed, named] { try store.insert(event) }
        let reopened = try EventStore(path: path)
        #expect(try reopened.event(plain.code).map { [$0.confidential, $0.namesInRecord] } == [false, false])
        #expect(try reopened.event(closed.code).map { [$0.confidential, $0.namesInRecord, $0.recording] } == [true, false, false])
        #expect(try reopened.event(named.code).map { [$0.confidential, $0.namesInRecord, $0.recording] } == [false, true, true])
    }

    @Test func interpreterIdsDoNotCollide() {
        var rng = SystemRandomNumberGenerator()
        let ids = (0..<20_000).map { _ in Interpreter.make(name: "x", booth: LanguageTag("ru")!, createdAt: 0, using: &rng).interpreter.id }
        #expect(Set(ids).count == ids.count)
    }
}
