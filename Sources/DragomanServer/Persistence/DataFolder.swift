public import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The data folder as a whole: who uses it, and its backup and restore.
///
/// `dragoman serve` holds an exclusive lock on `serve.lock` while it runs, so a second server or a
/// restore cannot write under it. A backup needs no lock: the database is copied with SQLite's
/// online backup, a consistent snapshot taken while the server goes on writing.
public enum DataFolder {
    /// The files besides the database that make up a data folder, copied as they are.
    public static let plainFiles = ["organizer-token", "tls-certificate.pem", "tls-key.pem"]
    static let database = "dragoman.sqlite"
    static let lockFile = "serve.lock"

    /// A held lock on a data folder; released when the process ends or `release()` is called.
    public final class Lock: Sendable {
        private let descriptor: Int32
        init(descriptor: Int32) { self.descriptor = descriptor }
        public func release() { close(descriptor) }
    }

    /// Takes the folder's lock, or explains who holds it.
    public static func lock(_ folder: URL) throws -> Lock {
        let path = folder.appendingPathComponent(lockFile).path
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConfigurationError("Cannot open \(path): \(String(cString: strerror(errno))).") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ConfigurationError(
                "Another dragoman serve is using the data folder \(folder.path); stop it first (e.g. systemctl stop dragoman)."
            )
        }
        return Lock(descriptor: descriptor)
    }

    /// Copies the data folder `source` into the new folder `destination` (made 0700), while a server
    /// may be running on it. Returns the names of the files written.
    @discardableResult
    public static func backup(_ source: URL, to destination: URL) throws -> [String] {
        let files = FileManager.default
        let database = source.appendingPathComponent(Self.database)
        guard files.fileExists(atPath: database.path) else {
            throw ConfigurationError("\(source.path) has no \(Self.database): is it a Dragoman data folder?")
        }
        if files.fileExists(atPath: destination.path) {
            guard (try files.contentsOfDirectory(atPath: destination.path)).isEmpty else {
                throw ConfigurationError("\(destination.path) exists and is not empty; give a new folder for the backup.")
            }
        }
        try files.createDirectory(at: destination, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try DatabaseQueue(path: database.path).backup(to: DatabaseQueue(path: destination.appendingPathComponent(Self.database).path))
        var written = [Self.database]
        for name in plainFiles where files.fileExists(atPath: source.appendingPathComponent(name).path) {
            try files.copyItem(at: source.appendingPathComponent(name), to: destination.appendingPathComponent(name))
            written.append(name)
        }
        try DataFolderPermissions.restrict(destination)
        return written
    }

    /// Replaces the data folder `destination` with the backup `source`. Refuses while a server runs
    /// on the folder. Returns the names of the files restored.
    @discardableResult
    public static func restore(_ source: URL, to destination: URL) throws -> [String] {
        let files = FileManager.default
        guard files.fileExists(atPath: source.appendingPathComponent(Self.database).path) else {
            throw ConfigurationError("\(source.path) has no \(Self.database): is it a Dragoman backup?")
        }
        try files.createDirectory(at: destination, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = try Self.lock(destination)
        defer { lock.release() }
        let target = destination.appendingPathComponent(Self.database)
        try DatabaseQueue(path: source.appendingPathComponent(Self.database).path).backup(to: DatabaseQueue(path: target.path))
        var restored = [Self.database]
        for name in plainFiles where files.fileExists(atPath: source.appendingPathComponent(name).path) {
            let to = destination.appendingPathComponent(name)
            try? files.removeItem(at: to)
            try files.copyItem(at: source.appendingPathComponent(name), to: to)
            restored.append(name)
        }
        try DataFolderPermissions.restrict(destination)
        return restored
    }
}
