public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Opening a file to write, as a shell's `>` does.
public enum OutputFile {
    /// A path that cannot be opened for writing, and why.
    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        /// What `open(2)` said, e.g. "No such file or directory".
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Opens `path` for writing from its start: creates a regular file or empties the one there, and writes
    /// into a device, a named pipe or through a symbolic link that is already there (`/dev/null`, `/dev/stdout`).
    ///
    /// `FileManager.createFile(atPath:contents:)` writes a new file beside the path and renames it over it,
    /// which would replace even `/dev/null` with a regular file when run as root.
    ///
    /// - Throws: `OpenError` naming the path and the reason.
    public static func open(atPath path: String) throws(OpenError) -> FileHandle {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OpenError(path: path, reason: String(cString: strerror(errno)))
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
