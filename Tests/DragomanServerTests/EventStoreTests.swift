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
            floorToken: "t",
            createdAt: 0
        )
        do {
            let store = try EventStore(path: path)
            try store.insert(event)
            try store.insertInterpreter(Interpreter.make(name: "Aigerim", booth: kk, createdAt: 0, using: &rng), for: event.code)
            try store.insertInterpreter(Interpreter.make(name: "Pavel", booth: ru, createdAt: 0, using: &rng), for: event.code)
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
            floorToken: "t",
            createdAt: 0
        )
        try EventStore(path: path).insert(event)
        #expect(try EventStore(path: path).event(event.code)?.glossary == event.glossary)
    }

    @Test func interpreterIdsDoNotCollide() {
        var rng = SystemRandomNumberGenerator()
        let ids = (0..<20_000).map { _ in Interpreter.make(name: "x", booth: LanguageTag("ru")!, createdAt: 0, using: &rng).id }
        #expect(Set(ids).count == ids.count)
    }
}
