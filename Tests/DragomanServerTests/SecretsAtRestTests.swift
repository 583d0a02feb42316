import DragomanCore
import DragomanServer
import DragomanServerTesting
import Foundation
import GRDB
import Testing

/// PINs, floor tokens and interpreter keys are kept as hashes: the data folder opens nothing, a secret is
/// shown once, and a new one retires the old.
struct SecretsAtRestTests {
    @Test func theDataFolderHoldsNoSecretInTheClear() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent(pin: "493817")
            let aigerim = try server.interpreter("Aigerim", booth: "ru", of: event)
            let folder = server.venue.configuration.dataDirectory
            let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
            let bytes = try files.filter { $0.contains("sqlite") }.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
            #expect(!bytes.isEmpty)
            for secret in [event.floorToken, aigerim.key, "493817"] {
                #expect(!bytes.contains { $0.range(of: Data(secret.utf8)) != nil }, "\(secret) is in the data folder")
            }
            // And the hashes still open what they should.
            let live = try server.live(event)
            #expect(live.admits(pin: "493817") && !live.admits(pin: "493818"))
            let console = try await server.console(aigerim, of: event)
            await console.close()
        }
    }

    @Test func aNewKeyClosesTheConsoleOpenWithTheOldOneAndOnlyTheNewKeyOpens() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let aigerim = try server.interpreter("Aigerim", booth: "ru", of: event)
            let console = try await server.console(aigerim, of: event)
            let renewed = try #require(try server.venue.events.newKey(for: aigerim.id, of: server.live(event)))
            #expect(renewed.key != aigerim.key && renewed.id == aigerim.id)
            #expect(try await console.closed() == 4401)
            let old = try await server.exchange("/ws/booth/\(event.code)?key=\(aigerim.key)")
            #expect(old.errorCode == "unauthorized" && old.closeCode == 4401)
            let reopened = try await server.console(renewed, of: event)
            await reopened.close()
            #expect(try server.venue.events.newKey(for: InterpreterID("i-nobody"), of: server.live(event)) == nil)
        }
    }

    @Test func aNewFloorTokenRetiresTheOldOne() async throws {
        try await LiveServer.with { server in
            var event = try server.createEvent()
            let old = event.floorToken
            event.floorToken = try server.venue.events.newFloorToken(of: server.live(event))
            #expect(event.floorToken != old)
            let refused = try await server.exchange("/ws/floor/\(event.code)?token=\(old)")
            #expect(refused.errorCode == "unauthorized" && refused.closeCode == 4401)
            let report = try await server.publishFloor(event, seconds: 0.2)
            #expect(report.messages > 0)
        }
    }

    /// A database an older release wrote, with its secrets in the clear, is converted when the server opens it:
    /// the old floor token, key and PIN keep working, and none of them is left in the file.
    @Test func secretsStoredInTheClearAreHashedOnUpgrade() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try Self.writeOlderDatabase(at: path, code: "K7QM2X", pin: "493817", floorToken: "0123abcd", key: "R4KM7TQX")
        let store = try EventStore(path: path)
        let event = try #require(try store.event(JoinCode("K7QM2X")!))
        #expect(event.floorToken.matches("0123abcd") && event.pin?.matches("493817") == true)
        #expect(try store.interpreters(for: event.code).first?.key.matches("R4KM7TQX") == true)
        // Not in the rows, and not left behind in the file's free space or its log either.
        let files = try ["", "-wal"].compactMap { suffix in
            FileManager.default.fileExists(atPath: path + suffix) ? try Data(contentsOf: URL(fileURLWithPath: path + suffix)) : nil
        }
        for secret in ["493817", "0123abcd", "R4KM7TQX"] {
            #expect(!files.contains { $0.range(of: Data(secret.utf8)) != nil }, "\(secret) is still in the database file")
        }
    }

    /// The tables as migrations v1–v8 left them, with one event, its PIN, floor token and an interpreter key
    /// in the clear.
    private static func writeOlderDatabase(at path: String, code: String, pin: String, floorToken: String, key: String) throws {
        let database = try DatabaseQueue(path: path)
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    CREATE TABLE event (code TEXT PRIMARY KEY, name TEXT NOT NULL, languages TEXT NOT NULL, pin TEXT,
                        floorToken TEXT NOT NULL, createdAt DOUBLE NOT NULL, machineBooths TEXT NOT NULL DEFAULT '',
                        glossary TEXT NOT NULL DEFAULT '[]', recording BOOLEAN NOT NULL DEFAULT 0, retentionDays INTEGER,
                        confidential BOOLEAN NOT NULL DEFAULT 0, namesInRecord BOOLEAN NOT NULL DEFAULT 0);
                    CREATE TABLE floorLanguageChange (id INTEGER PRIMARY KEY AUTOINCREMENT,
                        code TEXT NOT NULL REFERENCES event(code) ON DELETE CASCADE, language TEXT, at INTEGER NOT NULL);
                    CREATE TABLE interpreter (id TEXT PRIMARY KEY, code TEXT NOT NULL REFERENCES event(code) ON DELETE CASCADE,
                        name TEXT NOT NULL, booth TEXT NOT NULL, key TEXT NOT NULL, createdAt DOUBLE NOT NULL, UNIQUE (code, key));
                    """
            )
            for migration in [
                "v1: events", "v2: floor language changes", "v3: interpreters", "v4: machine booths", "v5: glossary", "v6: recording",
                "v7: retention", "v8: privacy",
            ] {
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration])
            }
            try db.execute(
                sql: "INSERT INTO event (code, name, languages, pin, floorToken, createdAt) VALUES (?, 'Summit', 'ru kk', ?, ?, 0)",
                arguments: [code, pin, floorToken]
            )
            try db.execute(
                sql: "INSERT INTO interpreter (id, code, name, booth, key, createdAt) VALUES ('i-1', ?, 'Aigerim', 'ru', ?, 0)",
                arguments: [code, key]
            )
        }
    }
}
