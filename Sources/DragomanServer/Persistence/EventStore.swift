public import DragomanCore
import Foundation
import GRDB

/// Events on disk (SQLite through GRDB), so they survive a restart of the server.
///
/// Writes go through GRDB's serialized queue in WAL mode: a killed process loses nothing
/// that was acknowledged.
public final class EventStore: Sendable {
    private let database: any DatabaseWriter

    /// Opens (and creates or migrates) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        // What is deleted or overwritten is zeroed, so a secret replaced by its hash (or a new one) does not
        // linger in the file's free space.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        let database = try DatabasePool(path: path, configuration: configuration)
        self.database = database
        let migrating = try !database.read { db in try Self.migrator.hasCompletedMigrations(db) }
        try Self.migrator.migrate(database)
        // The log may still hold pages from before the migration: fold it into the file and empty it.
        if migrating { try database.writeWithoutTransaction { db in try db.checkpoint(.truncate) } }
    }

    /// An in-memory store, for tests.
    public init() throws {
        self.database = try DatabaseQueue()
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events") { db in
            try db.create(table: "event") { t in
                t.primaryKey("code", .text)
                t.column("name", .text).notNull()
                t.column("languages", .text).notNull()  // space-separated tags, in the organizer's order
                t.column("pin", .text)
                t.column("floorToken", .text).notNull()
                t.column("createdAt", .double).notNull()
            }
        }
        migrator.registerMigration("v2: floor language changes") { db in
            try db.create(table: "floorLanguageChange") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("code", .text).notNull().indexed().references("event", onDelete: .cascade)
                t.column("language", .text)  // null: not known
                t.column("at", .integer).notNull()  // µs since the Unix epoch
            }
        }
        migrator.registerMigration("v3: interpreters") { db in
            try db.create(table: "interpreter") { t in
                t.primaryKey("id", .text)
                t.column("code", .text).notNull().indexed().references("event", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("booth", .text).notNull()
                t.column("key", .text).notNull()
                t.column("createdAt", .double).notNull()
                t.uniqueKey(["code", "key"])
            }
        }
        migrator.registerMigration("v4: machine booths") { db in
            try db.alter(table: "event") { t in
                t.add(column: "machineBooths", .text).notNull().defaults(to: "")  // space-separated tags
            }
        }
        migrator.registerMigration("v5: glossary") { db in
            try db.alter(table: "event") { t in
                t.add(column: "glossary", .text).notNull().defaults(to: "[]")  // JSON: [{"ru": "…", "en": "…"}]
            }
        }
        migrator.registerMigration("v6: recording") { db in
            try db.alter(table: "event") { t in
                t.add(column: "recording", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v7: retention") { db in
            try db.alter(table: "event") { t in t.add(column: "retentionDays", .integer) }
        }
        migrator.registerMigration("v8: privacy") { db in
            try db.alter(table: "event") { t in
                t.add(column: "confidential", .boolean).notNull().defaults(to: false)
                t.add(column: "namesInRecord", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v9: secrets kept as hashes") { db in
            // PINs, floor tokens and interpreter keys were kept as they were typed or made: from here on only
            // their hashes are, and a stolen database opens nothing.
            var rng = SystemRandomNumberGenerator()
            for row in try Row.fetchAll(db, sql: "SELECT code, pin, floorToken FROM event") {
                let pin = (row["pin"] as String?).map { $0.hasPrefix("pbkdf2-sha256$") ? $0 : PINDigest(of: $0, using: &rng).stored }
                let token: String = row["floorToken"]
                let floorToken = SecretDigest(stored: token)?.stored ?? SecretDigest(of: token).stored
                try db.execute(sql: "UPDATE event SET pin = ?, floorToken = ? WHERE code = ?", arguments: [pin, floorToken, row["code"] as String])
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, key FROM interpreter") {
                let key: String = row["key"]
                let digest = SecretDigest(stored: key)?.stored ?? SecretDigest(of: key).stored
                try db.execute(sql: "UPDATE interpreter SET key = ? WHERE id = ?", arguments: [digest, row["id"] as String])
            }
        }
        migrator.registerMigration("v10: packet duration") { db in
            try db.alter(table: "event") { t in t.add(column: "packetMs", .integer).notNull().defaults(to: 20) }
        }
        return migrator
    }

    /// Stores a new interpreter of the event `code`.
    public func insertInterpreter(_ interpreter: Interpreter, for code: JoinCode) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO interpreter (id, code, name, booth, key, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    interpreter.id.value, code.value, interpreter.name, interpreter.booth.value, interpreter.key.stored, interpreter.createdAt,
                ]
            )
        }
    }

    /// Replaces an interpreter's key (its hash); returns whether the interpreter exists.
    public func replaceKey(of id: InterpreterID, with key: SecretDigest, for code: JoinCode) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "UPDATE interpreter SET key = ? WHERE id = ? AND code = ?", arguments: [key.stored, id.value, code.value])
            return db.changesCount > 0
        }
    }

    /// Removes an interpreter; returns whether they existed.
    @discardableResult
    public func deleteInterpreter(_ id: InterpreterID, for code: JoinCode) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "DELETE FROM interpreter WHERE id = ? AND code = ?", arguments: [id.value, code.value])
            return db.changesCount > 0
        }
    }

    /// The interpreters of an event, by booth, then name.
    public func interpreters(for code: JoinCode) throws -> [Interpreter] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, booth, key, createdAt FROM interpreter WHERE code = ?", arguments: [code.value]).compactMap {
                row in
                guard let booth = LanguageTag(row["booth"] as String), let key = SecretDigest(stored: row["key"]) else { return nil }
                return Interpreter(id: InterpreterID(row["id"]), name: row["name"], booth: booth, key: key, createdAt: row["createdAt"])
            }
        }.sorted { ($0.booth.value, $0.name, $0.id) < ($1.booth.value, $1.name, $1.id) }
    }

    /// A change of the floor language, as logged.
    public struct FloorLanguageChange: Equatable, Sendable {
        public var language: LanguageTag?
        /// µs since the Unix epoch.
        public var at: UInt64
    }

    /// Logs a change of an event's floor language.
    public func appendFloorLanguage(_ language: LanguageTag?, at: UInt64, for code: JoinCode) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO floorLanguageChange (code, language, at) VALUES (?, ?, ?)",
                arguments: [code.value, language?.value, Int64(at)]
            )
        }
    }

    /// Every change of an event's floor language, oldest first.
    public func floorLanguageChanges(for code: JoinCode) throws -> [FloorLanguageChange] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT language, at FROM floorLanguageChange WHERE code = ? ORDER BY id", arguments: [code.value]).map { row in
                FloorLanguageChange(language: (row["language"] as String?).flatMap(LanguageTag.init), at: UInt64(row["at"] as Int64))
            }
        }
    }

    /// Stores a new event. Fails if the code is taken.
    public func insert(_ event: EventDefinition) throws {
        try database.write { db in try EventRecord(event).insert(db) }
    }

    /// Replaces a stored event. The interpreters of booths whose language it no longer has go with
    /// them, so that they do not come back after a restart.
    public func update(_ event: EventDefinition) throws {
        try database.write { db in
            try EventRecord(event).update(db)
            let languages = event.languages.map(\.value)
            let placeholders = languages.map { _ in "?" }.joined(separator: ", ")
            try db.execute(
                sql: "DELETE FROM interpreter WHERE code = ? AND booth NOT IN (\(placeholders))",
                arguments: StatementArguments([event.code.value] + languages)
            )
        }
    }

    /// Removes an event; returns whether it existed.
    @discardableResult
    public func delete(_ code: JoinCode) throws -> Bool {
        try database.write { db in try EventRecord.deleteOne(db, key: code.value) }
    }

    /// The event with this code, if any.
    public func event(_ code: JoinCode) throws -> EventDefinition? {
        try database.read { db in try EventRecord.fetchOne(db, key: code.value) }?.definition
    }

    /// Every event, oldest first.
    public func allEvents() throws -> [EventDefinition] {
        try database.read { db in try EventRecord.order(Column("createdAt")).fetchAll(db) }.compactMap(\.definition)
    }

    /// Whether a code is in use.
    public func contains(_ code: JoinCode) throws -> Bool {
        try database.read { db in try EventRecord.exists(db, key: code.value) }
    }
}

