import ArgumentParser
import DragomanServer
import Foundation

/// `dragoman backup`: a copy of the data folder, taken while the server runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the data folder (events, interpreters, organizer token, certificate) while the server runs.",
        discussion: "The database is copied with SQLite's online backup: a consistent snapshot, however busy the server is."
    )

    @Option(help: "The data folder (default: $DRAGOMAN_DATA_DIR or ~/.local/share/dragoman).")
    var dataDir: String?
    @Option(help: "A new folder for the backup.")
    var to: String

    func run() throws {
        let source = dataDir.map { URL(fileURLWithPath: $0) } ?? ServerConfiguration.defaultDataDirectory
        let files = try DataFolder.backup(source, to: URL(fileURLWithPath: to))
        say("Backed up \(source.path) to \(to): \(files.joined(separator: ", ")).")
    }
}

/// `dragoman restore`: puts a backup back, with the server stopped.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the data folder with a backup made by dragoman backup (stop the server first).",
        discussion: "Refuses while dragoman serve runs on the data folder: stop it (e.g. systemctl stop dragoman), restore, start it."
    )

    @Option(help: "The backup folder.")
    var from: String
    @Option(help: "The data folder (default: $DRAGOMAN_DATA_DIR or ~/.local/share/dragoman).")
    var dataDir: String?

    func run() throws {
        let destination = dataDir.map { URL(fileURLWithPath: $0) } ?? ServerConfiguration.defaultDataDirectory
        let files = try DataFolder.restore(URL(fileURLWithPath: from), to: destination)
        say("Restored \(files.joined(separator: ", ")) from \(from) into \(destination.path); start dragoman serve again.")
    }
}
