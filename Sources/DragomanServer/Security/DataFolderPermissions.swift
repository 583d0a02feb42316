import Foundation

/// The data folder holds the hashes of every event's PIN, floor token and interpreter keys, and the
/// recordings: the folder is made 0700 and what is in it 0600, including files an older version left readable.
enum DataFolderPermissions {
    static func restrict(_ directory: URL) throws {
        let files = FileManager.default
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        for name in (try? files.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let path = directory.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            try? files.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o700 : 0o600], ofItemAtPath: path)
        }
    }
}