/// The row of the `event` table.
private struct EventRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event"
    var code: String
    var name: String
    var languages: String
    var machineBooths: String
    var glossary: String
    var recording: Bool
    var retentionDays: Int?
    var confidential: Bool
    var namesInRecord: Bool
    var packetMs: Int
    var pin: String?
    var floorToken: String
    var createdAt: Double

    init(_ event: EventDefinition) {
        code = event.code.value
        name = event.name
        languages = event.languages.map(\.value).joined(separator: " ")
        machineBooths = event.machineBooths.map(\.value).joined(separator: " ")
        let renderings = event.glossary.map { term in Dictionary(uniqueKeysWithValues: term.renderings.map { ($0.key.value, $0.value) }) }
        glossary = (try? String(decoding: JSONEncoder().encode(renderings), as: UTF8.self)) ?? "[]"
        recording = event.recording
        retentionDays = event.retentionDays
        confidential = event.confidential
        namesInRecord = event.namesInRecord
        packetMs = event.packetMs
        pin = event.pin?.stored
        floorToken = event.floorToken.stored
        createdAt = event.createdAt
    }

    var definition: EventDefinition? {
        // A secret that is not a hash cannot be checked: such an event stays closed rather than open.
        guard let joinCode = JoinCode(code), let floorToken = SecretDigest(stored: floorToken) else { return nil }
        let pinDigest = pin.flatMap(PINDigest.init(stored:))
        guard (pin == nil) == (pinDigest == nil) else { return nil }
        let tags = languages.split(separator: " ").compactMap { LanguageTag(String($0)) }
        let machines = machineBooths.split(separator: " ").compactMap { LanguageTag(String($0)) }
        let renderings = (try? JSONDecoder().decode([[String: String]].self, from: Data(glossary.utf8))) ?? []
        let terms = renderings.map { entry in
            GlossaryTerm(Dictionary(uniqueKeysWithValues: entry.compactMap { code, text in LanguageTag(code).map { ($0, text) } }))
        }
        var definition = EventDefinition(
            code: joinCode,
            name: name,
            languages: tags,
            machineBooths: machines,
            glossary: terms.filter { !$0.renderings.isEmpty },
            pin: pinDigest,
            floorToken: floorToken,
            createdAt: createdAt
        )
        definition.recording = recording
        definition.retentionDays = retentionDays
        definition.confidential = confidential
        definition.namesInRecord = namesInRecord
        definition.packetMs = EventDefinition.packetDurations.contains(packetMs) ? packetMs : 20
        return definition
    }
}
